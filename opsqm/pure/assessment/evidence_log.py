"""Reader, validator and writer of the evidence log v1 (spec §3).

The log is JSON Lines; every line is one fact with a ``type``.  Reading is strict:
each bad line is reported with its line number, the field and the expected value,
and *every* bad line is reported, not just the first.

Speed matters (a bureau-sized year is ~150,000 lines and ``opsqm score`` must stay
well under a second), so the two bulk types, ``punch`` and ``ticket``, have a
straight-line fast path that only accepts the canonical, clean shape.  Anything
the fast path does not like falls through to the schema-driven generic path, which
is the single authority on what is valid and on how errors are worded.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any, BinaryIO

import orjson

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
    Replacement,
    Satisfaction,
    ServiceDelay,
    Signature,
    Staff,
    Ticket,
    TicketRecord,
)

__all__ = [
    "MAX_ISSUES",
    "EvidenceIssue",
    "EvidenceLogError",
    "EvidenceScan",
    "read_evidence_log",
    "scan_evidence_log",
    "validate_evidence_log",
    "write_evidence_log",
]

MAX_ISSUES = 1000  # a garbage file must not drown the terminal

Source = str | os.PathLike[str] | bytes | Iterable[bytes | str]


@dataclass(frozen=True, slots=True)
class EvidenceIssue:
    """One problem of the log: `line` is 1-based (0 for a summary), `field` may be ""."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        if self.line == 0:
            return self.reason
        if self.field:
            return f"line {self.line}, field {self.field}: {self.reason}"
        return f"line {self.line}: {self.reason}"


class EvidenceLogError(ValueError):
    """The log has bad lines; `issues` lists them all (capped at MAX_ISSUES + summary)."""

    def __init__(self, issues: list[EvidenceIssue]) -> None:
        self.issues = issues
        shown = "; ".join(str(i) for i in issues[:3])
        more = f" (and {len(issues) - 3} more)" if len(issues) > 3 else ""
        super().__init__(f"bad evidence log: {shown}{more}")


@dataclass(slots=True)
class EvidenceScan:
    """The full result of one pass: evidence (valid only if no issues) and counts."""

    evidence: dict[str, ContractEvidence]
    issues: list[EvidenceIssue]
    counts: dict[str, int]  # lines per type
    duplicate_punches: int
    referenced: frozenset[str] = frozenset()  # every contract id a line names or defines


# --- value converters --------------------------------------------------------
# A converter takes the raw JSON value and returns the model value or raises _Bad
# with a plain-words reason that names the expected value.


_EXPECTED: dict[Callable[[Any], Any], str] = {}  # converter -> expected value, in words


class _Bad(Exception):
    def __init__(self, reason: str, field: str | None = None) -> None:
        self.reason = reason
        self.field = field


def _show(v: Any) -> str:
    text = orjson.dumps(v).decode() if not isinstance(v, float) else repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


def _type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true/false"
    return {int: "a number", float: "a number", str: "a string", list: "an array"}.get(
        type(v), "an object"
    )


def _id(v: Any) -> str:
    if type(v) is not str:
        raise _Bad(f"wrong type: {_type_name(v)}; expected a non-empty string")
    if not v.strip():
        raise _Bad("empty; expected a non-empty string")
    return v


def _text(v: Any) -> str:
    if type(v) is not str:
        raise _Bad(f"wrong type: {_type_name(v)}; expected a string")
    return v


def _bool(v: Any) -> bool:
    if v is True or v is False:
        return v
    raise _Bad(f"wrong type: {_type_name(v)} {_show(v)}; expected true or false")


_DATES: dict[str, date] = {}


def _date(v: Any) -> date:
    d = _DATES.get(v) if type(v) is str else None
    if d is not None:
        return d
    if type(v) is not str:
        raise _Bad(f"wrong type: {_type_name(v)}; expected a date string YYYY-MM-DD")
    # date.fromisoformat also takes "20251025" and week dates; v1 wants one spelling.
    if len(v) != 10 or v[4] != "-" or v[7] != "-":
        raise _Bad(f"malformed date {_show(v)}; expected YYYY-MM-DD, e.g. 2025-10-25")
    try:
        d = date.fromisoformat(v)
    except ValueError:
        raise _Bad(f"malformed date {_show(v)}; expected YYYY-MM-DD, e.g. 2025-10-25") from None
    _DATES[v] = d
    return d


