"""Publishes who is acting to the services below the views (the audit log reads it)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from opsqm.infra.core.request_context import RequestContext, client_ip, current


class RequestContextMiddleware:
    """Publishes the acting user and client address to services (for the audit log)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current.set(
            RequestContext(user=request.user, ip=client_ip(request.META), request=request)
        )
        try:
            return self.get_response(request)
        finally:
            current.reset(token)
