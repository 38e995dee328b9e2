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
    # The request itself, when there is one: the API authenticates (token) inside
    # the view, after the middleware ran, and sets `request.user` then.
    request: Any = None

    def acting_user(self) -> Any:
        if self.request is not None:
            return getattr(self.request, "user", self.user)
        return self.user


# RequestContext is a frozen dataclass: an immutable default.
current: ContextVar[RequestContext] = ContextVar(
    "opsqm_request",
    default=RequestContext(),  # noqa: B039
)


def client_ip(meta: dict[str, Any]) -> str | None:
    # Behind the production proxy the client address arrives in X-Forwarded-For
    # (its first entry); the proxy is trusted because it is the only way in.
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return str(forwarded.split(",")[0].strip()) or None
    return meta.get("REMOTE_ADDR") or None
