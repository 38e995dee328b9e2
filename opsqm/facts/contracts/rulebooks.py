"""The rulebook of a contract: the one place every app asks.

A contract is assessed under a shipped rulebook (its own, or the configured default)
with its overrides applied, plus the calendar years the assessor declared in the
database for years chinese-calendar does not cover yet (docs/attendance.md).  Those
years are kept by the attendance app, which stands above the contracts: it registers
where to read them (`register_calendar_years`, from its AppConfig.ready), so that
tickets, staff, incidents, attendance, the ledger and the evidence all import the
rulebook from here, below them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from opsqm.pure.assessment import model as m
from opsqm.pure.assessment.rulebook import (
    RULEBOOK_DIR,
    Rulebook,
    RulebookError,
    load_rulebook,
    rulebook_for,
)

CalendarYears = dict[str, dict[str, list[str]]]  # {"2027": {"holidays": [...], "workdays": [...]}}

_calendar_sources: list[Callable[[], CalendarYears]] = []


def shipped_rulebooks() -> list[str]:
    return sorted(p.stem for p in RULEBOOK_DIR.glob("*.toml"))


@lru_cache(maxsize=8)
def _load_rulebook(name: str) -> Rulebook:
    return load_rulebook(name)


def default_rulebook(name: str | None = None) -> Rulebook:
    """The shipped rulebook `name`, by default the configured one
    (settings.OPSQM_DEFAULT_RULEBOOK); loaded once per process."""
    return _load_rulebook(name or settings.OPSQM_DEFAULT_RULEBOOK)


def model_contract_stub(code: str, rulebook: str, overrides: dict[str, Any]) -> m.Contract:
    """A model contract carrying only what `rulebook_for` reads."""
    import datetime
    from decimal import Decimal

    return m.Contract(
        id=code or "?",
        title="",
        vendor="",
        amount=Decimal(0),
        final_payment=Decimal(0),
        start=datetime.date.min,
        end=datetime.date.min,
        rulebook=rulebook or None,
        parameters=dict(overrides or {}),
    )


def rulebook_problem(name: str, overrides: Any, code: str = "") -> dict[str, list[str]] | None:
    """None when `name` (blank = the default) and `overrides` give a usable rulebook,
    else the form errors keyed by field."""
    if name and name not in shipped_rulebooks():
        return {
            "rulebook": [
                _("Unknown rulebook %(name)s; shipped: %(shipped)s.")
                % {"name": name, "shipped": ", ".join(shipped_rulebooks())}
            ]
        }
    if overrides is None:
        overrides = {}
    if not isinstance(overrides, dict):
        return {"rulebook_overrides": [_("Overrides must be a JSON object.")]}
    try:
        rulebook_for(model_contract_stub(code, name, overrides), default_rulebook())
    except RulebookError as exc:
        return {"rulebook_overrides": [str(exc)]}
    return None


def register_calendar_years(source: Callable[[], CalendarYears]) -> None:
    """Where the declared calendar years are read (the attendance app registers its
    CalendarYear / CalendarDay reader).  Registering the same source twice is a no-op."""
    if source not in _calendar_sources:
        _calendar_sources.append(source)


def calendar_years() -> CalendarYears:
    """Every declared calendar year, from the registered sources."""
    years: CalendarYears = {}
    for source in _calendar_sources:
        years.update(source())
    return years


def with_calendar_years(contract: m.Contract, years: dict[str, Any] | None = None) -> m.Contract:
    """`contract` with the declared calendar years added to its rulebook parameters
    (its own `calendar.years.YYYY` entries, if any, win).  Unchanged when there are none.
    The evidence export is not touched: the contract record of the log carries no
    rulebook parameters."""
    years = calendar_years() if years is None else years
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


def contract_rulebook(contract: m.Contract) -> Rulebook:
    """The rulebook a contract is assessed under, with the declared calendar years."""
    return rulebook_for(with_calendar_years(contract), default_rulebook())
