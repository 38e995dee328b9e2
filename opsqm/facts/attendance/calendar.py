"""The statutory calendar as the platform knows it: chinese-calendar, plus the
years the assessor declared in the database (CalendarYear / CalendarDay) for years
the package does not cover yet (2027+).

The DB years reach the engine as rulebook overrides `calendar.years.YYYY`, merged
under the contract's own overrides (the contract wins), whenever a contract's rulebook
is built (`opsqm.facts.contracts.rulebooks.contract_rulebook`, which reads them through
`db_calendar_years`, registered by this app's AppConfig.ready).
"""

from __future__ import annotations

from datetime import date


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
