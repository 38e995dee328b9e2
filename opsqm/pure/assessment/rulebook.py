"""Rulebooks: every number of the 办法 as typed, immutable parameters.

A rulebook is a TOML file shipped in ``opsqm/pure/assessment/rulebooks/``.  A contract
may name another shipped rulebook (``Contract.rulebook``) and override single
parameters (``Contract.parameters``), either with dotted keys::

    {"tickets.ack_window_hours": 2, "tickets.sla_hours.urgent": 6}

or with the same keys as nested tables::

    {"tickets": {"ack_window_hours": 2, "sla_hours": {"urgent": 6}}}

A key the rulebook does not have is an error naming it; the one open table is
``calendar.years`` (a year's full holiday/workday list may be added).
"""

from __future__ import annotations

import copy
import itertools
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from opsqm.pure.assessment.model import RULE_IDS, Contract, PraiseLevel

DEFAULT_RULEBOOK = "beijing-prison-2025"
RULEBOOK_DIR = Path(__file__).with_name("rulebooks")

# Tables whose keys are data, not parameters: overrides may add keys there.
_OPEN_TABLES = ("calendar.years",)


class RulebookError(ValueError):
    """A rulebook file or a contract's override is unusable; the message says why."""


@dataclass(frozen=True, slots=True)
class CalendarYear:
    """A year declared in full: Mon–Fri work except `holidays`, plus `workdays`."""

    holidays: frozenset[date]
    workdays: frozenset[date]


@dataclass(frozen=True, slots=True)
class CalendarRules:
    """The workday calendar's single-date lists and declared years."""

    extra_holidays: frozenset[date]
    extra_workdays: frozenset[date]
    years: tuple[tuple[int, CalendarYear], ...]  # sorted by year; hashable for caching


@dataclass(frozen=True, slots=True)
class PersonnelRules:
    """The staff rules' parameters (第十六条): workday, points, notice."""

    workday_start: time
    workday_end: time
    unverified_points: Decimal
    replacement_points: Decimal
    replacement_notice_days: int
    emergency_materials_hours: int
    absence_points: Decimal
    late_minor_points: Decimal
    late_gap_points: Decimal
    late_major_points: Decimal
    late_gap_from_minutes: int
    late_major_over_minutes: int
    leave_points: Decimal
    leave_notice_hours: int
    leave_emergency_hours: int
    makeup_needs_confirmation: bool  # spec §3: a 补卡 counts once the bureau confirmed it


@dataclass(frozen=True, slots=True)
class RunStep:
    """One step of T7's run of overdue tickets: its count, points and fine."""

    count: int
    points: Decimal
    fine_rate: Decimal


@dataclass(frozen=True, slots=True)
class TicketRules:
    """The ticket rules' parameters (第十七条): SLA clock and hours, points."""

    sla_clock: str
    sla_hours: Mapping[str, int]  # priority value → hours
    unsigned_points: Decimal
    record_points: Decimal
    template_points: Decimal
    forged_points: Decimal
    archive_points: Decimal
    overdue_free_below_hours: int
    overdue_points: Decimal
    overdue_day_hours: int
    overdue_daily_points: Decimal
    ack_window_hours: int
    late_ack_points: Decimal
    run_over_hours: int
    run_steps: tuple[RunStep, ...]  # ascending count; the run restarts after the last


@dataclass(frozen=True, slots=True)
class IncidentLevel:
    """An incident level's points, fine and report deadline (第十四条五)."""

    points: Decimal
    fine_rate: Decimal
    report_hours: int


@dataclass(frozen=True, slots=True)
class Tier:
    """An annual tier: from which score, and the fine rate below it."""

    name: str
    min_score: Decimal
    fine_rate: Decimal