# Timestamp fast path: "YYYY-MM-DDTHH:MM:SS+08:00" is a cached date plus a parsed time
# of day, combined with TZ (about 3x cheaper than fromisoformat + astimezone).  Dates
# are cached only once seen in a fully validated timestamp, and only from 1992 on
# (Shanghai had summer time until 1991, so +08:00 was not always Asia/Shanghai).
_TS_DATES: dict[str, date] = {}
_combine = datetime.combine
_time_iso = time.fromisoformat


def _ts(v: Any) -> datetime:
    if type(v) is str and len(v) == 25 and v[19:] == "+08:00" and v[10] == "T":
        d = _TS_DATES.get(v[:10])
        if d is not None and v[13] == ":" and v[16] == ":":
            try:
                return _combine(d, _time_iso(v[11:19]), TZ)
            except ValueError:
                pass  # let the slow path word the error
    return _ts_slow(v)


_TS_EXAMPLE = "e.g. 2025-10-27T08:52:00+08:00"


def _canonical(v: str, dt: datetime) -> bool:
    """Is `v` exactly dt.isoformat() (the text the writer produces)?"""
    return len(v) == 25 and v[19:] == "+08:00" and v[10] == "T" and dt.year >= 1992


def _ts_slow(v: Any) -> datetime:
    if type(v) is not str:
        raise _Bad(f"wrong type: {_type_name(v)}; expected an ISO timestamp string, {_TS_EXAMPLE}")
    try:
        dt = datetime.fromisoformat(v)
    except ValueError:
        raise _Bad(f"malformed timestamp {_show(v)}; expected ISO 8601, {_TS_EXAMPLE}") from None
    if len(v) < 16 or v[10] not in "T ":
        raise _Bad(f"malformed timestamp {_show(v)}; expected date and time, {_TS_EXAMPLE}")
    if dt.tzinfo is None:
        raise _Bad(f"naive timestamp {_show(v)} (no UTC offset); expected {_TS_EXAMPLE}")
    dt = dt.astimezone(TZ)
    if _canonical(v, dt):
        _TS_DATES[v[:10]] = dt.date()
    return dt


_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _dec(v: Any) -> Decimal:
    if type(v) is not str:
        raise _Bad(
            f"wrong type: {_type_name(v)} {_show(v)}; expected a string of a decimal, "
            'e.g. "530000.00"'
        )
    if not _DECIMAL.fullmatch(v):
        raise _Bad(
            f'malformed decimal {_show(v)}; expected a string of a decimal, e.g. "530000.00"'
        )
    return Decimal(v)


def _enum(cls: type[Enum]) -> Callable[[Any], Any]:
    members = {m.value: m for m in cls}
    allowed = ", ".join(members)

    def convert(v: Any) -> Any:
        m = members.get(v) if type(v) is str else None
        if m is None:
            if type(v) is not str:
                raise _Bad(f"wrong type: {_type_name(v)}; expected one of {allowed}")
            raise _Bad(f"unknown value {_show(v)}; expected one of {allowed}")
        return m

    _EXPECTED[convert] = "one of " + allowed
    return convert


def _level(v: Any) -> int:
    if type(v) is not int:  # bool is an int subclass: `type` keeps true/false out
        raise _Bad(f"wrong type: {_type_name(v)} {_show(v)}; expected the integer 1, 2 or 3")
    if v not in (1, 2, 3):
        raise _Bad(f"incident level {v} out of range; expected 1, 2 or 3")
    return v


_QUARTER = re.compile(r"[0-9]{4}Q[1-4]")


def _quarter(v: Any) -> str:
    if type(v) is not str:
        raise _Bad(f"wrong type: {_type_name(v)}; expected a quarter string like 2026Q1")
    if not _QUARTER.fullmatch(v):
        raise _Bad(f"malformed quarter {_show(v)}; expected YYYYQn with n 1-4, e.g. 2026Q1")
    return v


