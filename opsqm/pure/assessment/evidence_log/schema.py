"""The schema of the evidence log v1: each type's fields, their converters and presence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opsqm.pure.assessment.evidence_log.values import (
    _bool,
    _date,
    _dec,
    _enum,
    _id,
    _level,
    _object,
    _quarter,
    _record,
    _text,
    _ts,
)
from opsqm.pure.assessment.model import (
    Archive,
    Contract,
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
)

# (field, converter, presence): REQ must be there and not null; OPT may be absent
# (model default) but not null; NUL may be absent or null (None).
REQ, OPT, NUL = "required", "optional", "nullable"

_Spec = tuple[tuple[str, Callable[[Any], Any], str], ...]
_C = ("contract", _id, REQ)
SCHEMA: dict[str, tuple[type, _Spec]] = {
    "contract": (Contract, (
        ("id", _id, REQ), ("title", _text, REQ), ("vendor", _text, REQ),
        ("amount", _dec, REQ), ("final_payment", _dec, NUL),
        ("start", _date, REQ), ("end", _date, REQ), ("bond", _bool, OPT),
        ("rulebook", _id, NUL), ("parameters", _object, OPT),
    )),
    "staff": (Staff, (
        _C, ("person", _id, REQ), ("name", _text, REQ), ("on_site", _bool, REQ),
        ("entered_on", _date, REQ), ("verified_on", _date, NUL), ("left_on", _date, NUL),
    )),
    "replacement": (Replacement, (
        _C, ("person_out", _id, REQ), ("person_in", _id, REQ), ("replaced_at", _ts, REQ),
        ("notified_at", _ts, NUL), ("emergency", _bool, OPT), ("materials_at", _ts, NUL),
    )),
    "punch": (Punch, (
        _C, ("person", _id, REQ), ("at", _ts, REQ),
        ("kind", _enum(PunchKind), OPT), ("confirmed", _bool, OPT),
    )),
    "leave": (Leave, (
        _C, ("person", _id, REQ), ("kind", _enum(LeaveKind), REQ),
        ("start", _ts, REQ), ("end", _ts, REQ), ("requested_at", _ts, REQ),
        ("emergency", _bool, OPT), ("approved", _bool, OPT),
    )),
    "ticket": (Ticket, (
        _C, ("id", _id, REQ), ("problem", _id, REQ), ("priority", _enum(Priority), REQ),
        ("dispatched_at", _ts, REQ), ("acknowledged_at", _ts, NUL),
        ("extended_to", _ts, NUL), ("resolved_at", _ts, NUL),
        ("signature", _enum(Signature), OPT), ("satisfaction", _enum(Satisfaction), NUL),
        ("record", _record, OPT), ("template_ok", _bool, OPT), ("forged", _bool, OPT),
        ("archive", _enum(Archive), OPT), ("excused", _id, NUL),
    )),
    "incident": (Incident, (
        _C, ("id", _id, REQ), ("level", _level, REQ), ("occurred_at", _ts, REQ),
        ("reported_at", _ts, NUL), ("excused", _id, NUL),
    )),
    "evaluation": (Evaluation, (
        _C, ("quarter", _quarter, REQ), ("unit", _text, REQ),
        ("result", _enum(EvaluationResult), REQ),
    )),
    "praise": (Praise, (
        _C, ("event", _id, REQ), ("level", _enum(PraiseLevel), REQ), ("at", _ts, REQ),
    )),
    "service_delay": (ServiceDelay, (
        _C, ("obligation", _text, REQ), ("due", _date, REQ), ("delivered", _date, NUL),
        ("excused", _id, NUL),
    )),
}  # fmt: skip
TYPES = tuple(SCHEMA)
_TYPE_LIST = ", ".join(TYPES)
