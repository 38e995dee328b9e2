"""The writer: canonical v1 lines, each contract first, then its facts by type."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, BinaryIO

import orjson

from opsqm.pure.assessment.model import (
    TZ,
    Contract,
    ContractEvidence,
    Evaluation,
    Incident,
    Leave,
    Praise,
    Punch,
    PunchKind,
    Replacement,
    ServiceDelay,
    Staff,
    Ticket,
)


def _d(x: date | None) -> str | None:
    return None if x is None else x.isoformat()


def _t(x: datetime | None) -> str | None:
    return None if x is None else x.astimezone(TZ).isoformat()


def _m(x: Decimal) -> str:
    return format(x, "f")


def _excused(decision: str | None) -> dict[str, str]:
    """The `excused` field, written only when a decision excuses the fact."""
    return {} if decision is None else {"excused": decision}


def _json_default(v: Any) -> Any:
    if isinstance(v, Decimal):
        return _m(v)
    if isinstance(v, datetime):
        return _t(v)
    if isinstance(v, date):
        return v.isoformat()
    raise TypeError(f"cannot write {type(v).__name__} in parameters")


def _contract_line(c: Contract) -> dict[str, Any]:
    line: dict[str, Any] = {
        "type": "contract",
        "id": c.id,
        "title": c.title,
        "vendor": c.vendor,
        "amount": _m(c.amount),
        "final_payment": _m(c.final_payment),
        "start": _d(c.start),
        "end": _d(c.end),
        "bond": c.bond,
    }
    if c.rulebook is not None:
        line["rulebook"] = c.rulebook
    if c.parameters:
        line["parameters"] = c.parameters
    return line


def _staff_lines(cid: str, rows: list[Staff]) -> Iterator[dict[str, Any]]:
    for s in rows:
        yield {
            "type": "staff",
            "contract": cid,
            "person": s.person,
            "name": s.name,
            "on_site": s.on_site,
            "entered_on": _d(s.entered_on),
            "verified_on": _d(s.verified_on),
            "left_on": _d(s.left_on),
        }


def _replacements_lines(cid: str, rows: list[Replacement]) -> Iterator[dict[str, Any]]:
    for r in rows:
        yield {
            "type": "replacement",
            "contract": cid,
            "person_out": r.person_out,
            "person_in": r.person_in,
            "replaced_at": _t(r.replaced_at),
            "notified_at": _t(r.notified_at),
            "emergency": r.emergency,
            "materials_at": _t(r.materials_at),
        }


def _punches_lines(cid: str, rows: Sequence[Punch]) -> Iterator[dict[str, Any]]:
    # A plain punch stays as the spec's example writes it (a year has 125,000 of
    # them); a field or makeup punch, or a confirmed one, carries both fields.
    for p in rows:
        line: dict[str, Any] = {
            "type": "punch",
            "contract": cid,
            "person": p.person,
            "at": _t(p.at),
        }
        if p.kind is not PunchKind.NORMAL or p.confirmed:
            line["kind"] = p.kind.value
            line["confirmed"] = p.confirmed
        yield line


def _leaves_lines(cid: str, rows: list[Leave]) -> Iterator[dict[str, Any]]:
    for lv in rows:
        yield {
            "type": "leave",
            "contract": cid,
            "person": lv.person,
            "kind": lv.kind.value,
            "start": _t(lv.start),
            "end": _t(lv.end),
            "requested_at": _t(lv.requested_at),
            "emergency": lv.emergency,
            "approved": lv.approved,
        }


def _tickets_lines(cid: str, rows: list[Ticket]) -> Iterator[dict[str, Any]]:
    for t in rows:
        yield {
            "type": "ticket",
            "contract": cid,
            "id": t.id,
            "problem": t.problem,
            "priority": t.priority.value,
            "dispatched_at": _t(t.dispatched_at),
            "acknowledged_at": _t(t.acknowledged_at),
            "extended_to": _t(t.extended_to),
            "resolved_at": _t(t.resolved_at),
            "signature": t.signature.value,
            "satisfaction": None if t.satisfaction is None else t.satisfaction.value,
            "record": {
                "analysis": t.record.analysis,
                "steps": t.record.steps,
                "verification": t.record.verification,
            },
            "template_ok": t.template_ok,
            "forged": t.forged,
            "archive": t.archive.value,
        } | _excused(t.excused)


def _incidents_lines(cid: str, rows: list[Incident]) -> Iterator[dict[str, Any]]:
    for i in rows:
        yield {
            "type": "incident",
            "contract": cid,
            "id": i.id,
            "level": i.level,
            "occurred_at": _t(i.occurred_at),
            "reported_at": _t(i.reported_at),
        } | _excused(i.excused)


def _evaluations_lines(cid: str, rows: list[Evaluation]) -> Iterator[dict[str, Any]]:
    for e in rows:
        yield {
            "type": "evaluation",
            "contract": cid,
            "quarter": e.quarter,
            "unit": e.unit,
            "result": e.result.value,
        }


def _praises_lines(cid: str, rows: list[Praise]) -> Iterator[dict[str, Any]]:
    for pr in rows:
        yield {
            "type": "praise",
            "contract": cid,
            "event": pr.event,
            "level": pr.level.value,
            "at": _t(pr.at),
        }


def _service_delays_lines(cid: str, rows: list[ServiceDelay]) -> Iterator[dict[str, Any]]:
    for sd in rows:
        yield {
            "type": "service_delay",
            "contract": cid,
            "obligation": sd.obligation,
            "due": _d(sd.due),
            "delivered": _d(sd.delivered),
        } | _excused(sd.excused)


def _evidence_lines(ev: ContractEvidence) -> Iterator[dict[str, Any]]:
    """The contract's line, then its facts, one type after the other."""
    yield _contract_line(ev.contract)
    cid = ev.contract.id
    yield from _staff_lines(cid, ev.staff)
    yield from _replacements_lines(cid, ev.replacements)
    yield from _punches_lines(cid, ev.punches)
    yield from _leaves_lines(cid, ev.leaves)
    yield from _tickets_lines(cid, ev.tickets)
    yield from _incidents_lines(cid, ev.incidents)
    yield from _evaluations_lines(cid, ev.evaluations)
    yield from _praises_lines(cid, ev.praises)
    yield from _service_delays_lines(cid, ev.service_delays)


def write_evidence_log(evidences: Iterable[ContractEvidence], out: BinaryIO) -> int:
    """Write canonical v1 lines (contract first, then its facts by type); returns lines."""
    dumps, n = orjson.dumps, 0
    for ev in evidences:
        for line in _evidence_lines(ev):
            out.write(dumps(line, default=_json_default))
            out.write(b"\n")
            n += 1
    return n
