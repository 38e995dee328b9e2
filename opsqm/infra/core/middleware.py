"""Publishes who is acting to the services below the views (the audit log reads it),
and sets the security headers Django has no setting for."""

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


# Scripts only from our own static files (no inline code, no eval); inline styles
# are allowed (they cannot run code; htmx and ReDoc set some).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "usb", "interest-cohort",
    )
)  # fmt: skip


class SecurityHeadersMiddleware:
    """HTML pages: Content-Security-Policy and Permissions-Policy; API answers (under
    /api/): Cache-Control: no-store (they carry personal and contract data)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store"
        return response
