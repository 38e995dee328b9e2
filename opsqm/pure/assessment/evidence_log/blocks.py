"""Reading a file or a byte string in blocks, with the canonical punch line read by
looking its parts up, not by parsing it.

Most of a year's lines are punches in the one shape the writer produces
(``{"type":"punch","contract":…,"person":…,"at":"YYYY-MM-DDTHH:MM:SS+08:00"}``).
Such a line is its *head* (everything before the timestamp), a date and the rest
(``THH:MM:SS+08:00"}``): three strings that repeat all year.  Each is judged once,
when first seen, by the regular expression below and the reader's own checks, and
kept; from then on a punch costs three dictionary lookups on slices of its line, no
regular expression over its characters, no JSON decoding, no dict and no datetime.
Every other line (and a punch in any other shape) is handed to the reader's
line-by-line path with the very bytes it would have read, so verdicts and wordings
are those of that path.
"""

from __future__ import annotations

import re
from typing import IO, TYPE_CHECKING

from opsqm.pure.assessment.evidence_log.fast import _text_ticket
from opsqm.pure.assessment.evidence_log.values import _TS_DATES
from opsqm.pure.assessment.model import PunchKind
from opsqm.pure.assessment.punchlog import DAY, KIND_CODE, MAX_LINE, WHEN_SHIFT

if TYPE_CHECKING:
    from opsqm.pure.assessment.evidence_log.reader import _Bucket, _Reader

BLOCK = 1 << 16  # small: the block and its lines are short-lived, not the peak

# The canonical punch line, judged once per head, date and rest.  Ids without escapes
# or control characters are their own JSON text; the timestamp's digits are checked
# here, its ranges by the lookups below (a miss: the generic path).  The contract and
# person come as one group (`_WHO` between them): one lookup a head.
_WHO = '","person":"'
_PUNCH_LINE = re.compile(
    r'\{"type":"punch","contract":"([^"\\\x00-\x1f]+' + _WHO + r'[^"\\\x00-\x1f]+)",'
    r'"at":"(([0-9]{4}-[0-9]{2}-[0-9]{2})T[0-9]{2}:[0-9]{2}:[0-9]{2}\+08:00)"\}'
).fullmatch
_TAIL = 27  # len('2025-06-16T08:29:52+08:00"}'): the date and the rest of the line
_PUNCH = '{"type":"punch",'  # a line to judge with _PUNCH_LINE
_TICKET = '{"type":"ticket",'  # a line to try _text_ticket on
_HM = {f"{h:02}:{m:02}": h * 3600 + m * 60 for h in range(24) for m in range(60)}
_SS = {f"{s:02}": s for s in range(60)}
_NORMAL = KIND_CODE[PunchKind.NORMAL]
assert _NORMAL == 0  # an unconfirmed normal punch packs no flag bits
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fullmatch

# A canonical date's first second as the punch log stores it (see PunchLog.when).
_DAY_START: dict[str, int] = {}


def _day_start(day: str) -> int:
    """A date "YYYY-MM-DD" seen in a validated timestamp (KeyError for any other, and
    for another spelling of one, e.g. an ISO week date: the generic path)."""
    if not _DATE(day):
        raise KeyError(day)
    start = _DAY_START[day] = _TS_DATES[day].toordinal() * DAY
    return start


# The rest of a canonical punch line after its date ('THH:MM:SS+08:00"}') → the second
# of the day, filled as lines are judged (a year has a few thousand, at most 86,400).
_REST: dict[str, int] = {}


def _rest(rest: str) -> int | None:
    """The second of the day of a new rest 'THH:MM:SS+08:00"}', kept; None for any
    other text.  (Midnight is 0: a caller's `or` sends it here again, harmlessly.)"""
    hm, ss = _HM.get(rest[1:6]), _SS.get(rest[7:9])
    if hm is None or ss is None or rest[0] != "T" or rest[6] != ":" or rest[9:] != '+08:00"}':
        return None
    sec = _REST[rest] = hm + ss
    return sec


