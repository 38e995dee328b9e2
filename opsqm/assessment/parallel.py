"""Score a large evidence log on two cores: each process reads and assesses one half.

A log exported by the platform lists each contract's lines together, so cutting it at a
contract line near the middle gives two halves that share no contract, and each half can
be read and assessed on its own.  That is checked, never assumed: if the halves name a
common contract id, or either half has any issue, or the child fails in any way, the
answer is None and the caller takes the plain single-process path, which alone words
errors.  Only the finished ledgers (small) cross the process boundary.

POSIX only (fork); elsewhere, and for small logs, the answer is None at once.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable

from opsqm.assessment.evidence_log import scan_evidence_log_part
from opsqm.assessment.model import Contract, ContractEvidence, Ledger

MIN_BYTES = 4 << 20  # below ~4 MB a fork saves less than it costs
_CONTRACT_LINE = b'{"type":"contract"'

Scored = list[tuple[Contract, Ledger]]
Scorer = Callable[[dict[str, ContractEvidence]], list[Ledger]]


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))  # the cores this process may use
    return os.cpu_count() or 1


def split_point(path: str | os.PathLike[str], min_bytes: int = MIN_BYTES) -> tuple[int, int] | None:
    """(byte offset, lines before it) of the first contract line past the middle, or None."""
    try:
        size = os.path.getsize(path)
    except OSError:
        return None  # the plain path reports it
    if size < min_bytes:
        return None
    with open(path, "rb") as fh:
        fh.seek(size // 2)
        fh.readline()  # finish the line the middle falls in
        while True:
            offset = fh.tell()
            line = fh.readline()
            if not line:
                return None
            if line.startswith(_CONTRACT_LINE):
                break
        fh.seek(0)
        return offset, fh.read(offset).count(b"\n")


def _half(
    path: str | os.PathLike[str], offset: int, count: int | None, first_line: int, score: Scorer
) -> tuple[frozenset[str], Scored] | None:
    try:
        scan = scan_evidence_log_part(path, offset, count, first_line)
        if scan.issues:
            return None
        ledgers = score(scan.evidence)
        return scan.referenced, [
            (ev.contract, lg) for ev, lg in zip(scan.evidence.values(), ledgers, strict=True)
        ]
    except Exception:  # the single-process path will say what it is
        return None


def score_in_halves(
    path: str | os.PathLike[str], score: Scorer, min_bytes: int = MIN_BYTES
) -> Scored | None:
    """Every contract's (contract, ledger) in log order, or None: use the plain path."""
    if not hasattr(os, "fork") or _cores() < 2:
        return None
    cut = split_point(path, min_bytes)
    if cut is None:
        return None
    offset, lines_before = cut
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: second half, ledgers down the pipe, and never return
        status = 1
        try:
            os.close(read_end)
            result = _half(path, offset, None, lines_before + 1, score)
            with os.fdopen(write_end, "wb") as out:
                out.write(pickle.dumps(result, pickle.HIGHEST_PROTOCOL))
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        mine = _half(path, 0, lines_before, 1, score)
    finally:
        with os.fdopen(read_end, "rb") as inp:
            data = inp.read()
        _, status = os.waitpid(pid, 0)
    theirs = pickle.loads(data) if data and status == 0 else None
    if mine is None or theirs is None or mine[0] & theirs[0]:
        return None
    return mine[1] + theirs[1]
