from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from opsqm.core.request_context import RequestContext, client_ip, current


class IdleTimeoutMiddleware:
    """Ends a logged-in session after OPSQM_IDLE_TIMEOUT seconds without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get("last_seen")
            if last is not None and now - int(last) > settings.OPSQM_IDLE_TIMEOUT:
                logout(request)
                request.session["idle_logout"] = True
            else:
                request.session["last_seen"] = now
        return self.get_response(request)


class RequestContextMiddleware:
    """Publishes the acting user and client address to services (for the audit log)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current.set(RequestContext(user=request.user, ip=client_ip(request.META)))
        try:
            return self.get_response(request)
        finally:
            current.reset(token)
