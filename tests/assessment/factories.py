"""Small builders of evidence for the assessment tests (seed contract defaults)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from opsqm.pure.assessment.model import (
    TZ,
    Archive,
    Contract,
    ContractEvidence,
    Evaluation,
    EvaluationResult,
    Incident,
    Leave,
    LeaveKind,
    Praise,
    PraiseLevel,
    Priority,
    Punch,
    PunchKind,
    Replacement,
    Satisfaction,
    ServiceDelay,
    Signature,
    Staff,
    Ticket,
    TicketRecord,
)

CID = "C-2025-001"


def at(text: str) -> datetime:
    """'2025-11-05 10:12' (or with seconds) → aware datetime in Asia/Shanghai."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def d(text: str) -> date:
    return date.fromisoformat(text)


def contract(**kw: object) -> Contract:
    base: dict[str, object] = {
        "id": CID,
        "title": "移动执法终端软件运维",
        "vendor": "北京凯辉科技有限公司",
        "amount": Decimal("530000.00"),
        "final_payment": Decimal("132500.00"),
        "start": d("2025-10-25"),
        "end": d("2026-10-24"),
        "bond": False,
    }
    base.update(kw)
    return Contract(**base)  # type: ignore[arg-type]


def evidence(**kw: object) -> ContractEvidence:
    c = kw.pop("contract", None) or contract()
    return ContractEvidence(contract=c, **kw)  # type: ignore[arg-type]


def staff(person: str = "S01", entered: str = "2025-10-25", **kw: object) -> Staff:
    base: dict[str, object] = {
        "contract": CID,
        "person": person,
        "name": "张工",
        "on_site": True,
        "entered_on": d(entered),
        "verified_on": d(entered),
        "left_on": None,
    }
    base.update(kw)
    return Staff(**base)  # type: ignore[arg-type]


def punch(
    when: str, person: str = "S01", line: int = 0, kind: str = "normal", confirmed: bool = False
) -> Punch:
    return Punch(CID, person, at(when), line, PunchKind(kind), confirmed)


def day_punches(day: str, arrive: str = "08:55", leave: str = "17:35", person: str = "S01"):
    return [punch(f"{day} {arrive}", person), punch(f"{day} {leave}", person)]


def leave(start: str, end: str, requested: str, **kw: object) -> Leave:
    base: dict[str, object] = {
        "contract": CID,
        "person": "S01",
        "kind": LeaveKind.LEAVE,
        "start": at(start),
        "end": at(end),
        "requested_at": at(requested),
        "emergency": False,
        "approved": True,
    }
    base.update(kw)
    return Leave(**base)  # type: ignore[arg-type]


def replacement(replaced: str, notified: str | None = None, **kw: object) -> Replacement:
    base: dict[str, object] = {
        "contract": CID,
        "person_out": "S01",
        "person_in": "S02",
        "replaced_at": at(replaced),
        "notified_at": at(notified) if notified else None,
    }
    base.update(kw)
    return Replacement(**base)  # type: ignore[arg-type]


def ticket(tid: str, dispatched: str, resolved: str | None = None, **kw: object) -> Ticket:
    """A compliant ticket unless told otherwise (signed, satisfied, archived)."""
    sent = at(dispatched)
    base: dict[str, object] = {
        "contract": CID,
        "id": tid,
        "problem": tid,
        "priority": Priority.NORMAL,
        "dispatched_at": sent,
        "acknowledged_at": sent + timedelta(minutes=30),
        "extended_to": None,
        "resolved_at": at(resolved) if resolved else None,
        "signature": Signature.SIGNED,
        "satisfaction": Satisfaction.SATISFIED,
        "record": TicketRecord(),
        "template_ok": True,
        "forged": False,
        "archive": Archive.OK,
    }
    base.update(kw)
    return Ticket(**base)  # type: ignore[arg-type]


def overdue_ticket(tid: str, dispatched: str, hours: float, **kw: object) -> Ticket:
    """A normal ticket resolved `hours` after its 24 h deadline."""
    sent = at(dispatched)
    t = ticket(tid, dispatched, **kw)
    t.resolved_at = sent + timedelta(hours=24 + hours)
    return t


def incident(iid: str, level: int, occurred: str, reported: str | None) -> Incident:
    return Incident(CID, iid, level, at(occurred), at(reported) if reported else None)


def evaluation(quarter: str, unsatisfied: bool = True, unit: str = "清河分局") -> Evaluation:
    result = EvaluationResult.UNSATISFIED if unsatisfied else EvaluationResult.SATISFIED
    return Evaluation(CID, quarter, unit, result)


def praise(event: str, level: PraiseLevel, when: str) -> Praise:
    return Praise(CID, event, level, at(when))


def delay(obligation: str, due: str, delivered: str | None) -> ServiceDelay:
    return ServiceDelay(CID, obligation, d(due), d(delivered) if delivered else None)


# --- running the engine -------------------------------------------------------

_RULEBOOK = None


def rulebook():
    global _RULEBOOK
    if _RULEBOOK is None:
        from opsqm.pure.assessment.rulebook import load_rulebook

        _RULEBOOK = load_rulebook()
    return _RULEBOOK


def run(ev: ContractEvidence, as_of: str, rb=None):
    from opsqm.pure.assessment.engine import assess

    return assess(ev, at(as_of), rb or rulebook())


def of(ledger, rule: str):
    """The ledger items of one rule."""
    return [i for i in ledger.items if i.rule == rule]


def pts(ledger, rule: str) -> Decimal:
    return ledger.totals[rule]
