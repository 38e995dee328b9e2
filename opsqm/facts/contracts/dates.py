"""The sense check of every date and time a person types (issue 12): nothing before
the contract's service period starts, nothing absurdly far after it ends (more than
a year), and events in their order (restored after it occurred, reported after the
event).  Services call it, so the pages and the API give the same error, keyed by
the field and naming it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

# Further than this after the contract's end is a typing mistake, not a late record.
AFTER_END = datetime.timedelta(days=366)

Value = datetime.date | datetime.datetime | None


def _day(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def _shown(value: datetime.date | datetime.datetime) -> str:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    return formats.date_format(value, "Y-m-d")


def date_errors(
    contract: Any,
    values: Mapping[str, Value],
    *,
    labels: Mapping[str, str] | None = None,
    order: Iterable[tuple[str, str]] = (),
    check_start: bool = True,
) -> dict[str, str]:
    """The problems of `values` (field name → date or datetime; None is skipped),
    keyed by field.  `order`: pairs (earlier, later) of field names that must not be
    reversed.  `labels`: the fields' names as the person sees them.  Without
    `check_start`, a day before the service period is no problem."""
    names = dict(labels or {})
    errors: dict[str, str] = {}
    start, end = getattr(contract, "start", None), getattr(contract, "end", None)
    if not check_start:
        start = None
    for field, value in values.items():
        if value is None or isinstance(value, str):
            continue
        label = str(names.get(field, field))
        day = _day(value)
        if start is not None and day < start:
            errors[field] = _(
                "%(field)s (%(value)s) is before the contract's service period starts (%(start)s)."
            ) % {"field": label, "value": _shown(value), "start": _shown(start)}
        elif end is not None and day > end + AFTER_END:
            errors[field] = _(
                "%(field)s (%(value)s) is more than a year after the contract's end (%(end)s)."
            ) % {"field": label, "value": _shown(value), "end": _shown(end)}
    for earlier, later in order:
        a, b = values.get(earlier), values.get(later)
        if a is None or b is None or later in errors or isinstance(a, str) or isinstance(b, str):
            continue
        if b < a:
            errors[later] = _("%(later)s (%(b)s) is before %(earlier)s (%(a)s).") % {
                "later": str(names.get(later, later)),
                "b": _shown(b),
                "earlier": str(names.get(earlier, earlier)),
                "a": _shown(a),
            }
    return errors


def check_dates(
    contract: Any,
    values: Mapping[str, Value],
    *,
    labels: Mapping[str, str] | None = None,
    order: Iterable[tuple[str, str]] = (),
    check_start: bool = True,
) -> None:
    """Raise a ValidationError keyed by field for `date_errors`."""
    errors = date_errors(contract, values, labels=labels, order=order, check_start=check_start)
    if errors:
        raise ValidationError(errors)


def check_model_dates(
    obj: Any, contract: Any, fields: Iterable[str], order: Iterable[tuple[str, str]] = ()
) -> None:
    """`check_dates` for a model instance's own fields, labelled by their verbose names
    (for a model's clean(), which the services' full_clean runs)."""
    fields = list(fields)
    meta = obj._meta
    check_dates(
        contract,
        {f: getattr(obj, f) for f in fields},
        labels={f: str(meta.get_field(f).verbose_name) for f in fields},
        order=order,
    )


def check_staff_dates(obj: Any, contract: Any) -> None:
    """A staff member's days: left on or after the first day on site, neither absurdly
    after the contract's end.  The first day may precede the contract's start: people
    carried over from the previous contract keep theirs."""
    meta = obj._meta
    fields = ("entered_on", "left_on")
    check_dates(
        contract,
        {f: getattr(obj, f) for f in fields},
        labels={f: str(meta.get_field(f).verbose_name) for f in fields},
        order=(("entered_on", "left_on"),),
        check_start=False,
    )


def in_future(value: Value | str) -> bool:
    """After this instant (a time) or after today in Beijing (a day)."""
    if value is None or isinstance(value, str):
        return False
    if isinstance(value, datetime.datetime):
        return value > timezone.now()
    return value > timezone.localdate()


def check_not_in_future(values: Mapping[str, Value]) -> None:
    """Raise a ValidationError on the first of `values` (field → day or time) that is
    in the future: what was done, received or decided has happened."""
    for field, value in values.items():
        if in_future(value):
            raise ValidationError({field: _("This day is in the future.")})


def check_not_future(obj: Any, field: str) -> None:
    """A record of something done (a check, a verification) cannot be dated after today."""
    value = getattr(obj, field)
    if in_future(value):
        label = str(obj._meta.get_field(field).verbose_name)
        raise ValidationError(
            {
                field: _("%(field)s (%(value)s) is in the future.")
                % {"field": label, "value": _shown(value)}
            }
        )


# A document of the contract (an agreement, a staff member's pledge) may be signed
# before the service period starts, but not by more than this.
SIGNED_BEFORE_START = datetime.timedelta(days=366)


def signing_errors(
    contract: Any, field: str, label: str, day: datetime.date | None
) -> dict[str, str]:
    """The problems of a signing day: not in the future, not more than a year before
    the service period starts, not after it ends."""
    if day is None or isinstance(day, str):
        return {}
    shown = {"field": label, "value": _shown(day)}
    if in_future(day):
        return {field: _("%(field)s (%(value)s) is in the future.") % shown}
    start, end = getattr(contract, "start", None), getattr(contract, "end", None)
    if start is not None and day < start - SIGNED_BEFORE_START:
        return {
            field: _(
                "%(field)s (%(value)s) is more than a year before the service period starts "
                "(%(start)s)."
            )
            % {**shown, "start": _shown(start)}
        }
    if end is not None and day > end:
        return {
            field: _("%(field)s (%(value)s) is after the service period ends (%(end)s).")
            % {**shown, "end": _shown(end)}
        }
    return {}
