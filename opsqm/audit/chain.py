"""The hash chain of the audit log: canonical content, hashing and verification.

Kept free of ORM queries so that verification can run over any iterable of
records (the database, an export file)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "seq", "at", "actor_id", "actor_name", "actor_role", "ip", "action",
    "object_type", "object_id", "summary", "before", "after",
)  # fmt: skip


def canonical(record: Mapping[str, Any]) -> bytes:
    """The bytes that are hashed: the chained fields as sorted, compact JSON."""
    content = {name: record.get(name) for name in CHAINED_FIELDS}
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def link_hash(prev_hash: str, record: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(record)).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # "edited" | "inserted" | "deleted"
    detail: str


def verify(records: Iterable[Mapping[str, Any]]) -> list[ChainProblem]:
    """Walk records in `seq` order and name every edited, inserted or deleted record.

    - edited: a record's content no longer matches its own hash, or the record was
      rewritten with a recomputed hash (the next record's link then points nowhere);
    - deleted: a sequence number is missing, or a link points to a record that is
      not there;
    - inserted: the next record's link skips over it to an earlier record.

    Deleting the newest records cannot be seen from the chain alone: compare the
    head (last seq and hash) with one written down earlier.
    """
    recs = list(records)
    problems: list[ChainProblem] = []
    seen: set[tuple[int, str]] = set()

    def report(seq: int, kind: str, detail: str) -> None:
        if (seq, kind) not in seen:
            seen.add((seq, kind))
            problems.append(ChainProblem(seq, kind, detail))

    index_of_hash: dict[str, int] = {}
    for i, rec in enumerate(recs):
        seq = int(rec["seq"])
        self_ok = link_hash(rec["prev_hash"], rec) == rec["hash"]
        if not self_ok:
            report(seq, "edited", "content does not match its hash")
        prev = recs[i - 1] if i else None
        expected_prev = prev["hash"] if prev is not None else GENESIS
        expected_seq = int(prev["seq"]) + 1 if prev is not None else 1
        gap = seq > expected_seq
        for missing in range(expected_seq, seq):
            report(missing, "deleted", f"record #{missing} is missing before #{seq}")
        if seq < expected_seq:
            report(seq, "inserted", f"sequence number out of order after #{expected_seq - 1}")
        if rec["prev_hash"] != expected_prev and not gap:
            j = index_of_hash.get(rec["prev_hash"])
            if j is not None or (rec["prev_hash"] == GENESIS and i > 0):
                # The chain skips records j+1 … i-1: they were inserted.
                start = j + 1 if j is not None else 0
                for k in range(start, i):
                    report(
                        int(recs[k]["seq"]),
                        "inserted",
                        f"record #{seq} links past it to an earlier record",
                    )
            elif self_ok and prev is not None:
                report(
                    int(prev["seq"]),
                    "edited",
                    f"rewritten with a recomputed hash (record #{seq} links to its old hash)",
                )
            else:
                report(
                    seq,
                    "deleted",
                    "the link to the previous record is broken: a record was deleted "
                    "before this one, or this record's link was edited",
                )
        index_of_hash.setdefault(rec["hash"], i)
    problems.sort(key=lambda p: (p.seq, p.kind))
    return problems
