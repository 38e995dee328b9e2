"""Who is acting and from where, for the audit log, without threading `request`
through every service call."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RequestContext:
    user: Any = None
    ip: str | None = None


current: ContextVar[RequestContext] = ContextVar("opsqm_request", default=RequestContext())


def client_ip(meta: dict[str, Any]) -> str | None:
    # Behind the production proxy the client address arrives in X-Forwarded-For
    # (its first entry); the proxy is trusted because it is the only way in.
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return str(forwarded.split(",")[0].strip()) or None
    return meta.get("REMOTE_ADDR") or None