def read_file(reader: _Reader, fh: IO[bytes], size: int = -1, lineno: int = 1) -> None:
    """Every line of `fh` from where it stands (after any BOM), as iterating it would
    give them, numbered from `lineno`; with `size` >= 0, only that many bytes."""
    rest = b""
    while block := fh.read(BLOCK if size < 0 else min(BLOCK, size)):
        if size > 0:
            size -= len(block)
        cut = block.rfind(b"\n")
        if cut < 0:
            rest += block
            continue
        lineno = read_block(reader, rest + block[:cut], lineno, b"\n")
        rest = block[cut + 1 :]
    if rest:
        read_block(reader, rest, lineno, b"")


def read_bytes(reader: _Reader, data: bytes) -> None:
    """Every line of `data` (split at "\\n", as `data.split(b"\\n")` gives them)."""
    lineno, start = 1, 0
    while (end := data.find(b"\n", start + BLOCK)) >= 0:
        lineno = read_block(reader, data[start:end], lineno, b"")
        start = end + 1
    read_block(reader, data[start:], lineno, b"")


def read_block(reader: _Reader, chunk: bytes, lineno: int, nl: bytes) -> int:
    """The lines of `chunk` (split at "\\n"), each read as `line + nl`; the next line's
    number.  Invalid UTF-8 anywhere in it: the block line by line, as bytes."""
    try:
        text = chunk.decode()
    except UnicodeDecodeError:
        return reader.read_lines([x + nl for x in chunk.split(b"\n")], lineno)
    heads, line = reader.heads, reader.line
    day_start, rests, shift = _DAY_START, _REST, WHEN_SHIFT
    punches = tickets = 0
    text_ticket = _text_ticket
    cur: _Bucket | None = None  # the bucket of the last canonical punch
    lines = text.split("\n")
    # Line numbers from MAX_LINE on do not fit the punch log's column: such a block
    # takes every punch through the judging path, which sends them to the generic one.
    if lineno + len(lines) > MAX_LINE:
        heads = {}
    for raw in lines:
        found = heads.get(raw[:-_TAIL])
        if found is not None:
            tail = raw[-_TAIL:]
            start = day_start.get(tail[:10])
            sec = rests.get(tail[10:]) or _rest(tail[10:])
            if start is not None and sec is not None:
                b, person, bits = found
                v = tail[:25]  # the canonical timestamp: see _Bucket.last
                if b is not cur:  # a contract's punches mostly come in runs
                    cur, last, dirty, packed, plines = b, b.last, b.dirty, b.packed, b.lines
                prev = last.get(person)
                if prev is None or v > prev:
                    last[person] = v
                    if dirty and person in dirty:
                        dirty[person].add(v)
                    packed.append(start + sec << shift | bits)
                    plines.append(lineno)
                else:
                    punch = b.punches.make(person, start + sec, lineno, _NORMAL, False)
                    reader.punch_again(b, punch, v)
                punches += 1
                lineno += 1
                continue
        if raw.startswith(_PUNCH):
            if _judge_punch(reader, raw, lineno):
                punches += 1
                lineno += 1
                continue
        elif raw.startswith(_TICKET):
            t = text_ticket(raw, lineno)
            if t is not None:
                tickets += 1
                reader.ticket(t, lineno)
                lineno += 1
                continue
        if raw:
            line(lineno, raw.encode() + nl)
        lineno += 1
    reader.counts["punch"] += punches
    reader.counts["ticket"] += tickets
    return lineno


def _judge_punch(reader: _Reader, raw: str, lineno: int) -> bool:
    """A punch line whose head, date or rest is new: read it as the fast path would,
    keeping its parts for the lines after it; False (nothing read) for any line the
    fast path does not take."""
    m = _PUNCH_LINE(raw)
    if m is None or lineno >= MAX_LINE:
        return False
    who, v, day = m.groups()
    found = reader.heads.get(raw[:-_TAIL]) or reader.who(who)
    if found is None:
        return False
    try:
        start = _DAY_START.get(day) or _day_start(day)
    except KeyError:
        return False
    sec = _REST.get(raw[-17:])
    if sec is None:
        sec = _rest(raw[-17:])
        if sec is None:  # a time of day that does not exist
            return False
    # Judged: its three parts are canonical and known, and read the same way again.
    reader.heads[raw[:-_TAIL]] = found
    reader.keep_punch(*found, start + sec, v, lineno)
    return True
