"""Password complexity beyond Django's built-ins (等保 2.0: 口令复杂度)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from opsqm.infra.accounts.models import User


class CharacterClassValidator:
    """At least three of: lower case, upper case, digits, other characters."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: User | None = None) -> None:
        classes = sum(
            (
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            )
        )
        if classes < self.min_classes:
            raise ValidationError(
                _(
                    "The password must contain at least %(n)d of: lower-case letters, "
                    "upper-case letters, digits, symbols."
                )
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password must contain at least %(n)d of: lower-case letters, "
            "upper-case letters, digits, symbols."
        ) % {"n": self.min_classes}


class UsernameInPasswordValidator:
    """The password may not contain the username, forwards or backwards, in any case
    (等保 2.0 口令复杂度: Django's similarity check lets "Zhangwei#2026" through)."""

    min_length = 3  # a one- or two-letter username would forbid half the alphabet

    def validate(self, password: str, user: User | None = None) -> None:
        username = str(getattr(user, "username", "") or "").casefold()
        if len(username) < self.min_length:
            return
        folded = password.casefold()
        if username in folded or username[::-1] in folded:
            raise ValidationError(
                _("The password may not contain the username, forwards or backwards."),
                code="password_contains_username",
            )

    def get_help_text(self) -> str:
        return _("Your password may not contain your username, forwards or backwards.")
