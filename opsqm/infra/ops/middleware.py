"""The request id (logs, X-Request-ID) and the request metrics of /metrics."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from opsqm.infra.ops import metrics
from opsqm.infra.ops.logging import request_id

# nginx's $request_id is 32 hex digits; accept any short token, nothing that could
# forge a log line.
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Takes the proxy's X-Request-ID (or makes one), puts it on every log line of the
    request and on the response, so a user's report can be found in the journal."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = given if _VALID_ID.match(given) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


class MetricsMiddleware:
    """Counts requests and their durations by view name (a bounded set of labels)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match is not None else "") or "unresolved"
        metrics.observe_request(
            request.method or "", view, response.status_code, time.perf_counter() - start
        )
        return response
