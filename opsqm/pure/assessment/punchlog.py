"""A contract's punches, stored as columns rather than one object per punch.

A bureau's year is about 125,000 punches; as `Punch` objects (each with its own
datetime and line number) they were most of the scorer's memory.  Here a punch
in Asia/Shanghai on a whole second is four numbers in four arrays (about 17
bytes); any other punch (another offset, microseconds) is kept as the object it
was.  Reading it back (iteration, indexing) gives `Punch` objects equal to the
ones stored, in the same order; the attendance rules read the columns directly.
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
ODD = 255  # flag: the punch is kept as an object in `odd`


class PunchLog(Sequence[Punch]):
    """Columns: person index, local instant (day ordinal * 86400 + second of the
    day, in Asia/Shanghai), line, flags (kind code | CONFIRMED, or ODD)."""

    __slots__ = ("contract", "flags", "ids", "line", "odd", "person", "persons", "when")

    def __init__(self, contract: str, punches: Iterable[Punch] = ()) -> None:
        self.contract = contract
        self.persons: list[str] = []
        self.ids: dict[str, int] = {}
        self.person = array("I")
        self.when = array("q")
        self.line = array("Q")
        self.flags = bytearray()
        self.odd: dict[int, Punch] = {}  # position -> a punch the columns cannot hold
        for p in punches:
            self.append(p)

    def person_index(self, person: str) -> int:
        i = self.ids.get(person)
        if i is None:
            i = self.ids[person] = len(self.persons)
            self.persons.append(person)
        return i

    def add(self, person: str, when: int, line: int, flags: int) -> None:
        """A punch in Asia/Shanghai on a whole second (the reader's fast path)."""
        i = self.ids.get(person)
        self.person.append(self.person_index(person) if i is None else i)
        self.when.append(when)
        self.line.append(line)
        self.flags.append(flags)

    def append(self, p: Punch) -> None:
        at = p.at
        if (
            at.tzinfo is TZ
            and not at.microsecond
            and not at.fold
            and p.contract == self.contract
            and 0 <= p.line < 1 << 64
        ):
            when = at.toordinal() * DAY + at.hour * 3600 + at.minute * 60 + at.second
            flags = KIND_CODE[p.kind] | (CONFIRMED if p.confirmed else 0)
            self.add(p.person, when, p.line, flags)
            return
        self.odd[len(self.flags)] = p
        self.add(p.person, 0, 0, ODD)

    def make(self, person: str, when: int, line: int, kind: int, confirmed: bool) -> Punch:
        """The `Punch` of a row of the columns."""
        day, sec = divmod(when, DAY)
        at = datetime.combine(
            date.fromordinal(day), time(sec // 3600, sec // 60 % 60, sec % 60), TZ
        )
        return Punch(self.contract, person, at, line, KINDS[kind], confirmed)

    def _punch(self, i: int) -> Punch:
        f = self.flags[i]
        if f == ODD:
            return self.odd[i]
        person = self.persons[self.person[i]]
        return self.make(person, self.when[i], self.line[i], f & 3, bool(f & CONFIRMED))

    def __len__(self) -> int:
        return len(self.flags)

    def __iter__(self) -> Iterator[Punch]:
        return map(self._punch, range(len(self.flags)))

    @overload
    def __getitem__(self, i: int) -> Punch: ...
    @overload
    def __getitem__(self, i: slice) -> list[Punch]: ...
    def __getitem__(self, i: int | slice) -> Punch | list[Punch]:
        if isinstance(i, slice):
            return [self._punch(j) for j in range(*i.indices(len(self)))]
        n = len(self.flags)
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
