"""Reading a file or a byte string in blocks, with the canonical punch line matched
by one regular expression over the whole block.

Most of a year's lines are punches in the one shape the writer produces
(``{"type":"punch","contract":…,"person":…,"at":"YYYY-MM-DDTHH:MM:SS+08:00"}``).
`_LINES.findall` splits a decoded block into lines and takes such a line apart in C,
so a punch costs no JSON decoding, no dict and no datetime; every other line (and a
punch in any other shape) is handed to the reader's line-by-line path with the very
bytes it would have read, so verdicts and wordings are those of that path.
"""

from __future__ import annotations

import re
from typing import IO, TYPE_CHECKING

from opsqm.pure.assessment.evidence_log.fast import _text_ticket
from opsqm.pure.assessment.evidence_log.values import _TS_DATES
from opsqm.pure.assessment.model import PunchKind
from opsqm.pure.assessment.punchlog import DAY, KIND_CODE, MAX_LINE, WHEN_SHIFT

if TYPE_CHECKING:
    from opsqm.pure.assessment.evidence_log.reader import _Reader

BLOCK = 1 << 16  # small: the block and its matches are short-lived, not the peak

# One match a line (re.M, `.` never crosses "\n", the only line break of the log).
# Ids without escapes or control characters are their own JSON text; the timestamp's
# digits are checked here, its ranges by the lookups below (a miss: generic path).
# The contract and person come as one group (`_WHO` between them): one lookup a punch.
_WHO = '","person":"'
_LINES = re.compile(
    r'^(?:\{"type":"punch","contract":"([^"\\\x00-\x1f]+' + _WHO + r'[^"\\\x00-\x1f]+)",'
    r'"at":"(([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}:[0-9]{2}:[0-9]{2})\+08:00)"\}\r?'
    r"|([^\n]*))$",
    re.M,
).findall
_TICKET = '{"type":"ticket",'  # a line to try _text_ticket on
_HM = {f"{h:02}:{m:02}": h * 3600 + m * 60 for h in range(24) for m in range(60)}
_SS = {f"{s:02}": s for s in range(60)}
_NORMAL = KIND_CODE[PunchKind.NORMAL]
assert _NORMAL == 0  # an unconfirmed normal punch packs no flag bits

# A canonical date's first second as the punch log stores it (see PunchLog.when).
_DAY_START: dict[str, int] = {}


def _day_start(day: str) -> int:
    """A date seen in a validated timestamp (KeyError for any other: the generic path)."""
    start = _DAY_START[day] = _TS_DATES[day].toordinal() * DAY
    return start


# A time of day "HH:MM:SS" (digits and colons checked by _LINES) as seconds, filled
# as times are seen: one lookup a punch instead of two (a year of punches has a few
# thousand different times, at most 86,400).  KeyError for one that does not exist.
_TOD: dict[str, int] = {}


def _tod(hms: str) -> int:
    secs = _TOD[hms] = _HM[hms[:5]] + _SS[hms[6:]]
    return secs


def read_file(reader: _Reader, fh: IO[bytes]) -> None:
    """Every line of `fh` (after any BOM), as iterating it would give them."""
    lineno, rest = 1, b""
    while block := fh.read(BLOCK):
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
    known, line, generic = reader.known, reader.line, reader.generic
    day_start, tod, shift = _DAY_START, _TOD, WHEN_SHIFT
    others = tickets = 0
    text_ticket = _text_ticket
    cur = None  # the bucket of the last canonical punch, and its columns
    pday, pstart = "", 0  # the date of the last one and its first second
    rows = _LINES(text)
    # Line numbers from MAX_LINE on do not fit the punch log's column: tested a punch
    # only in a block that reaches them.
    big = lineno + len(rows) > MAX_LINE
    for who, v, day, hms, other in rows:
        if who:
            # The dict fast path of reader.line, on the matched text: defined contract,
            # known person (both found once, then by `who`), a date and time that exist.
            found = known.get(who)
            if found is None:
                found = reader.who(who)
                if found is not None:
                    known[who] = found
            if found is None:
                at = 0
            else:
                b, person, bits = found
                try:
                    if day != pday:  # a contract's punches come in runs of one date
                        pstart = day_start.get(day) or _day_start(day)
                        pday = day
                    at = pstart + (tod.get(hms) or _tod(hms))
                except KeyError:
                    at = 0
            if not at or (big and lineno >= MAX_LINE):
                cid, person = who.split(_WHO)
                obj = {"type": "punch", "contract": cid, "person": person, "at": v}
                generic(lineno, "punch", obj)
            else:
                if b is not cur:  # a contract's punches mostly come in runs
                    cur, last, dirty, packed, lines = b, b.last, b.dirty, b.packed, b.lines
                prev = last.get(person)  # see _Bucket.last
                if prev is None or v > prev:
                    last[person] = v
                    if dirty and person in dirty:
                        dirty[person].add(v)
                    packed.append(at << shift | bits)
                    lines.append(lineno)
                else:
                    punch = b.punches.make(person, at, lineno, _NORMAL, False)
                    reader.punch_again(b, punch, v)
        else:
            others += 1  # the punches are counted as the rest of the rows
            if other:
                t = text_ticket(other, lineno) if other.startswith(_TICKET) else None
                if t is None:
                    line(lineno, other.encode() + nl)
                else:
                    tickets += 1
                    reader.ticket(t, lineno)
        lineno += 1
    reader.counts["punch"] += len(rows) - others
    reader.counts["ticket"] += tickets
    return lineno
