"""The data behind the dashboards, from the one engine.

Engine runs are cached per (contract, as_of, evidence fingerprint): the fingerprint is
the SHA-256 of the contract's evidence export (what `opsqm export` writes), so any
change of evidence — through a page, the API or an import — gives a new key, and an
unchanged contract is never assessed twice for the same instant.  The cache is
Django's default cache (per process unless CACHES says otherwise).
"""

from __future__ import annotations

import datetime
import hashlib
import io
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from opsqm.derived.evidence.adapter import contract_evidence
from opsqm.facts.contracts.models import Contract
from opsqm.facts.contracts.rulebooks import default_rulebook
from opsqm.pure.assessment.engine import assess
from opsqm.pure.assessment.evidence_log import write_evidence_log
from opsqm.pure.assessment.model import TZ, ContractEvidence, Ledger
from opsqm.pure.assessment.rulebook import Rulebook, rulebook_for
from opsqm.pure.assessment.rules.sla import ticket_deadline
from opsqm.pure.assessment.workcalendar import calendar_for

CACHE_SECONDS = 24 * 3600
ATTENDANCE_RULES = ("P3", "P4", "P5")


@dataclass
class ContractData:
    """One contract's evidence, fingerprint and rulebook, read once per request."""

    contract: Contract
    evidence: ContractEvidence
    fingerprint: str
    rulebook: Rulebook
    runs: int = 0  # engine runs this request (not served by the cache)
    ledgers: dict[str, Ledger] = field(default_factory=dict)

    def ledger(self, as_of: datetime.datetime) -> Ledger:
        as_of = as_of.astimezone(TZ)
        key = f"opsqm:ledger:{self.contract.code}:{as_of.isoformat()}:{self.fingerprint}"
        if key in self.ledgers:
            return self.ledgers[key]
        found = cache.get(key)
        if found is None:
            found = assess(self.evidence, as_of, self.rulebook)
            self.runs += 1
            cache.set(key, found, CACHE_SECONDS)
        self.ledgers[key] = found
        return found


def fingerprint(evidence: ContractEvidence) -> str:
    out = io.BytesIO()
    write_evidence_log([evidence], out)
    return hashlib.sha256(out.getvalue()).hexdigest()


def load(contract: Contract) -> ContractData:
    ev = contract_evidence(contract)
    rb = rulebook_for(ev.contract, default_rulebook(settings.OPSQM_DEFAULT_RULEBOOK))
    return ContractData(contract, ev, fingerprint(ev), rb)


def month_ends(contract: Contract, now: datetime.datetime) -> list[datetime.datetime]:
    """Midnight after the last day of each month of the service period that is over
    at `now`, the last one being the period end itself."""
    end = datetime.datetime.combine(contract.end + datetime.timedelta(days=1), datetime.time(0), TZ)
    out = []
    y, m = contract.start.year, contract.start.month
    while True:
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        at = datetime.datetime(y, m, 1, tzinfo=TZ)
        if at >= end:
            if end <= now:
                out.append(end)
            break
        if at > now:
            break
        out.append(at)
    return out


def month_label(at: datetime.datetime) -> str:
    """The month an instant closes: 2026-02-01 00:00 → "2026-01"."""
    last = (at - datetime.timedelta(seconds=1)).astimezone(TZ)
    return f"{last.year}-{last.month:02d}"


def score_series(data: list[ContractData], now: datetime.datetime) -> tuple[list[str], list[Any]]:
    """Month labels and, per contract, its score at each month end (None outside)."""
    by_contract = {}
    labels: set[str] = set()
    for d in data:
        points = {}
        for at in month_ends(d.contract, now):
            try:
                points[month_label(at)] = d.ledger(at).score
            except ValueError:  # a calendar gap: no point
                continue
        by_contract[d.contract.code] = points
        labels.update(points)
    ordered = sorted(labels)
    series = [(code, [pts.get(lb) for lb in ordered]) for code, pts in by_contract.items()]
    return ordered, series


def deductions_by_rule(ledgers: list[Ledger]) -> list[tuple[str, Decimal, int]]:
    """(rule, points lost, items) over the ledgers, deductions only, rule order."""
    from opsqm.pure.assessment.model import RULE_IDS

    points: Counter[str] = Counter()
    items: Counter[str] = Counter()
    for ledger in ledgers:
        for i in ledger.items:
            if i.points < 0:
                points[i.rule] += -i.points  # type: ignore[assignment]
                items[i.rule] += 1
    return [(r, Decimal(points[r]), items[r]) for r in RULE_IDS if items[r]]


