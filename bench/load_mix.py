"""What a bureau sees under load: 20 users mixing the desk's board, ticket pages, the
dashboards, the ledger and API writes, against the server and worker as `make run`
starts them, on loopback only.

    .venv/bin/python bench/load_mix.py [--users 20] [--duration 20] [--max-requests 20000]

Uses the database of bench/ticket_board_bench.py (seeded there; DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/opsqm_bench).  Bounded: it stops after --duration
seconds or --max-requests requests, whichever comes first.  Each user is a thread with
its own keep-alive connection and no think time; one in --write-every requests is an
API write (a vendor engineer records work on an open ticket: evidence changes, so the
kept ledger of that contract goes stale and the worker recomputes it).  Reports
p50/p95/p99 per page, and the worker queue's lag (a job's start minus the instant it
was due) over the run.  Exits 1 on any 5xx or transport error.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ticket_board_bench as tb  # the seeded database, the server, the login

ENGINEER = "bench_engineer"
# page → weight of the mix (per 100 requests, writes apart)
MIX = {"board": 35, "filtered": 10, "ticket": 30, "dashboards": 10, "ledger": 10, "ledger1": 5}


def engineer_token(contract_id: int) -> tuple[str, list[int]]:
    """A vendor engineer of the contract's vendor with an API token, and open tickets
    of that contract to write on."""
    from opsqm.facts.contracts.models import Contract
    from opsqm.facts.tickets.models import Ticket
    from opsqm.infra.accounts.models import User
    from opsqm.infra.core.roles import Role

    contract = Contract.objects.get(pk=contract_id)
    user, _new = User.objects.get_or_create(
        username=ENGINEER,
        defaults={"role": Role.VENDOR_ENGINEER, "vendor": contract.vendor},
    )
    if user.vendor_id != contract.vendor_id:
        user.vendor = contract.vendor
        user.save(update_fields=["vendor"])
    from opsqm.infra.accounts.services import create_token

    _token, secret = create_token(user)
    tickets = list(
        Ticket.objects.filter(contract=contract, status__in=["dispatched", "acknowledged"])
        .order_by("id")
        .values_list("pk", flat=True)[:200]
    )
    if not tickets:
        raise SystemExit(f"no open ticket in contract {contract.code} to write on")
    # The seed's open tickets carry no dispatch mail; the form needs one: a sent
    # dispatch record per ticket (no mail goes anywhere).
    from opsqm.infra.mail.models import OutboundMessage

    for t in Ticket.objects.filter(pk__in=tickets, dispatch_message__isnull=True):
        t.dispatch_message = OutboundMessage.objects.create(
            message_id=f"<bench-dispatch-{t.pk}@opsqm.local>",
            ticket_ref=t.number,
            from_address="servicedesk@opsqm.local",
            subject=f"派单 {t.number}",
            status="sent",
        )
        t.save(update_fields=["dispatch_message"])
    return secret, tickets


class User(threading.Thread):
    def __init__(self, n: int, args: argparse.Namespace, ctx: dict, results: dict) -> None:
        super().__init__(daemon=True)
        self.rnd = random.Random(n)
        self.args, self.ctx, self.results = args, ctx, results

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.args.port, timeout=60)
        pages, weights = list(MIX), list(MIX.values())
        ctx = self.ctx
        while time.monotonic() < ctx["deadline"]:
            with ctx["lock"]:
                if ctx["sent"] >= self.args.max_requests:
                    return
                ctx["sent"] += 1
                write = ctx["sent"] % self.args.write_every == 0
            if write:
                name = "api-write"
                pk = self.rnd.choice(ctx["tickets"])
                body = '{"analysis": "证书过期", "steps": "更新证书", "verification": "可登录"}'
                method, path = "POST", f"/api/v1/tickets/{pk}/record-work/"
                headers = {
                    "Authorization": f"Token {ctx['token']}",
                    "Content-Type": "application/json",
                }
            else:
                name = self.rnd.choices(pages, weights)[0]
                method, path, body = "GET", ctx["paths"][name], None
                headers = {"Cookie": ctx["cookie"]}
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body.encode() if body else None, headers=headers)
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException):
                status = 599  # a transport error counts as a failure
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.args.port, timeout=60)
            ms = (time.perf_counter() - t0) * 1000
            with ctx["lock"]:
                self.results[name].append((ms, status))


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def queue_lag(since: float) -> tuple[int, list[float]]:
    """Jobs started since `since` (epoch seconds) and their lag in seconds."""
    import datetime

    from opsqm.infra.jobs.models import Job

    start = datetime.datetime.fromtimestamp(since, tz=datetime.UTC)
    rows = Job.objects.filter(started_at__gte=start).values_list("started_at", "run_after")
    lags = [max(0.0, (s - r).total_seconds()) for s, r in rows]
    return len(lags), lags


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--duration", type=int, default=20, help="seconds, at most")
    ap.add_argument("--max-requests", type=int, default=20_000)
    ap.add_argument("--write-every", type=int, default=10, help="one API write per N requests")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
    ap.add_argument("--port", type=int, default=8932)
    ap.add_argument("--keep-seconds", type=int, default=5, help="the worker's ledger.keep period")
    args = ap.parse_args()

    url = os.environ.get("DATABASE_URL", tb.DEFAULT_DB)
    if not url.startswith("postgres"):
        raise SystemExit("the load script needs PostgreSQL (DATABASE_URL=postgres://…)")
    var_dir = tb.ROOT / "bench" / "out" / "load-var"
    var_dir.mkdir(parents=True, exist_ok=True)
    tb.ensure_database(url)
    tb.setup_django(url, var_dir)
    tb.seed(200_000, False)
    paths = tb.bench_paths()
    contract_id = int(paths["filtered"].rsplit("=", 1)[1])
    token, tickets = engineer_token(contract_id)

    os.environ["OPSQM_LEDGER_KEEP_SECONDS"] = str(args.keep_seconds)
    server = tb.start_server(args.port, "gunicorn", args.workers, 0, var_dir, url)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker"],
        cwd=tb.ROOT,
        env=tb.server_env(var_dir, url),
        stdout=subprocess.DEVNULL,
        stderr=(var_dir / "worker.log").open("wb"),
    )
    results: dict[str, list[tuple[float, int]]] = defaultdict(list)
    began = time.time()
    try:
        cookie = tb.login(f"http://127.0.0.1:{args.port}")
        ctx = {
            "paths": paths,
            "cookie": cookie,
            "token": token,
            "tickets": tickets,
            "lock": threading.Lock(),
            "sent": 0,
            "deadline": time.monotonic() + args.duration,
        }
        users = [User(n, args, ctx, results) for n in range(args.users)]
        t0 = time.perf_counter()
        for u in users:
            u.start()
        for u in users:
            u.join()
        wall = time.perf_counter() - t0
        time.sleep(args.keep_seconds + 1)  # the worker's last refresh of the run
    finally:
        worker.terminate()
        server.terminate()
        worker.wait(timeout=30)
        server.wait(timeout=30)

    jobs, lags = queue_lag(began)
    load = os.getloadavg()
    total = sum(len(v) for v in results.values())
    print(f"\nMachine: {tb.machine()}; gunicorn {args.workers} sync workers + 1 worker; "
          f"{args.users} users, {wall:.1f} s, {total} requests ({total / wall:.0f}/s); "
          f"load average at the end {load[0]:.1f} / {load[1]:.1f}.")  # fmt: skip
    print("| page | requests | p50 ms | p95 ms | p99 ms | non-2xx | 5xx |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    failures = 0
    for name in [*MIX, "api-write"]:
        got = results.get(name, [])
        ms = [m for m, _s in got]
        bad = sum(1 for _m, s in got if s >= 500)
        non2xx = sum(1 for _m, s in got if not 200 <= s < 300)
        failures += bad
        print(
            f"| {name} | {len(got)} | {pct(ms, 50):.0f} | {pct(ms, 95):.0f} | "
            f"{pct(ms, 99):.0f} | {non2xx} | {bad} |"
        )
    if lags:
        print(
            f"Worker queue: {jobs} jobs started during the run; lag p50 "
            f"{statistics.median(lags):.2f} s, max {max(lags):.2f} s."
        )
    else:
        print("Worker queue: no job started during the run.")
    if failures:
        print(f"\n{failures} responses 5xx (or transport errors)", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
