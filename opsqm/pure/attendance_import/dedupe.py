"""Dropping punches already imported.

Identity of a punch = (person, instant truncated to the minute).  Seconds do not
count: the assessment compares punches at minute precision (assessment.md §1),
the daily statistics carry no seconds while the raw records may, and the same
punch must not be stored twice when both exports of one period are imported.
Instants are compared as instants (an aware 08:52+08:00 equals 00:52Z).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import datetime
from typing import Protocol, TypeVar

P = TypeVar("P", bound=Hashable)


class HasPunchTime(Protocol):
    @property
    def punched_at(self) -> datetime: ...


T = TypeVar("T", bound=HasPunchTime)


def punch_key(person: Hashable, at: datetime) -> tuple[Hashable, datetime]:
    """The identity of a punch.  `at` must be aware."""
    if at.tzinfo is None:
        raise ValueError("punch time must be timezone-aware")
    return person, at.replace(second=0, microsecond=0)


def dedupe_punches(
    existing: Iterable[tuple[P, datetime]], new: Iterable[tuple[T, P]]
) -> list[tuple[T, P]]:
    """The (row, person) pairs of `new` that are not in `existing` (the punches
    already stored) and not repeated earlier in `new`; the first of duplicates wins.
    Importing the same file twice adds nothing; an overlapping file adds the rest."""
    seen = {punch_key(person, at) for person, at in existing}
    kept = []
    for row, person in new:
        key = punch_key(person, row.punched_at)
        if key not in seen:
            seen.add(key)
            kept.append((row, person))
    return kept
