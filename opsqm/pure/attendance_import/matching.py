"""Matching imported rows to the contract's staff: 工号, then UserId, then name.

A row is matched by the first rule that finds exactly one staff member:
1. 工号 (job number), 2. DingTalk UserId, 3. name, only when no other staff member
has the same name.  The row is left unmatched when its 工号 and UserId point to
two different people, or when an identifier present on both sides disagrees (the
row's UserId is not the staff member's): two people share a name more often than
an export mislabels a UserId, and a wrong match costs the vendor points.
Identifiers are compared after NFKC and stripping; names also without inner
spaces ("张  三" = "张三").  A matched 工号 or UserId is never overridden by a
name.  Unmatched rows go to a review list.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, NamedTuple, Protocol, TypeVar

P = TypeVar("P", bound=Hashable)


class PersonRow(Protocol):
    @property
    def name(self) -> str | None: ...
    @property
    def job_number(self) -> str | None: ...
    @property
    def user_id(self) -> str | None: ...


R = TypeVar("R", bound=PersonRow)


@dataclass(frozen=True, slots=True)
class StaffRef(Generic[P]):
    """A staff member as the caller knows them; `person` is returned on a match
    (a person id, a model pk, the model instance itself…)."""

    person: P
    name: str
    job_number: str | None = None
    dingtalk_user_id: str | None = None


class MatchResult(NamedTuple, Generic[R, P]):
    matched: list[tuple[R, P]]
    unmatched: list[R]


def _ident(value: object) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text or None


def _name(value: object) -> str | None:
    if value is None:
        return None
    return "".join(unicodedata.normalize("NFKC", str(value)).split()) or None


class _Index(Generic[P]):
    def __init__(self, staff: Iterable[StaffRef[P]]) -> None:
        self.by_job: dict[str, list[StaffRef[P]]] = {}
        self.by_uid: dict[str, list[StaffRef[P]]] = {}
        self.by_name: dict[str, list[StaffRef[P]]] = {}
        for ref in staff:
            for index, key in (
                (self.by_job, _ident(ref.job_number)),
                (self.by_uid, _ident(ref.dingtalk_user_id)),
                (self.by_name, _name(ref.name)),
            ):
                if key is not None:
                    index.setdefault(key, []).append(ref)

    def find(self, name: str | None, job: str | None, uid: str | None) -> StaffRef[P] | None:
        by_job, by_uid = _unique(self.by_job, job), _unique(self.by_uid, uid)
        if by_job is not None and by_uid is not None and by_job is not by_uid:
            return None  # 工号 and UserId name two different people
        if by_job is not None or by_uid is not None:
            hit = by_job if by_job is not None else by_uid
            assert hit is not None
            return hit if _consistent(hit, job, uid) else None
        by_name = _unique(self.by_name, name)
        return by_name if by_name is not None and _consistent(by_name, job, uid) else None


def _unique(index: dict[str, list[StaffRef[P]]], key: str | None) -> StaffRef[P] | None:
    found = index.get(key, []) if key is not None else []
    return found[0] if len(found) == 1 else None


def _consistent(ref: StaffRef[P], job: str | None, uid: str | None) -> bool:
    ref_job, ref_uid = _ident(ref.job_number), _ident(ref.dingtalk_user_id)
    if job is not None and ref_job is not None and job != ref_job:
        return False
    return uid is None or ref_uid is None or uid == ref_uid


def match_people(rows: Iterable[R], staff: Iterable[StaffRef[P]]) -> MatchResult[R, P]:
    """Split `rows` (DingTalkPunch, DingTalkDay…) into (row, person) pairs and the
    rows no staff member matches, both in input order."""
    index = _Index(staff)
    cache: dict[tuple[str | None, str | None, str | None], StaffRef[P] | None] = {}
    matched: list[tuple[R, P]] = []
    unmatched: list[R] = []
    for row in rows:
        key = (_name(row.name), _ident(row.job_number), _ident(row.user_id))
        if key not in cache:  # an export repeats the same few people on every row
            cache[key] = index.find(*key)
        ref = cache[key]
        if ref is None:
            unmatched.append(row)
        else:
            matched.append((row, ref.person))
    return MatchResult(matched, unmatched)