@dataclass(frozen=True, slots=True)
class Rulebook:
    """A whole rulebook: every rule's parameters, clauses and calendar."""

    name: str
    title: str
    base_score: Decimal
    clauses: Mapping[str, str]
    calendar: CalendarRules
    personnel: PersonnelRules
    tickets: TicketRules
    incident_levels: Mapping[int, IncidentLevel]
    incident_late_report_points: Decimal
    evaluation_unsatisfied_points: Decimal
    praise_points: Mapping[str, Decimal]  # PraiseLevel value → points
    delay_period_days: int
    delay_rate_per_period: Decimal
    delay_termination_over_days: int
    tiers: tuple[Tier, ...]  # descending min_score
    source: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def tier_for(self, score: Decimal) -> Tier:
        for tier in self.tiers:
            if score >= tier.min_score:
                return tier
        return self.tiers[-1]


# --- loading ----------------------------------------------------------------


def load_rulebook(name_or_path: str | os.PathLike[str] | None = None) -> Rulebook:
    """None → the default rulebook; a bare name → a shipped file; else a path."""
    if name_or_path is None:
        name_or_path = DEFAULT_RULEBOOK
    text = os.fspath(name_or_path)
    if os.sep not in text and "/" not in text and not text.endswith(".toml"):
        path = RULEBOOK_DIR / f"{text}.toml"
        if not path.is_file():
            shipped = ", ".join(sorted(p.stem for p in RULEBOOK_DIR.glob("*.toml")))
            raise RulebookError(f"unknown rulebook {text!r} (shipped: {shipped})")
    else:
        path = Path(text)
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except OSError as exc:
        raise RulebookError(f"cannot read rulebook {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RulebookError(f"rulebook {path}: {exc}") from exc
    return _build(raw, where=str(path))


_SHIPPED: dict[str, Rulebook] = {}


def rulebook_for(contract: Contract, default: Rulebook) -> Rulebook:
    """The rulebook `contract` is assessed under: its own choice plus its overrides."""
    base = default
    if contract.rulebook and contract.rulebook != default.name:
        if contract.rulebook not in _SHIPPED:
            _SHIPPED[contract.rulebook] = load_rulebook(contract.rulebook)
        base = _SHIPPED[contract.rulebook]
    if not contract.parameters:
        return base
    raw = copy.deepcopy(dict(base.source))
    for key, value in _flatten(contract.parameters):
        _set(raw, key, value)
    return _build(raw, where=f"contract {contract.id} parameters")


def _flatten(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in params.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and not dotted.startswith(_OPEN_TABLES):
            out.extend(_flatten(value, dotted + "."))
        else:
            out.append((dotted, value))
    return out


def _set(raw: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node: Any = raw
    for i, part in enumerate(parts[:-1]):
        path = ".".join(parts[: i + 1])
        if isinstance(node, dict) and part not in node and path in _OPEN_TABLES:
            node[part] = {}
        if not isinstance(node, dict) or part not in node:
            raise RulebookError(f"unknown rulebook parameter {dotted!r}")
        node = node[part]
    leaf = parts[-1]
    open_table = ".".join(parts[:-1]).startswith(_OPEN_TABLES)
    if not isinstance(node, dict) or (leaf not in node and not open_table):
        raise RulebookError(f"unknown rulebook parameter {dotted!r}")
    node[leaf] = value


# --- typed construction -------------------------------------------------------


class _Reader:
    """Reads typed values out of the raw TOML, naming the key on error."""

    def __init__(self, raw: Mapping[str, Any], where: str) -> None:
        self.raw = raw
        self.where = where

    def get(self, dotted: str) -> Any:
        node: Any = self.raw
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise RulebookError(f"{self.where}: missing parameter {dotted!r}")
            node = node[part]
        return node

    def fail(self, dotted: str, value: Any, want: str) -> RulebookError:
        return RulebookError(f"{self.where}: parameter {dotted!r} = {value!r} is not {want}")

    def dec(self, dotted: str, value: Any = None) -> Decimal:
        value = self.get(dotted) if value is None else value
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.fail(dotted, value, "a decimal string")
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise self.fail(dotted, value, "a decimal string") from None

    def integer(self, dotted: str, value: Any = None) -> int:
        value = self.get(dotted) if value is None else value
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(dotted, value, "a non-negative integer")
        return value

    def flag(self, dotted: str) -> bool:
        value = self.get(dotted)
        if not isinstance(value, bool):
            raise self.fail(dotted, value, "true or false")
        return value

    def text(self, dotted: str) -> str:
        value = self.get(dotted)
        if not isinstance(value, str):
            raise self.fail(dotted, value, "a string")
        return value

    def clock(self, dotted: str) -> time:
        value = self.text(dotted)
        try:
            return time.fromisoformat(value)
        except ValueError:
            raise self.fail(dotted, value, "a time HH:MM") from None

    def dates(self, dotted: str, value: Any = None) -> frozenset[date]:
        value = self.get(dotted) if value is None else value
        if not isinstance(value, list):
            raise self.fail(dotted, value, "a list of dates")
        out = set()
        for item in value:
            if isinstance(item, date):
                out.add(item)
                continue
            try:
                out.add(date.fromisoformat(str(item)))
            except ValueError:
                raise self.fail(dotted, item, "a date YYYY-MM-DD") from None
        return frozenset(out)

    def table(self, dotted: str) -> Mapping[str, Any]:
        value = self.get(dotted)
        if not isinstance(value, Mapping):
            raise self.fail(dotted, value, "a table")
        return value


def _build(raw: Mapping[str, Any], where: str) -> Rulebook:
    r = _Reader(raw, where)
    # Each part in the order the checks have always run, so the first error reported
    # for a rulebook with several is the same.
    clauses = {rule: r.text(f"clauses.{rule}") for rule in RULE_IDS}
    calendar = _calendar(r)
    personnel = _personnel(r)
    tickets = _tickets(r)
    levels = _incident_levels(r)
    tiers = _tiers(r)
    period = r.integer("delays.period_days")
    if period == 0:
        raise r.fail("delays.period_days", 0, "positive")
    return Rulebook(
        name=r.text("name"),
        title=r.text("title"),
        base_score=r.dec("base_score"),
        clauses=clauses,
        calendar=calendar,
        personnel=personnel,
        tickets=tickets,
        incident_levels=levels,
        incident_late_report_points=r.dec("incidents.late_report_points"),
        evaluation_unsatisfied_points=r.dec("evaluations.unsatisfied_points"),
        praise_points={lv.value: r.dec(f"praise.{lv.value}") for lv in PraiseLevel},
        delay_period_days=period,
        delay_rate_per_period=r.dec("delays.rate_per_period"),
        delay_termination_over_days=r.integer("delays.termination_over_days"),
        tiers=tiers,
        source=raw,
    )


def _calendar(r: _Reader) -> CalendarRules:
    years = []
    for year_key, spec in r.table("calendar.years").items():
        key = f"calendar.years.{year_key}"
        try:
            year = int(year_key)
        except ValueError:
            raise r.fail(key, year_key, "a year") from None
        cy = CalendarYear(r.dates(f"{key}.holidays"), r.dates(f"{key}.workdays"))
        if any(d.year != year for d in cy.holidays | cy.workdays):
            raise r.fail(key, spec, f"a list of dates in {year}")
        years.append((year, cy))
    return CalendarRules(
        r.dates("calendar.extra_holidays"), r.dates("calendar.extra_workdays"), tuple(sorted(years))
    )


def _personnel(r: _Reader) -> PersonnelRules:
    p = "personnel"
    personnel = PersonnelRules(
        workday_start=r.clock(f"{p}.workday_start"),
        workday_end=r.clock(f"{p}.workday_end"),
        unverified_points=r.dec(f"{p}.unverified_points"),
        replacement_points=r.dec(f"{p}.replacement_points"),
        replacement_notice_days=r.integer(f"{p}.replacement_notice_days"),
        emergency_materials_hours=r.integer(f"{p}.emergency_materials_hours"),
        absence_points=r.dec(f"{p}.absence_points"),
        late_minor_points=r.dec(f"{p}.late_minor_points"),
        late_gap_points=r.dec(f"{p}.late_gap_points"),
        late_major_points=r.dec(f"{p}.late_major_points"),
        late_gap_from_minutes=r.integer(f"{p}.late_gap_from_minutes"),
        late_major_over_minutes=r.integer(f"{p}.late_major_over_minutes"),
        leave_points=r.dec(f"{p}.leave_points"),
        leave_notice_hours=r.integer(f"{p}.leave_notice_hours"),
        leave_emergency_hours=r.integer(f"{p}.leave_emergency_hours"),
        makeup_needs_confirmation=r.flag(f"{p}.makeup_needs_confirmation"),
    )
    if personnel.workday_start >= personnel.workday_end:
        raise r.fail(f"{p}.workday_end", str(personnel.workday_end), "after workday_start")
    return personnel


def _run_steps(r: _Reader, t: str) -> tuple[RunStep, ...]:
    """T7's steps: each a count of over-deadline tickets, its points and fine rate."""
    steps = []
    for i, step in enumerate(r.get(f"{t}.run.steps")):
        key = f"{t}.run.steps[{i}]"
        if not isinstance(step, Mapping):
            raise r.fail(key, step, "a table")
        steps.append(
            RunStep(
                r.integer(f"{key}.count", step.get("count")),
                r.dec(f"{key}.points", step.get("points")),
                r.dec(f"{key}.fine_rate", step.get("fine_rate")),
            )
        )
    if not steps or any(a.count >= b.count for a, b in itertools.pairwise(steps)):
        raise r.fail(f"{t}.run.steps", r.get(f"{t}.run.steps"), "steps of ascending count")
    return tuple(steps)


def _tickets(r: _Reader) -> TicketRules:
    t = "tickets"
    clock = r.text(f"{t}.sla_clock")
    if clock not in ("natural", "business"):
        raise r.fail(f"{t}.sla_clock", r.get(f"{t}.sla_clock"), '"natural" or "business"')
    steps = _run_steps(r, t)
    tickets = TicketRules(
        sla_clock=clock,
        sla_hours={k: r.integer(f"{t}.sla_hours.{k}") for k in ("urgent", "normal")},
        unsigned_points=r.dec(f"{t}.unsigned_points"),
        record_points=r.dec(f"{t}.record_points"),
        template_points=r.dec(f"{t}.template_points"),
        forged_points=r.dec(f"{t}.forged_points"),
        archive_points=r.dec(f"{t}.archive_points"),
        overdue_free_below_hours=r.integer(f"{t}.overdue_free_below_hours"),
        overdue_points=r.dec(f"{t}.overdue_points"),
        overdue_day_hours=r.integer(f"{t}.overdue_day_hours"),
        overdue_daily_points=r.dec(f"{t}.overdue_daily_points"),
        ack_window_hours=r.integer(f"{t}.ack_window_hours"),
        late_ack_points=r.dec(f"{t}.late_ack_points"),
        run_over_hours=r.integer(f"{t}.run.over_hours"),
        run_steps=steps,
    )
    if tickets.overdue_day_hours == 0:
        raise r.fail(f"{t}.overdue_day_hours", 0, "positive")
    return tickets


def _incident_levels(r: _Reader) -> dict[int, IncidentLevel]:
    levels = {}
    for level in (1, 2, 3):
        key = f"incidents.levels.{level}"
        levels[level] = IncidentLevel(
            r.dec(f"{key}.points"), r.dec(f"{key}.fine_rate"), r.integer(f"{key}.report_hours")
        )
    return levels


def _tiers(r: _Reader) -> tuple[Tier, ...]:
    tiers = []
    raw_tiers = r.get("tiers")
    if not isinstance(raw_tiers, list) or not raw_tiers:
        raise r.fail("tiers", raw_tiers, "a list of tiers")
    for i, tier in enumerate(raw_tiers):
        key = f"tiers[{i}]"
        if not isinstance(tier, Mapping) or not isinstance(tier.get("name"), str):
            raise r.fail(key, tier, "a table with a name")
        tiers.append(
            Tier(
                tier["name"],
                r.dec(f"{key}.min_score", tier.get("min_score")),
                r.dec(f"{key}.fine_rate", tier.get("fine_rate")),
            )
        )
    tiers.sort(key=lambda x: x.min_score, reverse=True)
    return tuple(tiers)
