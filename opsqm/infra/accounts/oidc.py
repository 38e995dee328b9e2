"""Single sign-on through the bureau's identity platform (统一身份认证) over OpenID
Connect, on mozilla-django-oidc: the authorization-code flow with PKCE and a
nonce, the ID token's signature checked against the platform's published keys.

The claims of the userinfo answer become an identity.Profile: the same rules as
the directory's (one role from the groups claim, unit/vendor, creation at the first
sign-in, refusal with a notice to the security administrator).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from opsqm.infra.accounts import identity
from opsqm.infra.accounts.models import Source


def _text(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name) if name else None
    return str(value).strip() if isinstance(value, str | int) else ""


def _groups(claims: dict[str, Any], name: str) -> frozenset[str]:
    value = claims.get(name)
    if isinstance(value, str):  # some platforms send one group as a plain string
        value = [value]
    if not isinstance(value, list):
        return frozenset()
    return frozenset(str(g) for g in value if isinstance(g, str | int))


def profile_of(claims: dict[str, Any]) -> identity.Profile:
    names = settings.OPSQM_OIDC["claims"]
    return identity.Profile(
        source=Source.OIDC,
        username=_text(claims, names["username"]).lower(),
        external_id=_text(claims, "sub"),
        groups=_groups(claims, names["groups"]),
        full_name=_text(claims, names["full_name"]),
        phone=_text(claims, names["phone"]),
        email=_text(claims, names["email"]),
        unit=_text(claims, names["unit"]),
        vendor=_text(claims, names["vendor"]),
    )


class SingleSignOnBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims: dict[str, Any]) -> bool:
        profile = profile_of(claims)
        return bool(profile.username and profile.external_id)

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        claims = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(claims, dict) or not self.verify_claims(claims):
            messages.error(self.request, identity.gettext_missing_identity())
            return None
        # The userinfo answer must be about the person the ID token names.
        if claims.get("sub") != payload.get("sub"):
            return None
        try:
            return identity.sign_in(profile_of(claims), settings.OPSQM_OIDC["role_groups"])
        except identity.Refused as exc:
            messages.error(self.request, exc.message)
            return None

    def get_user(self, user_id: int) -> Any:
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


def _when_enabled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The single sign-on pages exist only where OPSQM_OIDC_CLIENT_ID is set."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(settings, "OPSQM_OIDC_ENABLED", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


start = _when_enabled(OIDCAuthenticationRequestView.as_view())
callback = _when_enabled(OIDCAuthenticationCallbackView.as_view())