def _object(v: Any) -> dict[str, Any]:
    if type(v) is not dict:
        raise _Bad(f"wrong type: {_type_name(v)}; expected a JSON object")
    return v


def _record(v: Any) -> TicketRecord:
    if type(v) is not dict:
        raise _Bad(
            f"wrong type: {_type_name(v)}; expected an object "
            '{"analysis":true|false,"steps":true|false,"verification":true|false}'
        )
    parts = []
    for key in ("analysis", "steps", "verification"):
        x = v.get(key, True)
        if x is not True and x is not False:
            raise _Bad(f"wrong type: {_type_name(x)}; expected true or false", f"record.{key}")
        parts.append(x)
    return TicketRecord(*parts)


_EXPECTED |= {
    _id: "a non-empty string",
    _text: "a string",
    _bool: "true or false",
    _date: "a date YYYY-MM-DD",
    _ts: "a timestamp with offset, " + _TS_EXAMPLE,
    _dec: 'a string of a decimal, e.g. "530000.00"',
    _level: "1, 2 or 3",
    _quarter: "a quarter like 2026Q1",
    _object: "a JSON object",
    _record: "an object of analysis/steps/verification true|false",
}

# --- the schema --------------------------------------------------------------
# (field, converter, presence): REQ must be there and not null; OPT may be absent
# (model default) but not null; NUL may be absent or null (None).
REQ, OPT, NUL = "required", "optional", "nullable"

_Spec = tuple[tuple[str, Callable[[Any], Any], str], ...]
_C = ("contract", _id, REQ)
SCHEMA: dict[str, tuple[type, _Spec]] = {
    "contract": (Contract, (
        ("id", _id, REQ), ("title", _text, REQ), ("vendor", _text, REQ),
        ("amount", _dec, REQ), ("final_payment", _dec, REQ),
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
    "punch": (Punch, (_C, ("person", _id, REQ), ("at", _ts, REQ))),
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
        ("archive", _enum(Archive), OPT),
    )),
    "incident": (Incident, (
        _C, ("id", _id, REQ), ("level", _level, REQ), ("occurred_at", _ts, REQ),
        ("reported_at", _ts, NUL),
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
    )),
}  # fmt: skip
TYPES = tuple(SCHEMA)
_TYPE_LIST = ", ".join(TYPES)


# --- the reader --------------------------------------------------------------


class _Bucket:
    """What the log says about one contract id, while reading."""

    __slots__ = (
        "cid", "defined", "dirty", "ev", "first_ref", "last", "names", "pending", "persons",
        "punches", "seen_ids", "ticket_ids", "tickets",
    )  # fmt: skip

    def __init__(self, cid: str) -> None:
        self.cid = cid  # the one string object every record of this contract shares
        self.defined = False
        # A placeholder contract until its line is read: lines may reference it first.
        self.ev = ContractEvidence(
            Contract(cid, "", "", Decimal(0), Decimal(0), date.min, date.min)
        )
        self.punches = self.ev.punches
        self.names: dict[str, str] = {}  # person -> its interned string
        self.first_ref: list[int] = []  # lines referencing it while it is undefined
        self.persons: dict[str, Staff] = {}
        # (line, field, person) referenced before (or without) its staff line
        self.pending: list[tuple[int, str, str]] = []
        # Duplicate punches without a set of every punch: a person's punches normally
        # come in time order, and canonical timestamps order like their instants, so
        # a punch later than the person's latest cannot repeat one.  Only a person
        # whose punches go back in time gets a set of all of them ("dirty").
        self.last: dict[str, str] = {}  # person -> latest canonical timestamp
        self.dirty: dict[str, set[str]] = {}  # person -> every canonical timestamp
        self.seen_ids: dict[str, dict[str, int]] = {"staff": {}, "ticket": {}, "incident": {}}
        self.ticket_ids = self.seen_ids["ticket"]
        self.tickets = self.ev.tickets


_BOM = b"\xef\xbb\xbf"


def _strip_bom(lines: Iterator[bytes | str]) -> Iterator[bytes | str]:
    """A BOM from a Windows editor is not a JSON error."""
    first = next(lines, None)
    if first is None:
        return
    if isinstance(first, bytes) and first.startswith(_BOM):
        first = first[3:]
    elif isinstance(first, str) and first.startswith("\ufeff"):
        first = first[1:]
    yield first
    yield from lines


