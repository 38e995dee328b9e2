"""One log line per record, naming the request it belongs to.

journald and `docker logs` keep a line as a record: a traceback over thirty lines
becomes thirty records that nobody can put back together, so the traceback is folded
into the record's one line (newlines written as `\\n`)."""

from __future__ import annotations

import logging
from contextvars import ContextVar

# The id of the request being served ("-" outside a request: the worker, commands).
request_id: ContextVar[str] = ContextVar("opsqm_request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class OneLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return super().format(record).replace("\r", "").replace("\n", "\\n")
