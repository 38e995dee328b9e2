"""Number formats of the bureau's pages, the same in every language: money as
¥530,000.00 (the zh-hans locale of Django groups by nothing), scores and points with
two decimals, points signed.  Presentation only: values are never changed."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template

from opsqm.infra.core.formats import shown_time

register = template.Library()

CENT = Decimal("0.01")
EMPTY = "—"


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return None


@register.filter
def money(value: Any) -> str:
    """530000 → ¥530,000.00; -1234.5 → -¥1,234.50; None → —."""
    d = _decimal(value)
    if d is None:
        return EMPTY if value is None or value == "" else str(value)
    sign = "-" if d < 0 else ""
    return f"{sign}¥{abs(d):,.2f}"


@register.filter
def when(value: Any) -> str:
    """{{ x|when }}: see shown_time."""
    return shown_time(value)


@register.filter
def score(value: Any) -> str:
    """86.5 → 86.50."""
    d = _decimal(value)
    if d is None:
        return EMPTY if value is None or value == "" else str(value)
    return f"{d:.2f}"


@register.filter
def points(value: Any) -> str:
    """-0.5 → -0.50, 2 → +2.00, 0 → 0.00."""
    d = _decimal(value)
    if d is None:
        return EMPTY if value is None or value == "" else str(value)
    return f"{d:+.2f}" if d else "0.00"
