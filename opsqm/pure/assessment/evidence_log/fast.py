"""The ticket line's fast path: only the clean, complete, canonical shape; anything
else is left to the schema-driven generic path, which alone words the errors."""

from __future__ import annotations

from typing import Any

from opsqm.pure.assessment.evidence_log.values import _Bad, _ts
from opsqm.pure.assessment.model import (
    Archive,
    Priority,
    Satisfaction,
    Signature,
    Ticket,
    TicketRecord,
)

_PRIORITY = {m.value: m for m in Priority}
_SIGNATURE = {m.value: m for m in Signature}
_SATISFACTION: dict[Any, Satisfaction | None] = {m.value: m for m in Satisfaction}
_SATISFACTION[None] = None
_ARCHIVE = {m.value: m for m in Archive}
_RECORDS = {
    (a, s, v): TicketRecord(a, s, v)
    for a in (True, False)
    for s in (True, False)
    for v in (True, False)
}


def _fast_ticket(o: dict[str, Any], lineno: int) -> Ticket | None:
    """The clean, complete ticket line; None means 'let the generic path judge it'."""
    try:
        cid, tid, problem = o["contract"], o["id"], o["problem"]
        if type(cid) is not str or type(tid) is not str or type(problem) is not str:
            return None
        if not (cid.strip() and tid.strip() and problem.strip()):
            return None
        rec, ok_, forged = o["record"], o["template_ok"], o["forged"]
        a, s, v = rec["analysis"], rec["steps"], rec["verification"]
        # `type() is bool`, not `in (True, False)`: 1 == True must not pass as a boolean
        if not (
            type(ok_) is bool
            and type(forged) is bool
            and type(a) is bool
            and type(s) is bool
            and type(v) is bool
            and len(rec) == 3
        ):
            return None
        ack, ext, res = o["acknowledged_at"], o["extended_to"], o["resolved_at"]
        excused = o.get("excused")  # optional: absent or null on almost every line
        if excused is not None and (type(excused) is not str or not excused.strip()):
            return None
        if problem == tid:  # the usual key of a one-ticket problem: one string, not two
            problem = tid
        return Ticket(
            cid,
            tid,
            problem,
            _PRIORITY[o["priority"]],
            _ts(o["dispatched_at"]),
            None if ack is None else _ts(ack),
            None if ext is None else _ts(ext),
            None if res is None else _ts(res),
            _SIGNATURE[o["signature"]],
            _SATISFACTION[o["satisfaction"]],
            _RECORDS[a, s, v],  # shared: nothing changes a ticket's record once read
            ok_,
            forged,
            _ARCHIVE[o["archive"]],
            excused,
            lineno,
        )
    except (KeyError, TypeError, AttributeError, _Bad):
        return None
