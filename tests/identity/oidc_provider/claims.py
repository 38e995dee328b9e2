"""The claims the test provider gives: the people file (people.json in the provider's
folder) is read at every request, so that a test can change someone's groups."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


def people() -> dict[str, dict[str, Any]]:
    return json.loads((settings.DIR / "people.json").read_text(encoding="utf-8"))


class Validator(OAuth2Validator):
    oidc_claim_scope = None  # every claim, whatever scopes were asked for

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        person = people().get(request.user.username, {})
        claims = {"preferred_username": request.user.username}
        claims.update(person.get("claims", {}))
        return claims
