"""How times read on every page and export: 2026-10-25 00:00 on the bureau's clock
(Asia/Shanghai), never ISO with T and an offset."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

EMPTY = "—"


def shown_time(value: Any) -> str:
    """A datetime (or its ISO text, as kept in JSON) as 2026-10-25 00:00 on the bureau's
    clock; a date as 2026-10-25; never ISO with T and an offset."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, str):
        try:
            value = (
                datetime.datetime.fromisoformat(value)
                if "T" in value or " " in value
                else datetime.date.fromisoformat(value)
            )
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    return str(value)
