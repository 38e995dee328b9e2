"""The hash chain of the audit log: canonical content, hashing and verification.

Kept free of ORM queries so that verification can run over any iterable of
records (the database, an export file).

Two versions of the hash, told apart by the record's `key_id` (its version marker):
- `key_id` empty (version 1, records written before the audit key existed): SHA-256
  over the previous hash and the canonical content; anyone can recompute it;
- `key_id` set (version 2): HMAC-SHA-256 with the audit key of that id (a file
  outside the database, opsqm.infra.audit.keys) over the previous hash and the
  canonical content including the key id.  Without the key no one can append,
  rewrite or re-hash a record so that it verifies.
Version-1 records are accepted only before the first version-2 record: an unkeyed
record after a keyed one was written without the key."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "seq", "at", "actor_id", "actor_name", "actor_role", "ip", "action",
    "object_type", "object_id", "summary", "before", "after",
)  # fmt: skip


def canonical(record: Mapping[str, Any], *, keyed: bool = False) -> bytes:
    """The bytes that are hashed: the chained fields (and, keyed, the key id) as
    sorted, compact JSON."""
    names = (*CHAINED_FIELDS, "key_id") if keyed else CHAINED_FIELDS
    content = {name: record.get(name) for name in names}
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def link_hash(prev_hash: str, record: Mapping[str, Any], key: bytes | None = None) -> str:
    """Version 1 (no key): plain SHA-256; version 2: HMAC-SHA-256 with `key`."""
    if key is None:
        return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(record)).hexdigest()
    message = prev_hash.encode() + b"\n" + canonical(record, keyed=True)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def self_check(
    rec: Mapping[str, Any], keys: Mapping[str, bytes], keyed_seen: bool
) -> tuple[bool, list[tuple[str, str, str]]]:
    """Whether a record matches its own hash, and the (kind, detail, reason) of what
    is wrong with it."""
    key_id = str(rec.get("key_id") or "")
    if not key_id:
        ok = link_hash(rec["prev_hash"], rec) == rec["hash"]
        found = [] if ok else [("edited", "content does not match its hash", "hash_mismatch")]
        if keyed_seen:
            detail = "an unkeyed record after keyed ones: written without the audit key"
            found.append(("inserted", detail, "unkeyed"))
        return ok, found
    key = keys.get(key_id)
    if key is None:
        detail = f"signed with the audit key {key_id!r}, which the key file does not hold"
        return False, [("edited", detail, "key_unknown")]
    if hmac.compare_digest(link_hash(rec["prev_hash"], rec, key), str(rec["hash"])):
        return True, []
    detail = "its keyed hash does not match: edited, or written without the audit key"
    return False, [("edited", detail, "hmac_mismatch")]


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # "edited" | "inserted" | "deleted" | "anchor"
    detail: str  # in English, for the command line and the API
    # What the pages translate: a stable code and its numbers (opsqm.infra.audit.labels).
    reason: str = ""
    params: Mapping[str, int] = field(default_factory=dict)


# A gap is named record by record up to this many; the rest as one range (a forged
# sequence number in the billions must not make the check list billions of lines).
NAMED_PER_GAP = 1000


def missing_range(first: int, last: int, where: str, **near: int) -> list[ChainProblem]:
    """ "deleted" problems for the missing records #first … #last; `near` names the
    record the gap is before (`next`) or the chain's end and the anchor (`end`,
    `anchor`)."""
    side = "before" if "next" in near else "after"
    named_to = min(last, first + NAMED_PER_GAP - 1)
    out = [
        ChainProblem(
            seq,
            "deleted",
            f"record #{seq} is missing {where}",
            f"missing_{side}",
            {"seq": seq, **near},
        )
        for seq in range(first, named_to + 1)
    ]
    if named_to < last:
        count = last - named_to
        out.append(
            ChainProblem(
                named_to + 1,
                "deleted",
                f"records #{named_to + 1}–#{last} are missing {where} ({count} records)",
                f"missing_range_{side}",
                {"first": named_to + 1, "last": last, "count": count, **near},
            )
        )
    return out


def verify(
    records: Iterable[Mapping[str, Any]], keys: Mapping[str, bytes] | None = None
) -> list[ChainProblem]:
    """Walk records in `seq` order and name every edited, inserted or deleted record.

    - edited: a record's content no longer matches its own hash, or the record was
      rewritten with a recomputed hash (the next record's link then points nowhere);
    - deleted: a sequence number is missing, or a link points to a record that is
      not there;
    - inserted: the next record's link skips over it to an earlier record.

    Deleting the newest records cannot be seen from the chain alone: compare its
    end with the head anchor (`check_anchor`) or with a head written down earlier.
    """
    recs = list(records)
    problems: list[ChainProblem] = []
    seen: set[tuple[int, str]] = set()

    def report(seq: int, kind: str, detail: str, reason: str, **params: int) -> None:
        if (seq, kind) not in seen:
            seen.add((seq, kind))
            problems.append(ChainProblem(seq, kind, detail, reason, {"seq": seq, **params}))

    index_of_hash: dict[str, int] = {}
    keyed_seen = False
    for i, rec in enumerate(recs):
        seq = int(rec["seq"])
        self_ok, found = self_check(rec, keys or {}, keyed_seen)
        keyed_seen = keyed_seen or bool(rec.get("key_id"))
        for kind, detail, reason in found:
            report(seq, kind, detail, reason)
        prev = recs[i - 1] if i else None
        expected_prev = prev["hash"] if prev is not None else GENESIS
        expected_seq = int(prev["seq"]) + 1 if prev is not None else 1
        gap = seq > expected_seq
        if gap:
            for p in missing_range(expected_seq, seq - 1, f"before #{seq}", next=seq):
                if (p.seq, p.kind) not in seen:
                    seen.add((p.seq, p.kind))
                    problems.append(p)
        if seq < expected_seq:
            report(
                seq,
                "inserted",
                f"sequence number out of order after #{expected_seq - 1}",
                "out_of_order",
                after=expected_seq - 1,
            )
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
                        "linked_past",
                        by=seq,
                    )
            elif self_ok and prev is not None:
                report(
                    int(prev["seq"]),
                    "edited",
                    f"rewritten with a recomputed hash (record #{seq} links to its old hash)",
                    "rehashed",
                    by=seq,
                )
            else:
                report(
                    seq,
                    "deleted",
                    "the link to the previous record is broken: a record was deleted "
                    "before this one, or this record's link was edited",
                    "broken_link",
                )
        index_of_hash.setdefault(rec["hash"], i)
    problems.sort(key=lambda p: (p.seq, p.kind))
    return problems


Head = tuple[int, str]  # (seq, hash) of the newest record, as the anchor holds it


def check_anchor(
    records: Sequence[Mapping[str, Any]], before: Head | None, after: Head | None
) -> list[ChainProblem]:
    """Compare the chain's end with the head anchor, read `before` and `after` the
    records were read (appends may run meanwhile: records up to `after` are covered,
    and every record up to `before` must be there).

    - records after the chain's end up to the anchor are "deleted" (the newest
      records were removed);
    - records beyond the anchor are "inserted" (appended without the application,
      or the anchor was moved back);
    - the record at the anchor with another hash is "edited";
    - a log without an anchor is an "anchor" problem (the anchor was removed).
    """
    problems: list[ChainProblem] = []
    by_seq = {int(r["seq"]): r for r in records}
    end = max(by_seq, default=0)
    if after is None:
        if records:
            problems.append(
                ChainProblem(
                    end,
                    "anchor",
                    "the head anchor is missing: the removal of the newest records "
                    "cannot be checked",
                    "anchor_missing",
                )
            )
        return problems
    if before is not None and before[0] > end:
        where = f"after #{end} (head anchor #{before[0]})"
        problems += missing_range(end + 1, before[0], where, end=end, anchor=before[0])
    for head in dict.fromkeys(h for h in (before, after) if h is not None):
        rec = by_seq.get(head[0])
        if rec is not None and rec["hash"] != head[1]:
            problems.append(
                ChainProblem(
                    head[0],
                    "edited",
                    "the hash differs from the head anchor's",
                    "anchor_hash",
                    {"seq": head[0]},
                )
            )
    beyond = sorted(seq for seq in by_seq if seq > after[0])
    for seq in beyond[:NAMED_PER_GAP]:
        problems.append(
            ChainProblem(
                seq,
                "inserted",
                f"record #{seq} lies beyond the head anchor #{after[0]}",
                "beyond_anchor",
                {"seq": seq, "anchor": after[0]},
            )
        )
    if len(beyond) > NAMED_PER_GAP:
        rest = beyond[NAMED_PER_GAP:]
        problems.append(
            ChainProblem(
                rest[0],
                "inserted",
                f"records #{rest[0]}–#{rest[-1]} lie beyond the head anchor #{after[0]} "
                f"({len(rest)} records)",
                "beyond_anchor_range",
                {"first": rest[0], "last": rest[-1], "count": len(rest), "anchor": after[0]},
            )
        )
    return problems
