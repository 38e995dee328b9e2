"""Time `opsqm score YEAR --json` end to end, as a user runs it (a fresh process).

    .venv/bin/python bench/score_bench.py [--runs 7] [--log bench/out/year.jsonl]

Reports wall time (best and median), events per second (at the median) and the
peak RSS of the child processes.  The budget: under 0.6 s and 200 MB.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-12-31T18:00:00+08:00"  # after every bench contract's end: final results
BUDGET_S, BUDGET_MB = 0.6, 200


def opsqm_command() -> list[str]:
    script = Path(sys.executable).parent / "opsqm"
    return [str(script)] if script.exists() else [sys.executable, "-m", "opsqm.cli"]


def count_events(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for line in fh if line.strip())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--log", type=Path, default=ROOT / "bench" / "out" / "year.jsonl")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--as-of", default=AS_OF)
    args = ap.parse_args(argv)
    if not args.log.exists():
        print(f"{args.log} is missing: run bench/generate.py first", file=sys.stderr)
        return 2
    # Measure the program, not the compiler: an installed package has its bytecode, but a
    # source checkout run with PYTHONDONTWRITEBYTECODE=1 would recompile it every run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "opsqm")], check=True)
    cmd = [*opsqm_command(), "score", str(args.log), "--as-of", args.as_of, "--json"]
    events = count_events(args.log)
    walls, cpus = [], []
    for _ in range(args.runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if done.returncode != 0:
            print(done.stderr.decode(errors="replace"), file=sys.stderr)
            print(f"opsqm score exited {done.returncode}", file=sys.stderr)
            return 1
    # ru_maxrss of RUSAGE_CHILDREN: the largest peak of any child waited for (KiB on Linux).
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    best, median = min(walls), statistics.median(walls)
    print(f"opsqm score {args.log.name}: {events} events, {args.runs} runs")
    print(f"  wall best {best:.3f} s, median {median:.3f} s (budget {BUDGET_S} s)")
    print(f"  CPU (user+sys, all processes) median {statistics.median(cpus):.3f} s")
    print(f"  {events / median:,.0f} events/s at the median")
    print(f"  peak RSS {peak_mb:.0f} MB (budget {BUDGET_MB} MB)")
    over = median > BUDGET_S or peak_mb > BUDGET_MB
    if over:
        print("  OVER BUDGET", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
