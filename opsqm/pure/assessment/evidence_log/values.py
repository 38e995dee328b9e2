"""The value converters of the evidence log: each takes a raw JSON value and returns
the model value, or raises `_Bad` with a plain-words reason naming the expected value."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

import orjson

from opsqm.pure.assessment.model import TZ, TicketRecord

_EXPECTED: dict[Callable[[Any], Any], str] = {}  # converter -> expected value, in words


class _Bad(Exception):
    def __init__(self, reason: str, field: str | None = None) -> None:
        self.reason = reason
        self.field = field


def _show(v: Any) -> str:
    text = orjson.dumps(v).decode() if not isinstance(v, float) else repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


def _type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true/false"
    return {int: "a number", float: "a number", str: "a string", list: "an array"}.get(
        type(v), "an object"
    )


def _id(v: Any) -> str:
    if type(v) is not str:
        raise _Bad(f"wrong type: {_type_name(v)}; expected a non-empty string")
    if not v.strip():
        raise _Bad("empty; expected a non-empty string")
    return v


def _text(v: Any) -> str:
    if type(v) is not str:
        raise _Bad(f"wrong type: {_type_name(v)}; expected a string")
    return v


def _bool(v: Any) -> bool:
    if v is True or v is False:
        return v
    raise _Bad(f"wrong type: {_type_name(v)} {_show(v)}; expected true or false")


_DATES: dict[str, date] = {}


def _date(v: Any) -> date:
    d = _DATES.get(v) if type(v) is str else None
    if d is not None:
        return d
    if type(v) is not str:
        raise _Bad(f"wrong type: {_type_name(v)}; expected a date string YYYY-MM-DD")
    # date.fromisoformat also takes "20251025" and week dates; v1 wants one spelling.
    if len(v) != 10 or v[4] != "-" or v[7] != "-":
        raise _Bad(f"malformed date {_show(v)}; expected YYYY-MM-DD, e.g. 2025-10-25")
    try:
        d = date.fromisoformat(v)
    except ValueError:
        raise _Bad(f"malformed date {_show(v)}; expected YYYY-MM-DD, e.g. 2025-10-25") from None
    _DATES[v] = d
    return d


# Timestamp fast path: "YYYY-MM-DDTHH:MM:SS+08:00" whose date was seen in a fully
# validated timestamp is the naive fromisoformat of its first 19 characters in TZ
# (about twice as cheap as fromisoformat + astimezone).  Dates are cached only from
# 1992 on (Shanghai had summer time until 1991, so +08:00 was not always
# Asia/Shanghai).  With the date known, the offset "+08:00" and the "T" and ":"
# in place, what is left for fromisoformat is HH:MM:SS (no basic or fractional
# forms slip through).
_TS_DATES: dict[str, date] = {}
_naive = datetime.fromisoformat
_time_iso = time.fromisoformat


def _ts(v: Any) -> datetime:
    if (
        type(v) is str
        and v[19:] == "+08:00"
        and v[10] == "T"
        and v[13] == ":" == v[16]
        and v[:10] in _TS_DATES
    ):
        try:
            return _naive(v[:19]).replace(tzinfo=TZ)
        except ValueError:
            pass  # let the slow path word the error
    return _ts_slow(v)


_TS_EXAMPLE = "e.g. 2025-10-27T08:52:00+08:00"


def _canonical(v: str, dt: datetime) -> bool:
    """Is `v` exactly dt.isoformat() (the text the writer produces)?"""
    return len(v) == 25 and v[19:] == "+08:00" and v[10] == "T" and dt.year >= 1992


def _ts_slow(v: Any) -> datetime:
    if type(v) is not str:
        raise _Bad(f"wrong type: {_type_name(v)}; expected an ISO timestamp string, {_TS_EXAMPLE}")
    try:
        dt = datetime.fromisoformat(v)
    except ValueError:
        raise _Bad(f"malformed timestamp {_show(v)}; expected ISO 8601, {_TS_EXAMPLE}") from None
    if len(v) < 16 or v[10] not in "T ":
        raise _Bad(f"malformed timestamp {_show(v)}; expected date and time, {_TS_EXAMPLE}")
    if dt.tzinfo is None:
        raise _Bad(f"naive timestamp {_show(v)} (no UTC offset); expected {_TS_EXAMPLE}")
    dt = dt.astimezone(TZ)
    if _canonical(v, dt):
        _TS_DATES[v[:10]] = dt.date()
    return dt


_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _dec(v: Any) -> Decimal:
    if type(v) is not str:
        raise _Bad(
            f"wrong type: {_type_name(v)} {_show(v)}; expected a string of a decimal, "
            'e.g. "530000.00"'
        )
    if not _DECIMAL.fullmatch(v):
        raise _Bad(
            f'malformed decimal {_show(v)}; expected a string of a decimal, e.g. "530000.00"'
        )
    return Decimal(v)


def _enum(cls: type[Enum]) -> Callable[[Any], Any]:
    members = {m.value: m for m in cls}
    allowed = ", ".join(members)

    def convert(v: Any) -> Any:
        m = members.get(v) if type(v) is str else None
        if m is None:
            if type(v) is not str:
                raise _Bad(f"wrong type: {_type_name(v)}; expected one of {allowed}")
            raise _Bad(f"unknown value {_show(v)}; expected one of {allowed}")
        return m

    _EXPECTED[convert] = "one of " + allowed
    return convert


def _level(v: Any) -> int:
    if type(v) is not int:  # bool is an int subclass: `type` keeps true/false out
        raise _Bad(f"wrong type: {_type_name(v)} {_show(v)}; expected the integer 1, 2 or 3")
    if v not in (1, 2, 3):
        raise _Bad(f"incident level {v} out of range; expected 1, 2 or 3")
    return v


_QUARTER = re.compile(r"[0-9]{4}Q[1-4]")


def _quarter(v: Any) -> str:
    if type(v) is not str:
        raise _Bad(f"wrong type: {_type_name(v)}; expected a quarter string like 2026Q1")
    if not _QUARTER.fullmatch(v):
        raise _Bad(f"malformed quarter {_show(v)}; expected YYYYQn with n 1-4, e.g. 2026Q1")
    return v


def _object(v: Any) -> dict[str, Any]:
    if type(v) is not dict:
        raise _Bad(f"wrong type: {_type_name(v)}; expected a JSON object")
    return v


def _record(v: Any) -> TicketRecord:
    if type(v) is not dict:
        raise _Bad(
            f"wrong type: {_type_name(v)}; expected an object "
            '{"analysis":true|false,"steps":true|false,"verification":true|false}'
        )
    parts = []
    for key in ("analysis", "steps", "verification"):
        x = v.get(key, True)
        if x is not True and x is not False:
            raise _Bad(f"wrong type: {_type_name(x)}; expected true or false", f"record.{key}")
        parts.append(x)
    return TicketRecord(*parts)


_EXPECTED |= {
    _id: "a non-empty string",
    _text: "a string",
    _bool: "true or false",
    _date: "a date YYYY-MM-DD",
    _ts: "a timestamp with offset, " + _TS_EXAMPLE,
    _dec: 'a string of a decimal, e.g. "530000.00"',
    _level: "1, 2 or 3",
    _quarter: "a quarter like 2026Q1",
    _object: "a JSON object",
    _record: "an object of analysis/steps/verification true|false",
}


def _expect(convert: Callable[[Any], Any]) -> str:
    return "expected " + _EXPECTED.get(convert, "a value")
