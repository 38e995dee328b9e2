"""Checkpoints of the audit chain's head, kept outside the database.

The worker appends one line a checkpoint interval (at least hourly) to an
append-only file in the data directory (settings.OPSQM_AUDIT_CHECKPOINT_FILE) and
mails the same line to the audit administrators (opsqm.infra.mail.tasks), whose
mail server's receive time dates it.  A line: JSON with the head's `seq` and keyed
`hash`, the time `at` and a `mac` under the audit key `key_id`, so that a line
cannot be forged without the key either.

`check_checkpoints` compares the records with every checkpoint: a checkpoint naming
a record the log no longer holds (an emptied log, a shortened tail) or holds with
another hash (a rewritten or re-hashed tail) is named.  What was cut after the last
checkpoint is seen by the head anchor only: hence the short interval."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from opsqm.infra.audit.chain import ChainProblem


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str  # ISO 8601, UTC
    key_id: str
    mac: str
    line: int = 0

    def as_json(self) -> str:
        data = {"seq": self.seq, "hash": self.hash, "at": self.at}
        return json.dumps(data | {"key_id": self.key_id, "mac": self.mac}, sort_keys=True)


def checkpoint_mac(key: bytes, seq: int, head_hash: str, at: str) -> str:
    message = f"opsqm-audit-checkpoint\n{seq}\n{head_hash}\n{at}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def make_checkpoint(seq: int, head_hash: str, key_id: str, key: bytes) -> Checkpoint:
    at = datetime.datetime.now(datetime.UTC).isoformat()
    return Checkpoint(seq, head_hash, at, key_id, checkpoint_mac(key, seq, head_hash, at))


def _unreadable(number: int) -> ChainProblem:
    return ChainProblem(
        0,
        "checkpoint",
        f"checkpoint line {number} is not readable",
        "checkpoint_unreadable",
        {"line": number},
    )


def parse_checkpoints(text: str) -> tuple[list[Checkpoint], list[ChainProblem]]:
    """The checkpoints of a file's text (blank and # lines skipped), and a problem
    for every line that is not one."""
    found: list[Checkpoint] = []
    problems: list[ChainProblem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            data = json.loads(line)
            cp = Checkpoint(
                int(data["seq"]),
                str(data["hash"]),
                str(data["at"]),
                str(data["key_id"]),
                str(data["mac"]),
                number,
            )
        except (ValueError, KeyError, TypeError):
            problems.append(_unreadable(number))
            continue
        found.append(cp)
    return found, problems


def _forged(cp: Checkpoint) -> ChainProblem:
    return ChainProblem(
        cp.seq,
        "checkpoint",
        f"checkpoint line {cp.line} ({cp.at}) is not signed with a known audit key: "
        "edited or forged",
        "checkpoint_forged",
        {"seq": cp.seq, "line": cp.line},
    )


def check_checkpoints(
    records: Sequence[Mapping[str, Any]],
    checkpoints: Sequence[Checkpoint],
    keys: Mapping[str, bytes],
) -> list[ChainProblem]:
    """Name every checkpoint the records contradict (see the module's text)."""
    by_seq = {int(r["seq"]): r for r in records}
    end = max(by_seq, default=0)
    problems: list[ChainProblem] = []
    newest: Checkpoint | None = None
    for cp in checkpoints:
        key = keys.get(cp.key_id)
        if key is None or not hmac.compare_digest(
            checkpoint_mac(key, cp.seq, cp.hash, cp.at), cp.mac
        ):
            problems.append(_forged(cp))
            continue
        if cp.seq > 0 and (newest is None or cp.seq > newest.seq):
            newest = cp
        rec = by_seq.get(cp.seq)
        if rec is not None and rec["hash"] != cp.hash:
            problems.append(
                ChainProblem(
                    cp.seq,
                    "edited",
                    f"its hash differs from the checkpoint of {cp.at}: it, or the records "
                    "before it, were rewritten",
                    "checkpoint_hash",
                    {"seq": cp.seq},
                )
            )
    if newest is not None and not by_seq:
        problems.append(
            ChainProblem(
                newest.seq,
                "deleted",
                f"the log is empty, but the checkpoint of {newest.at} names record "
                f"#{newest.seq}: the log was wiped",
                "empty_with_checkpoint",
                {"seq": newest.seq},
            )
        )
    elif newest is not None and newest.seq > end:
        problems.append(
            ChainProblem(
                end + 1,
                "deleted",
                f"records #{end + 1}–#{newest.seq} are missing after the chain's end: "
                f"the checkpoint of {newest.at} names #{newest.seq} (the tail was cut)",
                "checkpoint_tail",
                {"first": end + 1, "last": newest.seq, "end": end},
            )
        )
    return problems


def checkpoint_path() -> Path:
    return Path(settings.OPSQM_AUDIT_CHECKPOINT_FILE)


def append_checkpoint(cp: Checkpoint, path: Path | None = None) -> None:
    """Append one line (O_APPEND; created 0600); synced before returning."""
    path = path or checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (cp.as_json() + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read_checkpoints(path: Path | None = None) -> tuple[list[Checkpoint], list[ChainProblem]]:
    path = path or checkpoint_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], []
    return parse_checkpoints(text)
