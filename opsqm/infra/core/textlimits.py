"""Text limits (issue 12): every text a person types has a sensible maximum, the same
in the form (the field's max_length: maxlength on the textarea), in the services (so
the API gives the same error, naming the field) and in the database (a CHECK
constraint, so nothing else writes more)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext as _

TITLE = 200  # a title, a subject line
NOTE = 2000  # a reason, a note, an outcome, a comment
TEXT = 8000  # a description, an analysis, the steps taken


def limited_text(verbose_name: Any, max_length: int, **kwargs: Any) -> models.TextField[Any, Any]:
    """A TextField of at most `max_length` characters: the form's maxlength and the
    model's validation (full_clean) both know it; add `limit_constraints` for the
    database."""
    return models.TextField(
        verbose_name, max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs
    )


def limit_constraints(prefix: str, limits: Mapping[str, int]) -> list[models.CheckConstraint]:
    """CHECK (char_length(field) <= n) for each field of `limits`."""
    return [
        models.CheckConstraint(
            condition=LessThanOrEqual(Length(field), n), name=f"{prefix}_{field}_max_len"
        )
        for field, n in limits.items()
    ]


def length_errors(model: Any, values: Mapping[str, Any]) -> dict[str, str]:
    """The values longer than their model field's max_length, keyed by field."""
    errors = {}
    for field, value in values.items():
        f = model._meta.get_field(field)
        limit = getattr(f, "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            errors[field] = _("%(field)s is too long: %(n)d characters, at most %(max)d.") % {
                "field": str(f.verbose_name),
                "n": len(value),
                "max": limit,
            }
    return errors


def check_lengths(
    model: Any, values: Mapping[str, Any], keys: Mapping[str, str] | None = None
) -> None:
    """Raise a ValidationError for `length_errors`, keyed by field (or by `keys[field]`,
    the name the form or the API uses for it)."""
    errors = length_errors(model, values)
    if errors:
        raise ValidationError({(keys or {}).get(k, k): v for k, v in errors.items()})
