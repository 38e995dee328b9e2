"""Kept ledgers: the engine's answer for a contract, stored and reused while it holds.

A `KeptLedger` row holds the ledger (spec §4 JSON), the figures the bureau's pages
read (`summary`), the contract's evidence version it was computed from and the
instants until which it holds without new evidence (`opsqm.pure.assessment.horizon`).
It is current at an instant t when the evidence version is unchanged, the default
rulebook is the same and as_of ≤ t < until (`summary_until` for the figures).
A reader finding it current shows it restamped to t — exactly what the engine gives
at t; otherwise it computes and keeps it.  The worker (`ledger.keep`) recomputes the
stale ones so that pages seldom have to.  The version is read before the evidence:
a change committed in between leaves the row stale, never wrong.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from opsqm.derived.evidence.adapter import contract_evidence
from opsqm.derived.ledger.models import KeptLedger
from opsqm.facts.contracts.evidence_version import evidence_versions
from opsqm.facts.contracts.models import Contract
from opsqm.facts.contracts.rulebooks import contract_rulebook
from opsqm.pure.assessment.engine import assess
from opsqm.pure.assessment.horizon import valid_until
from opsqm.pure.assessment.ledger_json import dec, ledger_from_dict, ledger_to_dict
from opsqm.pure.assessment.model import TZ, ContractEvidence, Ledger
from opsqm.pure.assessment.rulebook import Rulebook


def month_ends(start: datetime.date, end: datetime.date, now: datetime.datetime) -> list[Any]:
    """Midnight after the last day of each month of the period [start, end] that is
    over at `now`, the last one being the period end itself."""
    stop = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(0), TZ)
    out = []
    y, m = start.year, start.month
    while True:
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        at = datetime.datetime(y, m, 1, tzinfo=TZ)
        if at >= stop:
            if stop <= now:
                out.append(stop)
            break
        if at > now:
            break
        out.append(at)
    return out


def month_label(at: datetime.datetime) -> str:
    """The month an instant closes: 2026-02-01 00:00 → "2026-01"."""
    last = (at - datetime.timedelta(seconds=1)).astimezone(TZ)
    return f"{last.year}-{last.month:02d}"


def sla_months(
    evidence: ContractEvidence, rulebook: Rulebook, now: datetime.datetime
) -> dict[str, list[int]]:
    """Month of resolution → [resolved tickets, of them within the deadline], the
    deadline as the engine reads it (`extended_to`, else dispatch + the priority's hours)."""
    hours = rulebook.tickets.sla_hours
    resolved: Counter[str] = Counter()
    within: Counter[str] = Counter()
    for t in evidence.tickets:
        if t.resolved_at is None or t.resolved_at > now:
            continue
        deadline = t.extended_to or t.dispatched_at + datetime.timedelta(
            hours=hours[t.priority.value]
        )
        at = t.resolved_at.astimezone(TZ)
        month = f"{at.year}-{at.month:02d}"
        resolved[month] += 1
        if t.resolved_at <= deadline:
            within[month] += 1
    return {m: [resolved[m], within[m]] for m in sorted(resolved)}


def rule_figures(ledger: Ledger) -> dict[str, list[Any]]:
    """Rule → [items, points, deductions, points lost] (decimals as strings)."""
    out: dict[str, list[Any]] = {}
    for i in ledger.items:
        row = out.setdefault(i.rule, [0, Decimal(0), 0, Decimal(0)])
        row[0] += 1
        row[1] += i.points
        if i.points < 0:
            row[2] += 1
            row[3] -= i.points
    return {r: [n, dec(p), k, dec(lost)] for r, (n, p, k, lost) in out.items()}


@dataclasses.dataclass(frozen=True)
class Figures:
    """A ledger's headline as the bureau's list shows it (the fields of `Ledger` it reads)."""

    score: Decimal
    tier: str
    final: bool
    fines: dict[str, Decimal]
    flags: dict[str, bool]


def figures(summary: dict[str, Any]) -> Figures:
    head = summary["head"]
    return Figures(
        score=Decimal(head["score"]),
        tier=head["tier"],
        final=head["final"],
        fines={"total": Decimal(head["fines_total"])},
        flags={"termination_right": head["termination"]},
    )


def _earliest(*instants: datetime.datetime | None) -> datetime.datetime | None:
    known = [i for i in instants if i is not None]
    return min(known) if known else None


def _months(
    contract: Contract, ev: ContractEvidence, rb: Rulebook, at: datetime.datetime, old: Any
) -> dict[str, str | None]:
    """Score at each month end over by `at`; past month ends depend on the evidence
    only, so those of a row with the same version are taken over."""
    known = dict(old or {})
    out: dict[str, str | None] = {}
    for end in month_ends(contract.start, contract.end, at):
        label = month_label(end)
        if label not in known:
            try:
                known[label] = dec(assess(ev, end, rb).score)
            except ValueError:  # a calendar gap: no point
                known[label] = None
        out[label] = known[label]
    return out


def _summary(
    contract: Contract,
    ev: ContractEvidence,
    rb: Rulebook,
    ledger: Ledger,
    old_months: Any,
) -> tuple[dict[str, Any], datetime.datetime | None]:
    """The figures and the next month end (a new point of the score series)."""
    at = ledger.as_of
    period_end = ev.contract.period_end
    current = ledger if at <= period_end else assess(ev, period_end, rb)
    summary = {
        "head": {
            "score": dec(ledger.score),
            "tier": ledger.tier,
            "final": ledger.final,
            "fines_total": dec(ledger.fines["total"]),
            "termination": bool(ledger.flags.get("termination_right")),
        },
        "rulebook": ledger.rulebook,
        "current": rule_figures(current),  # at min(as_of, period end): the dashboards
        "months": _months(contract, ev, rb, at, old_months),
        "sla": sla_months(ev, rb, at),
    }
    passed = month_ends(contract.start, contract.end, period_end)
    upcoming = [e for e in passed if e > at]
    return summary, (upcoming[0] if upcoming else None)


def compute(contract: Contract, at: datetime.datetime, *, keep: bool = True) -> KeptLedger:
    """The engine's answer for `contract` at `at`, kept (saved) unless `keep` is false."""
    at = at.astimezone(TZ)
    version = evidence_versions([contract.pk])[contract.pk]  # before the evidence
    old = KeptLedger.objects.filter(contract=contract, evidence_version=version).first()
    row = KeptLedger(
        contract=contract,
        evidence_version=version,
        rulebook=settings.OPSQM_DEFAULT_RULEBOOK,
        as_of=at,
    )
    try:
        ev = contract_evidence(contract)
        rb = contract_rulebook(ev.contract)
        ledger = assess(ev, at, rb)
        old_months = old.summary.get("months") if old and old.summary else None
        row.summary, next_month = _summary(contract, ev, rb, ledger, old_months)
        row.ledger = ledger_to_dict(ledger)
        row.until = valid_until(ev, at, rb)
        row.summary_until = _earliest(valid_until(ev, at, rb, notes=False), next_month)
    except ValueError as exc:  # RulebookError, CalendarError: the page says why
        # Such a problem only grows with time (more days to judge): it holds until
        # the evidence, the calendar or the rulebook changes.
        row.problem = str(exc)
    if keep:
        _save(row)
    return row


def _save(row: KeptLedger) -> None:
    """Insert or update: two processes keeping the same contract at once both win
    (the later write stays; either is a correct answer for its version)."""
    try:
        with transaction.atomic():  # a savepoint: a lost insert race leaves no broken transaction
            row.save()
    except IntegrityError:
        row.save(force_update=True)


def is_current(row: KeptLedger | None, version: int, at: datetime.datetime, *, whole: bool) -> bool:
    """Does `row` hold at `at` (the whole ledger, or only its figures)?"""
    if row is None or row.evidence_version != version:
        return False
    if row.rulebook != settings.OPSQM_DEFAULT_RULEBOOK or at < row.as_of:
        return False
    until = row.until if whole else row.summary_until
    return row.problem != "" or until is None or at < until


def kept_summaries(
    contracts: Iterable[Contract],
    at: datetime.datetime | None = None,
    *,
    keep: bool = True,
    read: Literal["summary", "head", "none"] = "summary",
) -> tuple[dict[int, KeptLedger], int]:
    """Each contract's kept row, current in its figures at `at` (computed, and kept
    when `keep`, where not): two queries when all are current.  Also how many were
    computed.

    `read` says how much of a row current in the database is read: "summary" (all
    but the whole ledger), "head" (only `summary["head"]`, what `figures` needs: the
    bureau's ledger list) or "none" (no summary: its currency and identity only, e.g.
    to name a cache entry).  Decoding fifty summaries was a third of a bureau page's
    time; a row computed here has its whole summary whatever `read` says."""
    at = (at or timezone.now()).astimezone(TZ)
    contracts = list(contracts)
    ids = [c.pk for c in contracts]
    qs = KeptLedger.objects.filter(contract__in=ids)
    if read == "summary":
        qs = qs.defer("ledger")
    elif read == "head":
        qs = qs.defer("ledger", "summary").annotate(head=KeyTransform("head", "summary"))
    elif read == "none":
        qs = qs.defer("ledger", "summary")
    else:
        raise ValueError(f"read must be summary, head or none, not {read!r}")
    rows = {k.contract_id: k for k in qs}
    if read == "head":
        for k in rows.values():
            head = getattr(k, "head", None)  # the annotation
            k.summary = {"head": head} if head is not None else None
    versions = evidence_versions(ids)
    computed = 0
    for c in contracts:
        if not is_current(rows.get(c.pk), versions[c.pk], at, whole=False):
            rows[c.pk] = compute(c, at, keep=keep)
            computed += 1
    return rows, computed


def kept_ledger(
    contract: Contract, at: datetime.datetime | None = None, *, keep: bool = True
) -> tuple[Ledger | None, str]:
    """The ledger at `at` (now by default) from the kept row when it holds, else
    computed (and kept when `keep`); or None and the reason it cannot be had."""
    at = (at or timezone.now()).astimezone(TZ)
    row = KeptLedger.objects.filter(contract=contract).first()
    version = evidence_versions([contract.pk])[contract.pk]
    if not is_current(row, version, at, whole=True):
        row = compute(contract, at, keep=keep)
    if row is None or row.ledger is None:
        return None, row.problem if row else ""
    ledger = ledger_from_dict(row.ledger, (row.summary or {}).get("rulebook", ""))
    ledger.as_of = at  # it holds unchanged from row.as_of to at
    return ledger, ""


def refresh_stale(at: datetime.datetime | None = None) -> int:
    """Recompute every kept ledger whose figures no longer hold (the worker)."""
    _rows, computed = kept_summaries(Contract.objects.select_related("vendor"), at)
    return computed