class _Reader:
    def __init__(self) -> None:
        self.issues: list[EvidenceIssue] = []
        self.buckets: dict[str, _Bucket] = {}
        self.order: list[str] = []  # contract ids in order of definition
        self.counts: dict[str, int] = dict.fromkeys(TYPES, 0)
        self.live: dict[str, _Bucket] = {}  # defined contracts: the punch fast path
        self.duplicates = 0

    def bad(self, line: int, field: str, reason: str) -> None:
        self.issues.append(EvidenceIssue(line, field, reason))

    def bucket(self, cid: str) -> _Bucket:
        b = self.buckets.get(cid)
        if b is None:
            b = self.buckets[cid] = _Bucket(cid)
        return b

    # -- the main loop: fast paths first, generic path for everything else --

    def read(self, source: Source) -> None:
        if isinstance(source, str | os.PathLike):
            # The file object itself is the fastest line iterator (and needs no copy
            # of the whole file in memory); only a BOM must be skipped first.
            with open(source, "rb") as fh:
                if fh.read(3) != _BOM:
                    fh.seek(0)
                self.read_lines(fh)
        elif isinstance(source, bytes | bytearray | memoryview):
            self.read_lines(_strip_bom(iter(bytes(source).split(b"\n"))))
        else:
            self.read_lines(_strip_bom(iter(source)))
        self.finish()

    def read_lines(self, lines: Iterable[bytes | str], first_line: int = 1) -> None:
        loads, JSONDecodeError = orjson.loads, orjson.JSONDecodeError
        live, counts = self.live, self.counts
        Punch_, fast_ticket = Punch, _fast_ticket
        combine, time_iso, ts_dates = _combine, _time_iso, _TS_DATES
        lineno = punches = tickets = 0
        for lineno, raw in enumerate(lines, first_line):
            try:
                obj = loads(raw)
            except JSONDecodeError as exc:
                if not raw.strip():
                    continue
                self.bad(lineno, "", f"invalid JSON ({exc}); expected one JSON object per line")
                continue
            try:
                kind = obj["type"]
            except KeyError:
                kind = None
            except TypeError:  # a list, string, number, true/false or null
                self.bad(lineno, "", f"not a JSON object ({_type_name(obj)}); expected {{...}}")
                continue
            if kind == "punch":
                punches += 1
                # Fast path: defined contract, known person, canonical timestamp (the
                # fast path of _ts, inlined: this line runs 125,000 times a year).
                # Anything else (a non-string raises TypeError) goes to the generic path.
                try:
                    b = live[obj["contract"]]
                    person = b.names[obj["person"]]
                    v = obj["at"]
                    if (
                        v[19:] == "+08:00"
                        and len(v) == 25
                        and v[10] == "T"
                        and v[13] == ":"
                        and v[16] == ":"  # or time_iso takes "08:52+08" (an offset)
                    ):
                        at = combine(ts_dates[v[:10]], time_iso(v[11:19]), TZ)
                    else:
                        at = None
                except (KeyError, TypeError, ValueError):
                    at = None
                if at is None:
                    self.generic(lineno, "punch", obj)
                    continue
                # A fast-path string is canonical (== at.isoformat()); see _Bucket.last.
                prev = b.last.get(person)
                if prev is None or v > prev:
                    b.last[person] = v
                    if b.dirty and person in b.dirty:
                        b.dirty[person].add(v)
                    b.punches.append(Punch_(b.cid, person, at, lineno))
                else:
                    self.punch_again(b, Punch_(b.cid, person, at, lineno), v)
            elif kind == "ticket":
                tickets += 1
                t = fast_ticket(obj, lineno)
                if t is None:
                    self.generic(lineno, "ticket", obj)
                    continue
                # accept_ticket, inlined for a defined contract (25,000 times a year)
                tb = live.get(t.contract)
                if tb is None or (t.resolved_at is not None and t.resolved_at < t.dispatched_at):
                    self.accept_ticket(t, lineno)
                    continue
                t.contract = tb.cid
                if tb.ticket_ids.setdefault(t.id, lineno) == lineno:
                    tb.tickets.append(t)
                else:
                    self.duplicate(tb, "ticket", t.id, lineno)
            elif type(kind) is str and kind in SCHEMA:
                counts[kind] += 1
                self.generic(lineno, kind, obj)
            elif kind is None:
                self.bad(lineno, "type", f"missing field type; expected one of {_TYPE_LIST}")
            else:
                self.bad(
                    lineno, "type", f"unknown type {_show(kind)}; expected one of {_TYPE_LIST}"
                )
        counts["punch"] += punches
        counts["ticket"] += tickets

    def generic(self, lineno: int, kind: str, obj: dict[str, Any]) -> None:
        cls, spec = SCHEMA[kind]
        kw: dict[str, Any] = {}
        ok = True
        for name, convert, presence in spec:
            if name not in obj:
                if presence == REQ:
                    self.bad(lineno, name, f"missing required field {name} for type {kind}")
                    ok = False
                continue
            v = obj[name]
            if v is None:
                if presence == NUL:
                    kw[name] = None
                    continue
                self.bad(lineno, name, f"null is not allowed; {_expect(convert)}")
                ok = False
                continue
            try:
                kw[name] = convert(v)
            except _Bad as exc:
                self.bad(lineno, exc.field or name, exc.reason)
                ok = False
        if not ok:
            if type(kw.get("contract")) is str:
                self.owner(kw["contract"], lineno)  # an undefined contract is still news
            elif kind == "contract" and type(kw.get("id")) is str:
                self.bad_contract(kw["id"], lineno)
            return
        getattr(self, "accept_" + kind)(cls(**kw, line=lineno), lineno)

    # -- per type: cross-field checks, references, duplicates -------------------

    def owner(self, cid: str, lineno: int) -> _Bucket:
        b = self.bucket(cid)
        if not b.defined:
            b.first_ref.append(lineno)
        return b

    def person_ref(self, b: _Bucket, lineno: int, field: str, person: str) -> str:
        staff = b.persons.get(person)
        if staff is None:
            b.pending.append((lineno, field, person))
            return person
        return staff.person  # one string object per person, not one per line

    def duplicate(self, b: _Bucket, what: str, key: str, lineno: int) -> bool:
        first = b.seen_ids[what].setdefault(key, lineno)
        if first != lineno:
            self.bad(
                lineno,
                "id" if what != "staff" else "person",
                f"duplicate {what} {_show(key)} in this contract (first on line {first})",
            )
            return True
        return False

    def accept_contract(self, c: Contract, lineno: int) -> None:
        ok = True
        if c.start > c.end:
            self.bad(lineno, "end", f"contract end {c.end} is before its start {c.start}")
            ok = False
        if c.amount < 0:
            self.bad(lineno, "amount", "negative amount; expected a decimal >= 0")
            ok = False
        if c.final_payment < 0:
            self.bad(lineno, "final_payment", "negative final_payment; expected a decimal >= 0")
            ok = False
        elif c.final_payment > c.amount >= 0:
            self.bad(
                lineno,
                "final_payment",
                f"final_payment {c.final_payment} exceeds amount {c.amount}; "
                "expected final_payment <= amount",
            )
            ok = False
        b = self.bucket(c.id)
        if b.defined:
            first = b.ev.contract.line
            self.bad(lineno, "id", f"duplicate contract {_show(c.id)} (first on line {first})")
            return
        # A bad contract line still counts as defined: the lines referring to it are
        # judged on their own, and its own line already says what is wrong.
        b.defined = True
        b.first_ref.clear()
        c.id = b.cid
        b.ev.contract = c
        self.live[b.cid] = b
        if ok:
            self.order.append(c.id)

    def bad_contract(self, cid: str, lineno: int) -> None:
        """A contract line with bad fields still defines its id: its own line says what
        is wrong, the lines referring to it need not say it again."""
        b = self.bucket(cid)
        if not b.defined:
            b.defined = True
            b.first_ref.clear()
            b.ev.contract.line = lineno

    def accept_staff(self, s: Staff, lineno: int) -> None:
        b = self.owner(s.contract, lineno)
        s.contract = b.cid
        if self.duplicate(b, "staff", s.person, lineno):
            return
        s.contract = b.cid
        b.persons[s.person] = s
        b.names[s.person] = s.person
        b.ev.staff.append(s)

    def accept_replacement(self, r: Replacement, lineno: int) -> None:
        b = self.owner(r.contract, lineno)
        r.contract = b.cid
        r.person_out = self.person_ref(b, lineno, "person_out", r.person_out)
        # person_in may be new: the replacement line itself brings them in (the spec's
        # own example has no staff line for S02).  Their punches still need one.
        staff_in = b.persons.get(r.person_in)
        if staff_in is not None:
            r.person_in = staff_in.person
        b.ev.replacements.append(r)

    def accept_punch(self, p: Punch, lineno: int) -> None:
        b = self.owner(p.contract, lineno)
        p.contract = b.cid
        p.person = self.person_ref(b, lineno, "person", p.person)
        canon = p.at.isoformat()
        prev = b.last.get(p.person)
        if prev is None or canon > prev:
            b.last[p.person] = canon
            if p.person in b.dirty:
                b.dirty[p.person].add(canon)
            b.punches.append(p)
        else:
            self.punch_again(b, p, canon)

    def punch_again(self, b: _Bucket, p: Punch, canon: str) -> None:
        """A punch not after the person's latest: a duplicate, or just out of order."""
        seen = b.dirty.get(p.person)
        if seen is None:
            seen = {q.at.isoformat() for q in b.punches if q.person == p.person}
            b.dirty[p.person] = seen
        if canon in seen:
            self.duplicates += 1  # the same punch twice is one fact, not an error
            return
        seen.add(canon)
        b.punches.append(p)

    def accept_leave(self, lv: Leave, lineno: int) -> None:
        b = self.owner(lv.contract, lineno)
        lv.contract = b.cid
        lv.person = self.person_ref(b, lineno, "person", lv.person)
        if lv.end <= lv.start:
            self.bad(
                lineno,
                "end",
                f"leave ends ({lv.end.isoformat()}) at or before its start "
                f"({lv.start.isoformat()}); expected end > start",
            )
            return
        b.ev.leaves.append(lv)

    def accept_ticket(self, t: Ticket, lineno: int) -> None:
        b = self.owner(t.contract, lineno)
        t.contract = b.cid
        if t.resolved_at is not None and t.resolved_at < t.dispatched_at:
            self.bad(
                lineno,
                "resolved_at",
                f"resolved_at {t.resolved_at.isoformat()} is before dispatched_at "
                f"{t.dispatched_at.isoformat()}; expected resolved_at >= dispatched_at",
            )
            return
        if self.duplicate(b, "ticket", t.id, lineno):
            return
        b.ev.tickets.append(t)

    def accept_incident(self, i: Incident, lineno: int) -> None:
        b = self.owner(i.contract, lineno)
        i.contract = b.cid
        if not self.duplicate(b, "incident", i.id, lineno):
            b.ev.incidents.append(i)

    def accept_evaluation(self, e: Evaluation, lineno: int) -> None:
        b = self.owner(e.contract, lineno)
        e.contract = b.cid
        b.ev.evaluations.append(e)

    def accept_praise(self, p: Praise, lineno: int) -> None:
        b = self.owner(p.contract, lineno)
        p.contract = b.cid
        b.ev.praises.append(p)

    def accept_service_delay(self, d: ServiceDelay, lineno: int) -> None:
        b = self.owner(d.contract, lineno)
        d.contract = b.cid
        b.ev.service_delays.append(d)

    # -- after the last line: references that were never resolved --------------

    def finish(self) -> None:
        for cid, b in self.buckets.items():
            if not b.defined:
                for line in b.first_ref:
                    self.bad(
                        line,
                        "contract",
                        f"contract {_show(cid)} is never defined in this "
                        'log; expected a {"type":"contract","id":...} line',
                    )
                continue
            for line, field, person in b.pending:
                staff = b.persons.get(person)
                if staff is None:
                    self.bad(
                        line,
                        field,
                        f"staff {_show(person)} is not defined in contract "
                        f"{_show(cid)}; expected a staff line with this person",
                    )
        self.issues.sort(key=lambda i: i.line)


