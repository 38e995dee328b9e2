"""The API's authentication: DRF's token and session authentication, with the
forced password change of the pages (opsqm.infra.core.middleware) applied to the API
as well: an account whose password an administrator chose (new account, reset) can
read its own account and change its password, and nothing else, until it has."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme, TokenScheme
from rest_framework import authentication, exceptions


class PasswordChangeRequired(exceptions.PermissionDenied):
    default_code = "password_change_required"


def _allowed_paths() -> set[str]:
    return {reverse("api:me"), reverse("api:me-password")}


class PasswordChangeGate:
    """Mixed into an authentication class: refuse (403) an account that must change
    its password, except on /api/v1/me/ and /api/v1/me/password/."""

    def authenticate(self, request: Any) -> Any:
        result = super().authenticate(request)  # type: ignore[misc]
        if result is not None:
            user = result[0]
            if getattr(user, "must_change_password", False) and (
                request.path not in _allowed_paths()
            ):
                raise PasswordChangeRequired(
                    _(
                        "Your password was set by an administrator: change it first "
                        "(POST /api/v1/me/password/)."
                    )
                )
        return result


class _HashedToken(authentication.TokenAuthentication):
    """DRF's `Authorization: Token <secret>` header, looked up by the secret's hash
    in OpsQM's own tokens (opsqm.infra.accounts.models.ApiToken), which expire."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        from opsqm.infra.accounts.services import user_for_token

        user = user_for_token(key)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        return (user, None)


class TokenAuthentication(PasswordChangeGate, _HashedToken):
    pass


class SessionAuthentication(PasswordChangeGate, authentication.SessionAuthentication):
    pass


class _SessionScheme(SessionScheme):
    """The OpenAPI document describes the session cookie as for DRF's own class."""

    target_class = "opsqm.edges.api.authentication.SessionAuthentication"


class _TokenScheme(TokenScheme):
    target_class = "opsqm.edges.api.authentication.TokenAuthentication"
