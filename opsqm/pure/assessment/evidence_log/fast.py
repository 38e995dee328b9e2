"""The ticket line's fast path: only the clean, complete, canonical shape; anything
else is left to the schema-driven generic path, which alone words the errors."""

from __future__ import annotations

import re
from typing import Any

from opsqm.pure.assessment.evidence_log.values import _Bad, _naive, _ts
from opsqm.pure.assessment.model import (
    TZ,
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


# The ticket line in the writer's own spelling (no excused, no other field), taken
# apart by one regular expression instead of a JSON decoding and the checks above:
# ids without escapes or control characters are their own JSON text, booleans are
# true/false, timestamps "+08:00" on a whole second; their values are judged below.
_ID = r'"([^"\\\x00-\x1f]+)"'
_STAMP = r'"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})\+08:00"'
_NULL_OR_STAMP = r"(?:" + _STAMP + r"|null)"
_WORD = r'"([a-z_]+)"'
_FLAG = r"(?:true|false)"


def _json(flag: bool) -> str:
    return "true" if flag else "false"


_TICKET_LINE = re.compile(
    r'\{"type":"ticket","contract":' + _ID + r',"id":' + _ID + r',"problem":' + _ID
    + r',"priority":' + _WORD + r',"dispatched_at":' + _STAMP
    + r',"acknowledged_at":' + _NULL_OR_STAMP + r',"extended_to":' + _NULL_OR_STAMP
    + r',"resolved_at":' + _NULL_OR_STAMP + r',"signature":' + _WORD
    + r',"satisfaction":(?:' + _WORD + r"|null)"
    + r',"record":\{("analysis":' + _FLAG + r',"steps":' + _FLAG + r',"verification":' + _FLAG
    + r'\},"template_ok":' + _FLAG + r',"forged":' + _FLAG + r'),"archive":' + _WORD
    + r"\}\r?"
).fullmatch  # fmt: skip
_TEXT_SATISFACTION = {**_SATISFACTION, "": None}  # "": the group of a null
# The five booleans of a ticket line as its text spells them (one group, 32 spellings)
# → its shared record, template_ok and forged.
_TEXT_FLAGS = {
    f'"analysis":{_json(a)},"steps":{_json(s)},"verification":{_json(v)}'
    f'}},"template_ok":{_json(ok)},"forged":{_json(forged)}': (_RECORDS[a, s, v], ok, forged)
    for a, s, v in _RECORDS
    for ok in (True, False)
    for forged in (True, False)
}


def _text_ticket(text: str, lineno: int) -> Ticket | None:
    """The ticket of a line in the writer's spelling; None means 'read it as JSON'
    (another spelling, or a value the fast path would not take)."""
    m = _TICKET_LINE(text)
    if m is None:
        return None
    cid, tid, problem, prio, sent, ack, ext, res, sig, sat, flags, arc = m.groups()
    if not (cid.strip() and tid.strip() and problem.strip()):
        return None
    if problem == tid:  # as in _fast_ticket
        problem = tid
    # A matched "YYYY-MM-DDTHH:MM:SS" (+08:00) from 1992 on (values._canonical: Shanghai
    # kept summer time until 1991) is its wall clock in Asia/Shanghai, as _ts reads it;
    # "" is the group of a null.  (Four digits of year: the strings order like years.)
    if not (
        sent >= "1992"
        and (not ack or ack >= "1992")
        and (not ext or ext >= "1992")
        and (not res or res >= "1992")
    ):
        return None
    record, ok_, forged = _TEXT_FLAGS[flags]
    try:  # KeyError: an unknown word; ValueError: a time that does not exist
        return Ticket(
            cid,
            tid,
            problem,
            _PRIORITY[prio],
            _naive(sent).replace(tzinfo=TZ),
            _naive(ack).replace(tzinfo=TZ) if ack else None,
            _naive(ext).replace(tzinfo=TZ) if ext else None,
            _naive(res).replace(tzinfo=TZ) if res else None,
            _SIGNATURE[sig],
            _TEXT_SATISFACTION[sat],
            record,
            ok_,
            forged,
            _ARCHIVE[arc],
            None,
            lineno,
        )
    except (KeyError, ValueError):
        return None