def _expect(convert: Callable[[Any], Any]) -> str:
    return "expected " + _EXPECTED.get(convert, "a value")


# --- ticket fast path ---------------------------------------------------------
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
            TicketRecord(a, s, v),
            ok_,
            forged,
            _ARCHIVE[o["archive"]],
            lineno,
        )
    except (KeyError, TypeError, AttributeError, _Bad):
        return None


# --- public API ---------------------------------------------------------------


def scan_evidence_log(source: Source) -> EvidenceScan:
    """Read and check the whole log; never raises for bad content (OSError for a bad path)."""
    return _scan(lambda reader: reader.read(source))


def _scan(read: Callable[[_Reader], object]) -> EvidenceScan:
    reader = _Reader()
    # Reading allocates ~10 objects a line and frees none: the cyclic GC would rescan
    # the growing heap dozens of times for nothing (about a quarter of the time).
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        read(reader)
    finally:
        if gc_was_on:
            gc.enable()
    issues = reader.issues
    if len(issues) > MAX_ISSUES:
        rest = len(issues) - MAX_ISSUES
        issues = [*issues[:MAX_ISSUES], EvidenceIssue(0, "", f"… and {rest} more issues")]
    evidence = {cid: reader.buckets[cid].ev for cid in reader.order}
    referenced = frozenset(reader.buckets)
    return EvidenceScan(evidence, issues, reader.counts, reader.duplicates, referenced)


