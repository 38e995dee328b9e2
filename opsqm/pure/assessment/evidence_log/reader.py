"""The reader: one pass over the lines, fast paths for the bulk types (punch, ticket),
the generic schema-driven path for everything else, then the references checked.

Every check is within one contract (its lines, staff, ids): `opsqm score` relies on it
to read a log's halves apart (opsqm.pure.assessment.halves)."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import orjson

from opsqm.pure.assessment.evidence_log.blocks import (
    _DAY_START,
    _WHO,
    _day_start,
    read_bytes,
    read_file,
)
from opsqm.pure.assessment.evidence_log.fast import _fast_ticket
from opsqm.pure.assessment.evidence_log.issues import (
    MAX_ISSUES,
    EvidenceIssue,
    EvidenceLogError,
    EvidenceScan,
    Source,
)
from opsqm.pure.assessment.evidence_log.schema import _TYPE_LIST, NUL, REQ, SCHEMA, TYPES
from opsqm.pure.assessment.evidence_log.values import (
    _Bad,
    _expect,
    _show,
    _time_iso,
    _type_name,
)
from opsqm.pure.assessment.model import (
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
    default_final_payment,
)
from opsqm.pure.assessment.punchlog import KIND_CODE, MAX_LINE, WHEN_SHIFT, PunchLog

# The punch fast path looks a kind up here: an unknown one (KeyError) or an
# unhashable one (TypeError) goes to the generic path, which names the error.
_PUNCH_KINDS = {k.value: KIND_CODE[k] for k in PunchKind}


class _Bucket:
    """What the log says about one contract id, while reading."""

    __slots__ = (
        "cid", "defined", "dirty", "ev", "first_ref", "last", "lines", "names", "packed", "pending",
        "persons", "punches", "seen_ids", "ticket_ids", "tickets",
    )  # fmt: skip

    def __init__(self, cid: str) -> None:
        self.cid = cid  # the one string object every record of this contract shares
        self.defined = False
        # A placeholder contract until its line is read: lines may reference it first.
        self.ev = ContractEvidence(
            Contract(cid, "", "", Decimal(0), Decimal(0), date.min, date.min)
        )
        # Punches as columns (opsqm.pure.assessment.punchlog): most of a year's lines.
        self.punches = PunchLog(cid)
        self.ev.punches = self.punches
        self.packed, self.lines = self.punches.packed, self.punches.line
        # person -> (its interned string, its bits in the punch log's packed column)
        self.names: dict[str, tuple[str, int]] = {}
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
        # blocks: a canonical punch line's head (all before its timestamp) → the
        # contract's bucket, the person and their bits (found once by `who`)
        self.heads: dict[str, tuple[_Bucket, str, int]] = {}
        self.duplicates = 0

    def bad(self, line: int, field: str, reason: str) -> None:
        self.issues.append(EvidenceIssue(line, field, reason))

    def bucket(self, cid: str) -> _Bucket:
        b = self.buckets.get(cid)
        if b is None:
            b = self.buckets[cid] = _Bucket(cid)
        return b

    def who(self, who: str) -> tuple[_Bucket, str, int] | None:
        """The bucket, person and bits of a canonical punch's `who` (blocks._WHO): a
        defined contract and a person its punch log knows; None for the generic path."""
        cid, person = who.split(_WHO)
        b = self.live.get(cid)
        found = None if b is None else b.names.get(person)
        return None if b is None or found is None else (b, *found)

    # -- the main loop: fast paths first, generic path for everything else --

    def read(self, source: Source) -> None:
        if isinstance(source, str | os.PathLike):
            self.read_path(source)
        elif isinstance(source, bytes | bytearray | memoryview):
            data = bytes(source)
            read_bytes(self, data[3:] if data.startswith(_BOM) else data)
        else:
            self.read_lines(_strip_bom(iter(source)))
        self.finish()

    def read_path(
        self, path: str | os.PathLike[str], start: int = 0, size: int = -1, line: int = 1
    ) -> None:
        """The file in blocks (no copy of it in memory), a BOM at its start skipped; or
        `size` bytes of it from byte `start`, a line's first, whose number is `line`
        (see opsqm.pure.assessment.halves)."""
        with open(path, "rb") as fh:
            if start:
                fh.seek(start)
            elif fh.read(3) != _BOM:
                fh.seek(0)
            elif size > 0:
                size -= 3
            read_file(self, fh, size, line)

    def read_lines(self, lines: Iterable[bytes | str], first_line: int = 1) -> int:
        """Line by line; the number of the line after the last."""
        line = self.line
        lineno = first_line - 1
        for lineno, raw in enumerate(lines, first_line):
            line(lineno, raw)
        return lineno + 1

    def line(self, lineno: int, raw: bytes | str) -> None:
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            if raw.strip():
                self.bad(lineno, "", f"invalid JSON ({exc}); expected one JSON object per line")
            return
        try:
            kind = obj["type"]
        except KeyError:
            kind = None
        except TypeError:  # a list, string, number, true/false or null
            self.bad(lineno, "", f"not a JSON object ({_type_name(obj)}); expected {{...}}")
            return
        if kind == "punch":
            self.counts["punch"] += 1
            self.punch(lineno, obj)
        elif kind == "ticket":
            self.counts["ticket"] += 1
            t = _fast_ticket(obj, lineno)
            if t is None:
                self.generic(lineno, "ticket", obj)
                return
            self.ticket(t, lineno)
        else:
            self.other(lineno, kind, obj)

    def ticket(self, t: Ticket, lineno: int) -> None:
        """A ticket of a fast path: accept_ticket, inlined for a defined contract."""
        tb = self.live.get(t.contract)
        if tb is None or (t.resolved_at is not None and t.resolved_at < t.dispatched_at):
            self.accept_ticket(t, lineno)
            return
        t.contract = tb.cid
        if tb.ticket_ids.setdefault(t.id, lineno) == lineno:
            tb.tickets.append(t)
        else:
            self.duplicate(tb, "ticket", t.id, lineno)

    def punch(self, lineno: int, obj: dict[str, Any]) -> None:
        """A punch line of any shape (the canonical one is read by blocks.read_block).
        Fast path: defined contract, known person, canonical timestamp; anything else
        (a non-string raises TypeError) goes to the generic path."""
        at = None
        try:
            b = self.live[obj["contract"]]
            person, bits = b.names[obj["person"]]
            v = obj["at"]
            pkind = _PUNCH_KINDS[obj.get("kind", "normal")]
            confirmed = obj.get("confirmed", False)
            if (
                v[19:] == "+08:00"
                and len(v) == 25
                and v[10] == "T"
                and v[13] == v[16] == ":"  # or time_iso takes "08:52+08" (an offset)
                and type(confirmed) is bool
                and lineno < MAX_LINE
            ):
                start = _DAY_START.get(v[:10]) or _day_start(v[:10])
                hms = _time_iso(v[11:19])
                at = start + hms.hour * 3600 + hms.minute * 60 + hms.second
        except (KeyError, TypeError, ValueError):
            at = None
        if at is None:
            self.generic(lineno, "punch", obj)
            return
        self.keep_punch(b, person, bits, at, v, lineno, pkind, confirmed)

    def keep_punch(
        self,
        b: _Bucket,
        person: str,
        bits: int,
        at: int,
        v: str,
        lineno: int,
        kind: int = 0,
        confirmed: bool = False,
    ) -> None:
        """A punch of a fast path, `at` its local instant (PunchLog.when) and `v` its
        canonical timestamp (== at.isoformat(); see _Bucket.last): in the columns when
        it is after the person's latest, else to punch_again.  (blocks.read_block has
        this inline for the canonical punch line: a year of them.)"""
        prev = b.last.get(person)
        if prev is None or v > prev:
            b.last[person] = v
            if b.dirty and person in b.dirty:
                b.dirty[person].add(v)
            b.packed.append(at << WHEN_SHIFT | bits | kind | confirmed << 2)
            b.lines.append(lineno)
        else:
            self.punch_again(b, b.punches.make(person, at, lineno, kind, confirmed), v)

    def other(self, lineno: int, kind: Any, obj: dict[str, Any]) -> None:
        """A line of any type but the two bulk ones (or of no known type)."""
        if type(kind) is str and kind in SCHEMA:
            self.counts[kind] += 1
            self.generic(lineno, kind, obj)
        elif kind is None:
            self.bad(lineno, "type", f"missing field type; expected one of {_TYPE_LIST}")
        else:
            self.bad(lineno, "type", f"unknown type {_show(kind)}; expected one of {_TYPE_LIST}")

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
        if kind == "contract" and kw.get("final_payment") is None:
            kw["final_payment"] = default_final_payment(kw["amount"])  # spec §3: 25 %
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
        bits = b.punches.person_bits(s.person)
        if bits is not None:  # else their punches take the generic path
            b.names[s.person] = (s.person, bits)
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


def scan_evidence_part(
    path: str | os.PathLike[str], start: int, size: int, line: int
) -> EvidenceScan:
    """A part of a log file as if it were the whole log (see _Reader.read_path)."""

    def read(reader: _Reader) -> None:
        reader.read_path(path, start, size, line)
        reader.finish()

    return _scan(read)


def read_evidence_log(source: Source) -> dict[str, ContractEvidence]:
    """Contract id -> evidence, in order of definition; EvidenceLogError lists every bad line."""
    scan = scan_evidence_log(source)
    if scan.issues:
        raise EvidenceLogError(scan.issues)
    return scan.evidence


def validate_evidence_log(source: Source) -> list[EvidenceIssue]:
    return scan_evidence_log(source).issues
