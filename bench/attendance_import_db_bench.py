"""Benchmark of the whole DingTalk import, database included.

A year of raw punch records (原始记录) for 50 contracts × 5 people (≈125,000 rows,
bench/dingtalk_fixture.py) is imported through `opsqm.facts.attendance.services`
exactly as the worker does it (parse + match + dedupe + bulk insert + review list +
audit, one transaction), into a fresh database; then the same file again (adds 0)
and the daily statistics of the same year (same punches without seconds: adds 0).

    .venv/bin/python bench/attendance_import_db_bench.py [--db sqlite|postgres] [--contracts 50]

PostgreSQL: 127.0.0.1:5432, trust auth, a scratch database `opsqm_bench_att` is
created and dropped (or DATABASE_URL).  SQLite: a file in a temporary directory.
Each run is its own process, so the peak RSS is the import's.
Target: < 30 s and < 500 MB for the first import.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
_BENCH_DB = "opsqm_bench_att"  # created and dropped on 127.0.0.1 when no DATABASE_URL is set
sys.path.insert(0, str(ROOT))


def _pg(tool: str) -> list[str]:
    """A PostgreSQL client tool on the local server (trust auth)."""
    return [tool, "-h", "127.0.0.1", "-U", "postgres"]


def _files(contracts: int) -> tuple[Path, Path]:
    from bench.dingtalk_fixture import write_year

    raw = OUT / f"dingtalk_raw_{contracts}x5_365d.xlsx"
    daily = OUT / f"dingtalk_daily_{contracts}x5_365d.xlsx"
    if not raw.exists():
        write_year(raw, contracts, 5, 365, daily=False)
    if not daily.exists():
        write_year(daily, contracts, 5, 365, daily=True)
    return raw, daily


def child(db: str, contracts: int, raw: Path, daily: Path) -> None:
    """Runs in a fresh process with its database configured by the parent."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsqm.edges.web.settings")
    django.setup()
    from datetime import date
    from decimal import Decimal

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bench.dingtalk_fixture import people
    from opsqm.facts.attendance.services import import_xlsx_now
    from opsqm.facts.contracts.models import Contract, Vendor
    from opsqm.facts.staff.models import Punch, StaffMember
    from opsqm.infra.accounts.models import User

    vendor = Vendor.objects.create(name="基准运维公司")
    user = User.objects.create(username="bench", role="assessor")
    staff = people(contracts, 5)
    for c in range(contracts):
        contract = Contract.objects.create(
            code=f"BENCH-{c + 1:03d}",
            title="基准",
            vendor=vendor,
            amount=Decimal("100000.00"),
            final_payment=Decimal("25000.00"),
            start=date(2025, 10, 25),
            end=date(2026, 10, 24),
        )
        StaffMember.objects.bulk_create(
            StaffMember(
                contract=contract,
                person=f"S{p + 1:02d}",
                name=person.name,
                employee_no=person.job_number,
                entered_on=date(2025, 10, 25),
            )
            for p, person in enumerate(staff[c * 5 : (c + 1) * 5])
        )
    results = []
    for label, path in (("raw, first", raw), ("raw, again", raw), ("daily, same year", daily)):
        t0 = time.perf_counter()
        batch = import_xlsx_now(user, path.read_bytes(), path.name)
        took = time.perf_counter() - t0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results.append(
            {
                "db": db,
                "import": label,
                "rows": batch.rows,
                "new": batch.new_punches,
                "duplicates": batch.duplicates,
                "unmatched": batch.unmatched,
                "seconds": round(took, 1),
                "peak_rss_mb": round(rss),
            }
        )
    results.append({"db": db, "punches_stored": Punch.objects.count()})
    print(json.dumps(results, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--contracts", type=int, default=50)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    raw, daily = _files(args.contracts)
    if args.child:
        child(args.db, args.contracts, raw, daily)
        return
    env = dict(os.environ)
    env.setdefault("SECRET_KEY", "bench-only-" + os.urandom(16).hex())  # DEBUG stays off
    with tempfile.TemporaryDirectory() as tmp:
        env["OPSQM_VAR_DIR"] = tmp
        env["OPSQM_FAST_HASHER"] = "1"
        created = False
        if args.db == "postgres":
            url = os.environ.get("DATABASE_URL")
            if not url:
                subprocess.run([*_pg("dropdb"), "--if-exists", _BENCH_DB], check=True)
                subprocess.run([*_pg("createdb"), _BENCH_DB], check=True)
                url = f"postgres://postgres@127.0.0.1:5432/{_BENCH_DB}"
                created = True
            env["DATABASE_URL"] = url
        else:
            env.pop("DATABASE_URL", None)
        try:
            cmd = [sys.executable, __file__, "--child", "--db", args.db]
            cmd += ["--contracts", str(args.contracts)]
            out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
        finally:
            if created:
                subprocess.run([*_pg("dropdb"), "--if-exists", _BENCH_DB], check=False)
        for line in json.loads(out.stdout.strip().splitlines()[-1]):
            print(json.dumps(line, ensure_ascii=False))


if __name__ == "__main__":
    main()