def sla_by_month(data: list[ContractData], now: datetime.datetime) -> list[tuple[str, int, int]]:
    """(month, resolved tickets, of them within the deadline) by month of resolution.
    Deadline as the engine reads it (`ticket_deadline`: `extended_to`, else dispatch +
    the rulebook's hours for the priority on the contract's clock)."""
    resolved: Counter[str] = Counter()
    within: Counter[str] = Counter()
    for d in data:
        book = d.rulebook
        cal = calendar_for(book.calendar)
        for t in d.evidence.tickets:
            if t.resolved_at is None or t.resolved_at > now:
                continue
            deadline = ticket_deadline(t.dispatched_at, t.priority, t.extended_to, book, cal)
            at = t.resolved_at.astimezone(TZ)
            month = f"{at.year}-{at.month:02d}"
            resolved[month] += 1
            if t.resolved_at <= deadline:
                within[month] += 1
    return [(m, resolved[m], within[m]) for m in sorted(resolved)]


def incidents_by_level(contracts: list[Contract]) -> list[tuple[str, list[int]]]:
    """Per contract: [level 1, level 2, level 3, pending determination] counts."""
    from opsqm.facts.incidents.models import Incident

    out = []
    counts: dict[int, list[int]] = {c.pk: [0, 0, 0, 0] for c in contracts}
    for cid, level in Incident.objects.filter(contract__in=contracts).values_list(
        "contract_id", "level"
    ):
        counts[cid][(level or 4) - 1] += 1
    for c in contracts:
        out.append((c.code, counts[c.pk]))
    return out


def attendance(
    data: list[ContractData], now: datetime.datetime
) -> list[tuple[str, dict[str, tuple[int, Decimal]]]]:
    """Per contract: P3/P4/P5 → (occurrences, points) as of now (period end at most)."""
    out = []
    for d in data:
        as_of = min(now, d.evidence.contract.period_end)
        try:
            ledger = d.ledger(as_of)
        except ValueError:
            continue
        row = {}
        for rule in ATTENDANCE_RULES:
            its = [i for i in ledger.items if i.rule == rule]
            row[rule] = (len(its), sum((i.points for i in its), Decimal(0)))
        out.append((d.contract.code, row))
    return out


def current_ledgers(data: list[ContractData], now: datetime.datetime) -> list[Ledger]:
    out = []
    for d in data:
        try:
            out.append(d.ledger(min(now, d.evidence.contract.period_end)))
        except ValueError:
            continue
    return out


def now() -> datetime.datetime:
    """The dashboards' "now": this instant (their figures come from the kept ledgers,
    which hold until their evidence or time changes them)."""
    return timezone.now().astimezone(TZ)


# --- from the kept ledgers' figures (opsqm.derived.ledger.kept) ------------------------

Summaries = list[tuple[Contract, dict[str, Any]]]


def kept_score_series(summaries: Summaries) -> tuple[list[str], list[Any]]:
    """`score_series` from kept figures: each contract's score at its month ends."""
    labels: set[str] = set()
    by_contract = []
    for c, s in summaries:
        points = {m: Decimal(v) for m, v in s["months"].items() if v is not None}
        labels.update(points)
        by_contract.append((c.code, points))
    ordered = sorted(labels)
    return ordered, [(code, [pts.get(lb) for lb in ordered]) for code, pts in by_contract]


def kept_deductions(summaries: Summaries) -> list[tuple[str, Decimal, int]]:
    """`deductions_by_rule` from kept figures (at min(now, period end))."""
    from opsqm.pure.assessment.model import RULE_IDS

    points: dict[str, Decimal] = {}
    items: Counter[str] = Counter()
    for _c, s in summaries:
        for rule, (_n, _p, lost_items, lost) in s["current"].items():
            if lost_items:
                points[rule] = points.get(rule, Decimal(0)) + Decimal(lost)
                items[rule] += lost_items
    return [(r, points[r], items[r]) for r in RULE_IDS if items[r]]


def kept_sla(summaries: Summaries) -> list[tuple[str, int, int]]:
    """`sla_by_month` from kept figures."""
    resolved: Counter[str] = Counter()
    within: Counter[str] = Counter()
    for _c, s in summaries:
        for month, (n, w) in s["sla"].items():
            resolved[month] += n
            within[month] += w
    return [(m, resolved[m], within[m]) for m in sorted(resolved)]


def kept_attendance(summaries: Summaries) -> list[tuple[str, dict[str, tuple[int, Decimal]]]]:
    """`attendance` from kept figures."""
    out = []
    for c, s in summaries:
        row = {}
        for rule in ATTENDANCE_RULES:
            n, pts, _k, _l = s["current"].get(rule, [0, "0.00", 0, "0.00"])
            row[rule] = (n, Decimal(pts))
        out.append((c.code, row))
    return out
