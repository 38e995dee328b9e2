"""Benchmark of the DingTalk import's parse side: parse + match + dedupe.

Generates (once, via bench/dingtalk_fixture.py) a year of DingTalk exports for
50 contracts × 5 people into bench/out/: the raw punch records (≈125,000 rows)
and the daily statistics (≈62,500 rows, two punches each).  Each file is then
measured in a fresh process so that peak RSS is the import's own.

    .venv/bin/python bench/dingtalk_import_bench.py [--contracts 50] [--regen] [--tracemalloc]
        [--engine auto|calamine|openpyxl]

Target for the whole import, DB writes included: < 30 s and < 500 MB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dingtalk_fixture import people, write_year  # noqa: E402
from opsqm.pure.attendance_import import (  # noqa: E402
    StaffRef,
    dedupe_punches,
    match_people,
    read_dingtalk_xlsx,
)

OUT = ROOT / "bench" / "out"


def measure(path: Path, contracts: int, per: int, trace: bool, engine) -> dict[str, object]:
    if trace:
        tracemalloc.start()
    calls = []
    t0 = time.perf_counter()
    book = read_dingtalk_xlsx(path, progress=lambda done, total: calls.append(done), engine=engine)
    t1 = time.perf_counter()
    staff = [
        StaffRef(p.job_number, p.name, p.job_number, p.user_id) for p in people(contracts, per)
    ]
    matched, unmatched = match_people(book.punches, staff)
    t2 = time.perf_counter()
    first = dedupe_punches(set(), matched)
    stored = {(person, row.punched_at) for row, person in first}
    again = dedupe_punches(stored, matched)  # re-import of the same file
    half = {(person, row.punched_at) for row, person in first[: len(first) // 2]}
    overlap = dedupe_punches(half, matched)
    t3 = time.perf_counter()
    result: dict[str, object] = {
        "file": path.name,
        "engine": engine,
        "size_mb": round(path.stat().st_size / 2**20, 1),
        "punches": len(book.punches),
        "days": len(book.days),
        "matched": len(matched),
        "unmatched": len(unmatched),
        "new_first": len(first),
        "new_reimport": len(again),
        "new_overlap": len(overlap),
        "progress_calls": len(calls),
        "parse_s": round(t1 - t0, 2),
        "match_s": round(t2 - t1, 2),
        "dedupe_s": round(t3 - t2, 2),
        "total_s": round(t3 - t0, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if trace:
        result["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=50)
    parser.add_argument("--people", type=int, default=5)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--regen", action="store_true", help="rewrite the XLSX files")
    parser.add_argument("--tracemalloc", action="store_true", help="also Python heap peak (slower)")
    parser.add_argument("--engine", choices=["auto", "calamine", "openpyxl"], default="auto")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.measure:
        print(
            json.dumps(
                measure(args.measure, args.contracts, args.people, args.tracemalloc, args.engine)
            )
        )
        return
    for daily in (False, True):
        kind = "daily" if daily else "raw"
        path = OUT / f"dingtalk_{kind}_{args.contracts}x{args.people}_{args.days}d.xlsx"
        if args.regen or not path.exists():
            t0 = time.perf_counter()
            rows = write_year(path, args.contracts, args.people, args.days, daily)
            print(f"generated {path.name}: {rows} rows in {time.perf_counter() - t0:.1f} s")
        child = [sys.executable, __file__, "--measure", str(path)]
        child += ["--contracts", str(args.contracts), "--people", str(args.people)]
        child += ["--engine", args.engine]
        if args.tracemalloc:
            child.append("--tracemalloc")
        out = subprocess.run(child, check=True, capture_output=True, text=True).stdout
        print(json.dumps(json.loads(out), ensure_ascii=False))


if __name__ == "__main__":
    main()
