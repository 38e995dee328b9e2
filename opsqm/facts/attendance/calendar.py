"""The statutory calendar as the platform knows it: chinese-calendar, plus the
years the assessor declared in the database (CalendarYear / CalendarDay) for years
the package does not cover yet (2027+).

The DB years reach the engine as rulebook overrides `calendar.years.YYYY`, merged
under the contract's own overrides (the contract wins), when the ledger is computed
(`opsqm.derived.ledger.services.contract_ledger`).  The evidence export is not touched: the
contract record of the log carries no rulebook parameters.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from opsqm.pure.assessment import model as m


def package_covers(year: int) -> bool:
    """Does chinese-calendar know `year`?"""
    import chinese_calendar

    try:
        chinese_calendar.is_workday(date(year, 6, 1))
        chinese_calendar.is_workday(date(year, 1, 1))
        chinese_calendar.is_workday(date(year, 12, 31))
    except NotImplementedError:
        return False
    return True


def db_calendar_years() -> dict[str, dict[str, list[str]]]:
    """{"2027": {"holidays": [...], "workdays": [...]}} for every DB year."""
    from opsqm.facts.attendance.models import CalendarDay, CalendarYear

    years: dict[str, dict[str, list[str]]] = {
        str(y): {"holidays": [], "workdays": []}
        for y in CalendarYear.objects.values_list("year", flat=True)
    }
    for year, day, kind in CalendarDay.objects.order_by("day").values_list(
        "year__year", "day", "kind"
    ):
        years[str(year)]["holidays" if kind == "holiday" else "workdays"].append(day.isoformat())
    return years


def with_db_calendar(contract: m.Contract, years: dict[str, Any] | None = None) -> m.Contract:
    """`contract` with the DB calendar years added to its rulebook parameters (its own
    `calendar.years.YYYY` entries, if any, win).  Unchanged when the DB has none."""
    years = db_calendar_years() if years is None else years
    if not years:
        return contract
    params = dict(contract.parameters or {})
    own = params.get("calendar", {})
    own_years = own.get("years", {}) if isinstance(own, dict) else {}
    dotted = {k[len("calendar.years.") :] for k in params if k.startswith("calendar.years.")}
    added = {y: spec for y, spec in years.items() if y not in own_years and y not in dotted}
    if not added:
        return contract
    # Dotted keys: they add single years to the open table `calendar.years`
    # without replacing the contract's own entries, whatever their order.
    params.update({f"calendar.years.{y}": spec for y, spec in added.items()})
    return dataclasses.replace(contract, parameters=params)
