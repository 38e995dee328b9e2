"""`opsqm score` on two cores: the log read and assessed in two halves at once.

Contracts are independent of one another: the engine assesses each on its own
evidence, and the reader's checks never cross from one contract to another.  A log
written contract by contract (as `write_evidence_log` and `opsqm export` write it)
can therefore be cut at a contract line near its middle; a forked child reads,
assesses and renders the second half while this process does the first, and the
two outputs are joined in log order.

The result must be the one reading the whole log gives, so the halves are used
only when that is certain: each half read without a single issue, and no contract
id named in both (a contract, its staff, a punch: anything).  Otherwise, or when the
child fails in any way, the caller reads the whole log as before, which also words
every error; nothing of the halves is shown.  A small log, a single usable core or
a platform without fork() is read whole from the start.
"""

from __future__ import annotations

import os
import pickle
import re
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from opsqm.pure.assessment.evidence_log.reader import scan_evidence_part
from opsqm.pure.assessment.model import ContractEvidence

MIN_BYTES = 4 << 20  # below this (~30,000 lines) a fork costs more than it saves
_CONTRACT_LINE = b'\n{"type":"contract",'
_WINDOW = 1 << 16  # the bytes either side of the cut whose contract ids must differ
_CONTRACT_ID = re.compile(rb'"(?:contract|id)":"([^"\\]*)"')

# A part's evidence → its output (JSON array bytes or text parts), raising on a
# rulebook or calendar error (the whole log is then read again, and the error told).
Render = Callable[[dict[str, ContractEvidence]], bytes | list[str]]


@dataclass(frozen=True, slots=True)
class Part:
    """What one process made of its half: usable only if `clean`."""

    clean: bool
    contracts: frozenset[str]
    output: bytes | list[str]


def _cores() -> int:
    """The cores this process may use: its CPU set, and a container's CPU quota."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
    quota = _cgroup_quota()
    return cores if quota is None else min(cores, max(1, int(quota)))


def _cgroup_quota() -> float | None:
    """CPUs' worth of time the cgroup (a container, a systemd unit) may use, if limited:
    cgroup v2 `cpu.max` ("200000 100000": 2), or v1's CFS quota and period."""
    try:
        with open("/sys/fs/cgroup/cpu.max") as fh:
            quota, period = fh.read().split()[:2]
    except (OSError, ValueError):
        try:
            with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") as fh:
                quota = fh.read().strip()
            with open("/sys/fs/cgroup/cpu/cpu.cfs_period_us") as fh:
                period = fh.read().strip()
        except OSError:
            return None
    return _quota(quota, period)


def _quota(quota: str, period: str) -> float | None:
    """A cgroup's quota and period as CPUs; None for no limit ("max", -1) or nonsense."""
    try:
        q, p = int(quota), int(period)
    except ValueError:
        return None
    return q / p if q > 0 and p > 0 else None


def cut(path: str) -> tuple[int, int] | None:
    """Where to cut the log (the byte offset of a contract line, near the middle) and
    its size; None when the log is better read whole."""
    if not hasattr(os, "fork") or _cores() < 2:
        return None
    try:
        size = os.path.getsize(path)
        if size < MIN_BYTES:
            return None
        with open(path, "rb") as fh:
            offset = _next_contract(fh, size // 2, size * 3 // 4)
            if offset is None:
                return None
            fh.seek(max(0, offset - _WINDOW))
            around = fh.read(min(offset, _WINDOW) + _WINDOW)
    except OSError:
        return None  # the whole read reports it
    # A log that interleaves contracts would be read twice (its halves share ids):
    # the ids just before the cut and just after it must differ.
    mid = min(offset, _WINDOW)
    before = set(_CONTRACT_ID.findall(around[:mid]))
    after = set(_CONTRACT_ID.findall(around[mid:]))
    if not before or before & after:
        return None
    return offset, size


def _next_contract(fh: BinaryIO, start: int, end: int) -> int | None:
    """The first byte of the first contract line that starts in [start, end), read in
    small blocks (a year's log is not read into memory to cut it)."""
    at = start
    while at < end:
        fh.seek(at)
        block = fh.read(_WINDOW + len(_CONTRACT_LINE))
        found = block.find(_CONTRACT_LINE)
        if found >= 0:
            return at + found + 1 if at + found + 1 < end else None
        if len(block) <= len(_CONTRACT_LINE):
            return None
        at += _WINDOW
    return None


_UNUSABLE = Part(False, frozenset(), b"")


def _part(path: str, start: int, size: int, line: int, render: Render) -> Part:
    try:
        scan = scan_evidence_part(path, start, size, line)
        if scan.issues:
            return _UNUSABLE
        return Part(True, scan.referenced, render(scan.evidence))
    except Exception:  # unreadable, a rulebook or calendar error: the whole read words it
        return _UNUSABLE


def _first_line(path: str, offset: int) -> int:
    """The number of the line that starts at byte `offset`."""
    n, left = 1, offset
    with open(path, "rb") as fh:
        while left > 0 and (block := fh.read(min(left, 1 << 16))):
            n += block.count(b"\n")
            left -= len(block)
    return n


def score_in_halves(path: str, where: tuple[int, int], render: Render) -> list[Part] | None:
    """The two halves' parts, in log order; None to read the whole log instead."""
    if threading.active_count() > 1:
        return None  # a fork copies one thread of many: not in a server or a test run
    offset, size = where
    sys.stdout.flush()
    sys.stderr.flush()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the second half, its part pickled to the pipe
        code = 1
        try:
            os.close(r)
            part = _part(path, offset, size - offset, _first_line(path, offset), render)
            with os.fdopen(w, "wb") as out:
                out.write(pickle.dumps(part, pickle.HIGHEST_PROTOCOL))
            code = 0
        finally:
            os._exit(code)  # no atexit, no buffers of the parent flushed twice
    os.close(w)
    try:
        mine = _part(path, 0, offset, 1, render)
    except BaseException:  # Ctrl-C: the child's half is of no use any more
        os.close(r)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    with os.fdopen(r, "rb") as fh:
        data = fh.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not data or not mine.clean:
        return None
    theirs = pickle.loads(data)
    if not theirs.clean or mine.contracts & theirs.contracts:
        return None
    return [mine, theirs]


def json_pieces(arrays: list[bytes]) -> list[bytes | memoryview]:
    """JSON arrays as orjson writes them with OPT_INDENT_2, as the pieces of one array
    written the same way ("[]" when empty, else "[\n  …\n]"); written one after
    another, not joined: the output is not copied again (a year's is ~0.8 MB)."""
    items = [memoryview(a)[2:-2] for a in arrays if a != b"[]"]
    if len(items) == 1:
        return [next(a for a in arrays if a != b"[]")]
    if not items:
        return [b"[]"]
    pieces: list[bytes | memoryview] = [b"[\n"]
    for item in items:
        pieces += [item, b",\n"]
    pieces[-1] = b"\n]"
    return pieces
