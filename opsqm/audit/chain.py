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
    kind: str  # "edited" | "deleted_or_inserted" | "sequence_gap"
    detail: str


def verify(records: Iterable[Mapping[str, Any]]) -> list[ChainProblem]:
    """Walk records in `seq` order and name every break in the chain."""
    problems: list[ChainProblem] = []
    prev_hash = GENESIS
    expected_seq = 1
    for rec in records:
        seq = int(rec["seq"])
        if seq != expected_seq:
            problems.append(
                ChainProblem(seq, "sequence_gap", f"expected #{expected_seq}, found #{seq}")
            )
        if rec["prev_hash"] != prev_hash:
            problems.append(
                ChainProblem(
                    seq,
                    "deleted_or_inserted",
                    "previous-hash link does not match the record before it",
                )
            )
        if link_hash(rec["prev_hash"], rec) != rec["hash"]:
            problems.append(ChainProblem(seq, "edited", "content does not match its hash"))
        prev_hash = rec["hash"]
        expected_seq = seq + 1
    return problems
