"""Time `opsqm score YEAR --json` end to end, as a user runs it (a fresh process).

    .venv/bin/python bench/score_bench.py [--runs 7] [--log bench/out/year.jsonl]
        [--baseline DIR]      # also a checkout of the baseline, runs interleaved
        [--scale 1,4,10]      # linearity: logs of 50 x N contracts (bench/generate.py)
        [--cores 1]           # on one core: `opsqm score` then reads the log whole

Reports wall time (best and median), CPU, events per second, the peak RSS of the
process, and the memory per event: (peak RSS - peak RSS of the same command on a
one-contract log) / events, i.e. what the log costs beyond the interpreter and
its imports.  CPU is that of the command and its child together (a large log is
scored in two halves at once, opsqm/pure/assessment/halves.py); the peak RSS that
wait4 gives is the larger of the two processes' (docs/benchmarks.md, Round 5, has
their sum).  Budgets (issue 18): median under 0.35 s and at most 120 bytes per
event on the bench year; with --scale, time and memory per event stay flat.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-12-31T18:00:00+08:00"  # after every bench contract's end: final results
BUDGET_S, BUDGET_B = 0.35, 120
TINY = ROOT / "examples" / "sample-year.jsonl"  # the interpreter-and-imports floor


@dataclass
class Runs:
    label: str
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)


def count_events(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for line in fh if line.strip())


def _rusage_run(
    cmd: list[str], code: Path, env: dict[str, str], cores: int = 0
) -> tuple[float, int]:
    """A fresh process with `code` first on the path: (CPU s, peak RSS KiB), from its
    own rusage (wait4), not the largest of every child so far; with `cores`, on that
    many cores only (as `taskset` would)."""
    pid = os.fork()
    if pid == 0:  # the child: exec the command with its output thrown away
        if cores:
            os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:cores])
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.chdir(code)
        os.execve(cmd[0], cmd, env)
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} (in {code}) exited {os.waitstatus_to_exitcode(status)}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def measure(
    codes: dict[str, Path], log: Path, runs: int, as_of: str, cores: int = 0
) -> dict[str, Runs]:
    """Interleaved (A B A B …) so that both sides see the same load."""
    out = {label: Runs(label) for label in codes}
    for _ in range(runs):
        for label, code in codes.items():
            wall = time.perf_counter()
            cpu, rss = _rusage_run(
                [sys.executable, "-m", "opsqm.cli", "score", str(log), "--as-of", as_of, "--json"],
                code,
                {**os.environ, "PYTHONPATH": str(code)},
                cores,
            )
            out[label].walls.append(time.perf_counter() - wall)
            out[label].cpus.append(cpu)
            out[label].rss_kb.append(rss)
    return out


def report(log: Path, events: int, result: dict[str, Runs], floor: dict[str, int]) -> bool:
    ok = True
    print(
        f"opsqm score {log.name}: {events:,} events, {len(next(iter(result.values())).walls)} runs"
    )
    for label, r in result.items():
        best, med = min(r.walls), statistics.median(r.walls)
        peak = max(r.rss_kb)
        per_event = (peak - floor[label]) * 1024 / events
        print(
            f"  {label:9} wall best {best:.3f} s, median {med:.3f} s; CPU median "
            f"{statistics.median(r.cpus):.3f} s; {events / med:,.0f} events/s; "
            f"{statistics.median(r.cpus) / events * 1e6:.2f} µs CPU/event; peak RSS "
            f"{peak / 1024:.1f} MB (the larger process), {per_event:.0f} B/event over "
            f"{floor[label] / 1024:.1f} MB"
        )
        if label == "this":
            ok = med <= BUDGET_S and per_event <= BUDGET_B
    return ok


def generate(contracts: int) -> Path:
    out = ROOT / "bench" / "out" / f"year-{contracts}.jsonl"
    if not out.exists():
        gen = [sys.executable, str(ROOT / "bench" / "generate.py"), "--contracts", str(contracts)]
        subprocess.run([*gen, "--out", str(out)], check=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--log", type=Path, default=ROOT / "bench" / "out" / "year.jsonl")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--as-of", default=AS_OF)
    ap.add_argument("--baseline", type=Path, help="a checkout of the baseline to run alongside")
    ap.add_argument("--scale", help="comma-separated multiples of 50 contracts, e.g. 1,4,10")
    ap.add_argument(
        "--cores", type=int, default=0, help="run the commands on this many cores (1: one process)"
    )
    args = ap.parse_args(argv)
    codes = {"this": ROOT}
    if args.baseline:
        codes["baseline"] = args.baseline.resolve()
    for code in codes.values():  # measure the program, not the bytecode compiler
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "opsqm")], check=True)
    floor = {k: max(v.rss_kb) for k, v in measure(codes, TINY, 3, args.as_of, args.cores).items()}
    logs = [generate(50 * int(n)) for n in args.scale.split(",")] if args.scale else [args.log]
    ok = True
    for log in logs:
        if not log.exists():
            print(f"{log} is missing: run bench/generate.py first", file=sys.stderr)
            return 2
        result = measure(codes, log, args.runs, args.as_of, args.cores)
        ok = report(log, count_events(log), result, floor) and ok
    print(f"  budget on the bench year: median <= {BUDGET_S} s, <= {BUDGET_B} B/event")
    if not ok and not args.scale:
        print("  OVER BUDGET", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
