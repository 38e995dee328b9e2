"""A contract's punches, stored as columns rather than one object per punch.

A bureau's year is about 125,000 punches; as `Punch` objects (each with its own
datetime and line number) they were most of the scorer's memory.  Here a punch
in Asia/Shanghai on a whole second is two numbers (12 bytes): its line, and one
int packing its local instant, its person and its kind; any other punch (another
offset, microseconds, a contract past 65,536 people, line 2**32 on) is kept as the
object it was.  Reading it back (iteration, indexing) gives `Punch` objects equal
to the ones stored, in the same order; the attendance rules read the columns.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from typing import Any, overload

from opsqm.pure.assessment.model import TZ, Punch, PunchKind

DAY = 86400
KINDS = (PunchKind.NORMAL, PunchKind.FIELD, PunchKind.MAKEUP)
KIND_CODE = {k: i for i, k in enumerate(KINDS)}
CONFIRMED = 4  # flag bit: a confirmed (makeup) punch
ODD = 255  # flags: the punch is kept as an object in `odd`
# packed = when << WHEN_SHIFT | person index << 8 | flags, where `when` is the local
# instant (day ordinal * 86400 + second of the day, < 2**40): it fits in 64 bits.
WHEN_SHIFT = 24
MAX_PEOPLE = 1 << 16
MAX_LINE = 1 << 32  # the `line` column's unsigned 32 bits


class PunchLog(Sequence[Punch]):
    """Two columns: `packed` (see WHEN_SHIFT) and `line`; `odd` holds by position
    the punches the columns cannot."""

    __slots__ = ("contract", "ids", "line", "odd", "packed", "persons")

    def __init__(self, contract: str, punches: Iterable[Punch] = ()) -> None:
        self.contract = contract
        self.persons: list[str] = []
        self.ids: dict[str, int] = {}  # person -> index << 8 (their bits in `packed`)
        # Unsigned: every packed value is >= 0, and array("Q").append converts an int
        # directly where "q" goes through PyArg_Parse (~20 ns a punch).
        self.packed = array("Q")
        self.line = array("I")  # a log of more than 2**32 lines keeps the rest whole
        self.odd: dict[int, Punch] = {}  # position -> a punch the columns cannot hold
        for p in punches:
            self.append(p)

    def person_bits(self, person: str) -> int | None:
        """The person's bits in `packed`; None past MAX_PEOPLE in one contract."""
        i = self.ids.get(person)
        if i is None:
            if len(self.persons) >= MAX_PEOPLE:
                return None
            i = self.ids[person] = len(self.persons) << 8
            self.persons.append(person)
        return i

    def append(self, p: Punch) -> None:
        at = p.at
        bits = self.person_bits(p.person)
        if (
            bits is not None
            and at.tzinfo is TZ
            and not at.microsecond
            and not at.fold
            and p.contract == self.contract
            and 0 <= p.line < MAX_LINE
        ):
            when = at.toordinal() * DAY + at.hour * 3600 + at.minute * 60 + at.second
            flags = KIND_CODE[p.kind] | (CONFIRMED if p.confirmed else 0)
            self.packed.append(when << WHEN_SHIFT | bits | flags)
            self.line.append(p.line)
            return
        self.odd[len(self.line)] = p
        self.packed.append(ODD)
        self.line.append(0)

    def make(self, person: str, when: int, line: int, kind: int, confirmed: bool) -> Punch:
        """The `Punch` of a row of the columns."""
        day, sec = divmod(when, DAY)
        at = datetime.combine(
            date.fromordinal(day), time(sec // 3600, sec // 60 % 60, sec % 60), TZ
        )
        return Punch(self.contract, person, at, line, KINDS[kind], confirmed)

    def _punch(self, i: int) -> Punch:
        v = self.packed[i]
        f = v & 255
        if f == ODD:
            return self.odd[i]
        person = self.persons[v >> 8 & 0xFFFF]
        return self.make(person, v >> WHEN_SHIFT, self.line[i], f & 3, bool(f & CONFIRMED))

    def __len__(self) -> int:
        return len(self.line)

    def __iter__(self) -> Iterator[Punch]:
        return map(self._punch, range(len(self.line)))

    @overload
    def __getitem__(self, i: int) -> Punch: ...
    @overload
    def __getitem__(self, i: slice) -> list[Punch]: ...
    def __getitem__(self, i: int | slice) -> Punch | list[Punch]:
        if isinstance(i, slice):
            return [self._punch(j) for j in range(*i.indices(len(self)))]
        n = len(self.line)
        if not -n <= i < n:
            raise IndexError("punch index out of range")
        return self._punch(i % n)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PunchLog | list | tuple):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like the list it replaces

    def __repr__(self) -> str:
        return f"PunchLog({self.contract!r}, {list(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (PunchLog, (self.contract, list(self)))