def read_evidence_log(source: Source) -> dict[str, ContractEvidence]:
    """Contract id -> evidence, in order of definition; EvidenceLogError lists every bad line."""
    scan = scan_evidence_log(source)
    if scan.issues:
        raise EvidenceLogError(scan.issues)
    return scan.evidence


def validate_evidence_log(source: Source) -> list[EvidenceIssue]:
    return scan_evidence_log(source).issues


# --- the writer ---------------------------------------------------------------


def _d(x: date | None) -> str | None:
    return None if x is None else x.isoformat()


def _t(x: datetime | None) -> str | None:
    return None if x is None else x.astimezone(TZ).isoformat()


def _m(x: Decimal) -> str:
    return format(x, "f")


def _json_default(v: Any) -> Any:
    if isinstance(v, Decimal):
        return _m(v)
    if isinstance(v, datetime):
        return _t(v)
    if isinstance(v, date):
        return v.isoformat()
    raise TypeError(f"cannot write {type(v).__name__} in parameters")


def _evidence_lines(ev: ContractEvidence) -> Iterator[dict[str, Any]]:
    c = ev.contract
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
    yield line
    cid = c.id
    for s in ev.staff:
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
    for r in ev.replacements:
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
    for p in ev.punches:
        yield {"type": "punch", "contract": cid, "person": p.person, "at": _t(p.at)}
    for lv in ev.leaves:
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
    for t in ev.tickets:
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
        }
    for i in ev.incidents:
        yield {
            "type": "incident",
            "contract": cid,
            "id": i.id,
            "level": i.level,
            "occurred_at": _t(i.occurred_at),
            "reported_at": _t(i.reported_at),
        }
    for e in ev.evaluations:
        yield {
            "type": "evaluation",
            "contract": cid,
            "quarter": e.quarter,
            "unit": e.unit,
            "result": e.result.value,
        }
    for pr in ev.praises:
        yield {
            "type": "praise",
            "contract": cid,
            "event": pr.event,
            "level": pr.level.value,
            "at": _t(pr.at),
        }
    for sd in ev.service_delays:
        yield {
            "type": "service_delay",
            "contract": cid,
            "obligation": sd.obligation,
            "due": _d(sd.due),
            "delivered": _d(sd.delivered),
        }


def write_evidence_log(evidences: Iterable[ContractEvidence], out: BinaryIO) -> int:
    """Write canonical v1 lines (contract first, then its facts by type); returns lines."""
    dumps, n = orjson.dumps, 0
    for ev in evidences:
        for line in _evidence_lines(ev):
            out.write(dumps(line, default=_json_default))
            out.write(b"\n")
            n += 1
    return n
