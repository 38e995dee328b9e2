"""Session rules of the accounts: the idle timeout and the password an administrator
chose, which must be changed first."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from opsqm.infra.audit.services import log_action
from opsqm.infra.core.request_context import client_ip


class IdleTimeoutMiddleware:
    """Ends a logged-in session after OPSQM_IDLE_TIMEOUT seconds without a request.

    The last-seen time is rewritten at most every TOUCH_EVERY seconds: writing the
    session row on every request cost 15–21 ms under load (docs/benchmarks.md).  The
    stored time may lag the last request by less than TOUCH_EVERY, so the session
    ends once `now - last_seen` passes the timeout plus that lag: never before the
    configured idle time, at most TOUCH_EVERY seconds after it (exact to the minute;
    with a once-a-minute write it ended up to a minute early)."""

    TOUCH_EVERY = 5  # seconds

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get("last_seen")
            if (
                last is not None
                and now - int(last) >= settings.OPSQM_IDLE_TIMEOUT + self.TOUCH_EVERY
            ):
                user = request.user
                log_action(
                    "auth.idle_timeout",
                    obj=user,
                    actor=user,
                    ip=client_ip(request.META),
                    summary=f"session of {user.get_username()} ended after inactivity",
                )
                logout(request)
                request.session["idle_logout"] = True
            elif last is None or now - int(last) >= self.TOUCH_EVERY:
                request.session["last_seen"] = now
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """An account whose password was set by an administrator (new account, reset)
    must choose its own before doing anything else in the browser."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(("/api/", settings.STATIC_URL or "/static/"))
        ):
            allowed = {reverse("accounts:password"), reverse("accounts:logout")}
            if request.path not in allowed:
                return redirect("accounts:password")
        return self.get_response(request)
