"""Benchmark: the desk's ticket board and a ticket's page at 200,000 tickets.

Seeds a PostgreSQL database (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/opsqm_bench; created if missing) with a bureau's
worth of work orders — 50 vendors, 50 contracts, 50 units, 200,000 tickets spread
over two years with realistic statuses, priorities and deadlines — then serves OpsQM
the production way (as `make run`: gunicorn, a sync worker per core) on 127.0.0.1 and drives 20
concurrent users logged in as the service desk with wrk against:

  board        /tickets/                                   first page
  filtered     /tickets/?status=open&priority=urgent&contract=<id>
  ticket       /tickets/<pk>/                              a ticket's page (timeline, calls, …)

and reports p50/p95/p99 latency and requests per second (target: p95 ≤ 150 ms).
Not a test: figures go to docs/benchmarks.md.  wrk is a Debian package; the script
installs it with apt-get when it is missing (root or sudo).

    .venv/bin/python bench/ticket_board_bench.py            # seed once, then measure
    .venv/bin/python bench/ticket_board_bench.py --reseed   # drop the tickets and seed again
    .venv/bin/python bench/ticket_board_bench.py --explain  # plus query counts and EXPLAIN ANALYZE

Options: --tickets N, --duration S, --connections C, --workers W (gunicorn),
--server waitress [--threads T] (one process: the fallback of `make run`), --port P.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/opsqm_bench"
PASSWORD = "Bench-2025!pass"
DESK = "bench_desk"
SEED = 20250301

WRK_SCRIPT = r"""
done = function(summary, latency, requests)
  local function ms(us) return us / 1000.0 end
  io.write(string.format(
    '{"requests": %d, "duration_s": %.3f, "errors": %d, "non2xx": %d, ' ..
    '"p50": %.2f, "p90": %.2f, "p95": %.2f, "p99": %.2f, "max": %.2f, "mean": %.2f}\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status,
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(95)),
    ms(latency:percentile(99)), ms(latency.max), ms(latency.mean)))
end
"""


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------- database


def ensure_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            log(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str, var_dir: Path) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["OPSQM_VAR_DIR"] = str(var_dir)
    # Settings want a key with DEBUG off; the server started below inherits it.
    os.environ.setdefault("SECRET_KEY", "bench-only-" + os.urandom(16).hex())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsqm.edges.web.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(n_tickets: int, reseed: bool) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from opsqm.facts.contracts.models import Contract, Unit, Vendor
    from opsqm.facts.tickets.models import Event, OriginalReport, PhoneCall, Ticket
    from opsqm.infra.accounts.models import User
    from opsqm.infra.core.roles import Role

    log("migrate")
    call_command("migrate", verbosity=0, interactive=False)
    if not User.objects.filter(username=DESK).exists():
        user = User(username=DESK, role=Role.SERVICE_DESK, full_name="服务台（基准）")
        user.set_password(PASSWORD)
        user.save()
    have = Ticket.objects.count()
    if have >= n_tickets and not reseed:
        log(f"{have} tickets already there (use --reseed to start again)")
        return
    if reseed or have:
        log("removing the tickets of an earlier run")
        with connection.cursor() as cur:
            cur.execute(
                "TRUNCATE tickets_event, tickets_originalreport, tickets_phonecall, "
                "tickets_extension, tickets_attachment, tickets_finding, tickets_signlink, "
                "tickets_reminder, tickets_ticketsequence, tickets_ticket CASCADE"
            )

    rng = random.Random(SEED)
    vendors = [
        Vendor.objects.get_or_create(
            name=f"基准运维公司{i:02d}",
            defaults={"intranet_mailbox": f"v{i:02d}-om@bureau.local", "contact": "联系人"},
        )[0]
        for i in range(50)
    ]
    units = [Unit.objects.get_or_create(name=f"基准单位{i:02d}")[0] for i in range(50)]
    contracts = []
    for i in range(50):
        c, created = Contract.objects.get_or_create(
            code=f"BENCH-2025-{i:03d}",
            defaults={
                "title": f"基准单位{i:02d}信息化运维服务",
                "vendor": vendors[i],
                "amount": 530000,
                "final_payment": 132500,
                "start": datetime.date(2024, 1, 1),
                "end": datetime.date(2026, 12, 31),
            },
        )
        if created:
            c.units.add(units[i], units[(i + 7) % 50])
        contracts.append(c)
    contract_units = {c.pk: list(c.units.all()) for c in contracts}

    tz = datetime.UTC
    end = datetime.datetime(2026, 11, 20, tzinfo=tz)
    span = 2 * 365 * 24 * 3600
    # Contract sizes differ (a few big ones): weights 1…5.
    weights = [1 + (i * 37) % 5 for i in range(50)]
    log(f"seeding {n_tickets} tickets")
    t0 = time.perf_counter()
    batch: list[Ticket] = []
    per_year: dict[int, int] = {}

    def flush() -> None:
        with transaction.atomic():
            Ticket.objects.bulk_create(batch, batch_size=2000)
        batch.clear()

    for _i in range(n_tickets):
        contract = rng.choices(contracts, weights)[0]
        unit = rng.choice(contract_units[contract.pk])
        dispatched = end - datetime.timedelta(seconds=int(span * rng.random() ** 1.3))
        year = dispatched.year
        per_year[year] = per_year.get(year, 0) + 1
        urgent = rng.random() < 0.2
        age_h = (end - dispatched).total_seconds() / 3600
        r = rng.random()
        t = Ticket(
            contract=contract,
            number=f"GD-{year}-{per_year[year]:06d}",
            problem=f"P{rng.randrange(n_tickets // 3)}",
            title=rng.choice(
                ["终端无法登录", "打印机卡纸", "视频监控画面中断", "数据库备份失败", "网络时断时续"]
            ),
            unit=unit,
            priority="urgent" if urgent else "normal",
            kind="security" if rng.random() < 0.03 else "service",
            created_at=dispatched - datetime.timedelta(hours=2),
            dispatched_at=dispatched,
        )
        sla = 8 if urgent else 24
        if age_h < 72 and r < 0.35:  # recent and still open
            if rng.random() < 0.6:
                t.acknowledged_at = dispatched + datetime.timedelta(minutes=rng.randint(5, 90))
            if rng.random() < 0.05:
                t.dispatched_at = None  # reported, not dispatched yet
        else:
            t.acknowledged_at = dispatched + datetime.timedelta(minutes=rng.randint(5, 150))
            late = rng.random() < 0.06
            hours = sla * (1 + rng.random()) if late else sla * rng.random() * 0.9
            t.resolved_at = dispatched + datetime.timedelta(hours=max(0.3, hours))
            if rng.random() < 0.02:
                t.extended_to = dispatched + datetime.timedelta(hours=sla * 3)
            if age_h > 96 or rng.random() < 0.5:
                t.signature = "signed" if rng.random() < 0.93 else "phone_confirmed"
                t.satisfaction = "satisfied" if rng.random() < 0.97 else "unsatisfied"
                t.signer_name = "签字人"
                t.signed_at = t.resolved_at + datetime.timedelta(hours=2)
                if age_h > 120 and rng.random() < 0.97:
                    t.archive = "ok" if rng.random() < 0.98 else "improper"
                    t.archived_at = t.signed_at + datetime.timedelta(hours=4)
            t.analysis = "原因分析：配置项变更后未同步。"
            t.steps = "1. 检查日志；\n2. 恢复配置；\n3. 复测。"
            t.verification = "功能恢复正常。"
        t.contract = contract
        t.fill_derived()
        batch.append(t)
        if len(batch) >= 10000:
            flush()
    if batch:
        flush()
    log(f"tickets written in {time.perf_counter() - t0:.1f} s")

    # A full timeline for the tickets whose page is measured.
    sample = list(Ticket.objects.filter(archive="ok").order_by("-id")[:200])
    events, reports, calls = [], [], []
    for t in sample:
        reports.append(
            OriginalReport(
                ticket=t,
                reporter="报告人",
                unit_name=t.unit.name if t.unit else "",
                description="终端登录时提示证书无效。",
                reported_at=t.dispatched_at - datetime.timedelta(hours=2),
            )
        )
        calls.append(
            PhoneCall(
                ticket=t,
                purpose="vendor",
                called_at=t.dispatched_at - datetime.timedelta(hours=1),
                person="工程师",
                outcome="已通知",
            )
        )
        for action, at, source in (
            ("report", t.dispatched_at - datetime.timedelta(hours=2), "typed"),
            ("call", t.dispatched_at - datetime.timedelta(hours=1), "typed"),
            ("dispatch", t.dispatched_at, "server"),
            ("acknowledge", t.acknowledged_at, "app"),
            ("work", t.resolved_at - datetime.timedelta(minutes=10), "app"),
            ("resolve", t.resolved_at, "server"),
            ("sign", t.signed_at, "app"),
            ("archive", t.archived_at, "server"),
        ):
            events.append(Event(ticket=t, at=at, source=source, action=action, text=action))
    with transaction.atomic():
        OriginalReport.objects.bulk_create(reports)
        PhoneCall.objects.bulk_create(calls)
        Event.objects.bulk_create(events)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    log(f"seeded: {Ticket.objects.count()} tickets; statuses: {status_counts()}")


def status_counts() -> dict[str, int]:
    from django.db.models import Count

    from opsqm.facts.tickets.models import Ticket

    return dict(
        Ticket.objects.values_list("status").annotate(n=Count("id")).order_by("-n")  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------- server and load


def server_env(var_dir: Path, url: str, root: Path = ROOT) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(root),  # a baseline checkout's package before the installed one
        "DATABASE_URL": url,
        "OPSQM_VAR_DIR": str(var_dir),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "0",
        "LOG_LEVEL": "ERROR",
    }


def collect_static(var_dir: Path, url: str, root: Path = ROOT) -> None:
    """The static files a page links (the manifest): also what `--explain` needs
    in process on a fresh data folder."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=root,
        env=server_env(var_dir, url, root),
        check=True,
    )


def start_server(
    port: int,
    server: str,
    workers: int,
    threads: int,
    var_dir: Path,
    url: str,
    root: Path = ROOT,
) -> subprocess.Popen[bytes]:
    with socket.socket() as probe:  # another server there would be measured instead
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is already in use: pick another with --port")
    env = {
        **server_env(var_dir, url, root),
        "DATABASE_URL": url,
        "OPSQM_VAR_DIR": str(var_dir),
    }
    py = sys.executable
    collect_static(var_dir, url, root)
    if server == "gunicorn":  # as scripts/run-demo.sh
        cmd = [py, "-m", "gunicorn", f"--bind=127.0.0.1:{port}", f"--workers={workers}",
               "--worker-class=sync", "--timeout=120",
               "opsqm.edges.web.wsgi:application"]  # fmt: skip
    else:
        cmd = [py, "-m", "waitress", "--host=127.0.0.1", f"--port={port}", f"--threads={threads}",
               "--ident=OpsQM", "opsqm.edges.web.wsgi:application"]  # fmt: skip
    proc = subprocess.Popen(
        cmd,
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        # A file, not a pipe nobody reads: waitress logs "Task queue depth" under load, and
        # a full pipe blocked the server mid-run (0 requests in a later scenario).
        stderr=(var_dir / "server.log").open("wb"),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=2).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    log_tail = (var_dir / "server.log").read_text(errors="replace")[-2000:]
    raise SystemExit("the server did not start: " + log_tail)


def login(base: str) -> str:
    """Log in as the desk through the login form; the session cookie header."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/accounts/login/").read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"username": DESK, "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    ).encode()
    req = urllib.request.Request(base + "/accounts/login/", data=data, headers={"Referer": base})
    opener.open(req).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit("login as the desk failed")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is missing: installing the Debian package")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or "wrk"


def run_wrk(wrk: str, url: str, cookie: str, connections: int, duration: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT)
        script = f.name
    try:
        out = subprocess.run(
            [wrk, f"-c{connections}", f"-t{min(2, connections)}", f"-d{duration}s",
             "--timeout", "10s", "-s", script, "-H", f"Cookie: {cookie}", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script)
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    result["rps"] = result["requests"] / result["duration_s"]
    return result


# --------------------------------------------------------------------------- diagnosis


def explain(paths: dict[str, str]) -> None:
    """Query count and time per page, in process, and EXPLAIN ANALYZE of the slowest queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from opsqm.infra.accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=DESK))
    for name, path in paths.items():
        client.get(path)  # warm
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            resp = client.get(path)
            wall = (time.perf_counter() - t0) * 1000
        print(f"\n== {name} {path}: HTTP {resp.status_code}, {len(ctx)} queries, {wall:.0f} ms")
        timed = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))
        for q in timed[:4]:
            print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:220]}")
        for q in timed[:2]:
            if not q["sql"].lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                print("  --- EXPLAIN ANALYZE", q["sql"][:80])
                for (line,) in cur.fetchall()[:25]:
                    print("   ", line)


PAGES = ("board", "filtered", "ticket", "ledger", "ledger1", "dashboards")


def bench_paths() -> dict[str, str]:
    """The pages measured.  The ticket is one with a full timeline (the most events,
    then the newest): the newest archived ticket may have none."""
    from django.db.models import Count

    from opsqm.facts.contracts.models import Contract
    from opsqm.facts.tickets.models import Event, Ticket

    contract_id = (
        Ticket.objects.filter(status__in=["dispatched", "acknowledged"], priority="urgent")
        .values_list("contract_id", flat=True)
        .first()
    )
    fullest = (
        Event.objects.values("ticket_id")
        .annotate(n=Count("id"))
        .order_by("-n", "-ticket_id")
        .values_list("ticket_id", flat=True)
        .first()
    )
    code = Contract.objects.get(pk=contract_id).code
    return {
        "board": "/tickets/",
        "filtered": f"/tickets/?status=open&priority=urgent&contract={contract_id}",
        "ticket": f"/tickets/{fullest}/",
        "ledger": "/ledger/",
        "ledger1": f"/ledger/{code}/",
        "dashboards": "/dashboards/",
    }


def vacuum_analyze() -> str:
    """VACUUM ANALYZE before measuring (a never-vacuumed database plans worse), and
    the database's state in words for the report."""
    from django.db import connection

    from opsqm.facts.tickets.models import Ticket

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        (size,) = cur.fetchone()
    took = time.perf_counter() - t0
    return f"{Ticket.objects.count()} tickets, {size}, VACUUM ANALYZE just run ({took:.1f} s)"


def time_alone(url: str, cookie: str, n: int = 3) -> float:
    """Median ms of `n` requests one after the other (for pages slower than wrk's
    timeout, where wrk completes none)."""
    took = []
    for _ in range(n):
        req = urllib.request.Request(url, headers={"Cookie": cookie})
        t0 = time.perf_counter()
        try:
            urllib.request.urlopen(req, timeout=300).read()
        except urllib.error.HTTPError as exc:  # e.g. 500: the worker timed out (120 s)
            log(f"  {url}: HTTP {exc.code} after {time.perf_counter() - t0:.0f} s")
            return float("inf")
        took.append((time.perf_counter() - t0) * 1000)
    return sorted(took)[n // 2]


SLOW_MS = 2000.0  # a page slower than this alone is not run with 20 connections


def measure(wrk: str, url: str, cookie: str, args: argparse.Namespace) -> dict[str, float]:
    time_alone(url, cookie, 1)  # warm-up: a first request pays for cold caches
    if time_alone(url, cookie, 1) > SLOW_MS:
        # 20 connections would queue requests that the sync workers go on serving long
        # after wrk stops (minutes): one user's median of three is the figure.
        nan = float("nan")
        res = dict.fromkeys(("p50", "p95", "p99", "rps", "errors", "non2xx"), nan)
        res["alone_p50"] = time_alone(url, cookie)
        return res
    run_wrk(wrk, url, cookie, args.connections, 3)  # warm-up
    # One user alone: the page's own cost, without queueing behind the others.
    alone = run_wrk(wrk, url, cookie, 1, max(5, args.duration // 3))
    res = run_wrk(wrk, url, cookie, args.connections, args.duration)
    res["alone_p50"] = alone["p50"]
    return res


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server, killing it if busy workers do not finish in 20 s."""
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=20)


def line(res: dict[str, float]) -> str:
    if res["p50"] != res["p50"]:  # NaN: too slow for the 20-connection run
        alone = res["alone_p50"]
        return f"one user alone: median {alone:.0f} ms (over {SLOW_MS:.0f} ms: not loaded)"
    return (
        f"p50 {res['p50']:7.1f} ms  p95 {res['p95']:7.1f} ms  "
        f"p99 {res['p99']:7.1f} ms  {res['rps']:6.1f} req/s  "
        f"errors {int(res['errors'])} non-2xx {int(res['non2xx'])}  "
        f"(one user alone: p50 {res['alone_p50']:.1f} ms)"
    )


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError):
        pass
    return f"{os.cpu_count()} vCPU {cpu}{mem}, Python {sys.version.split()[0]}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tickets", type=int, default=200_000)
    ap.add_argument("--reseed", action="store_true")
    ap.add_argument("--duration", type=int, default=20, help="seconds per scenario")
    ap.add_argument("--connections", type=int, default=20, help="concurrent users")
    ap.add_argument("--server", choices=["gunicorn", "waitress"], default="gunicorn")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
    ap.add_argument("--threads", type=int, default=8, help="waitress threads")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--explain", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument(
        "--baseline",
        type=Path,
        help="a checkout of the baseline (git worktree add DIR 2498d3e): measured first, "
        "same database, same run",
    )
    ap.add_argument(
        "--pages",
        type=lambda v: v.split(","),
        default=list(PAGES),
        help=f"comma-separated, of {','.join(PAGES)}",
    )
    args = ap.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if not url.startswith("postgres"):
        raise SystemExit("the benchmark needs PostgreSQL (DATABASE_URL=postgres://…)")
    var_dir = ROOT / "bench" / "out" / "ticket-board-var"
    var_dir.mkdir(parents=True, exist_ok=True)
    ensure_database(url)
    setup_django(url, var_dir)
    seed(args.tickets, args.reseed)

    db_state = vacuum_analyze()
    paths = bench_paths()
    if args.explain:
        collect_static(var_dir, url)
        explain(paths)

    wrk = ensure_wrk()
    servers = [("", ROOT, var_dir)]
    if args.baseline:
        servers.insert(0, ("baseline ", args.baseline.resolve(), var_dir / "baseline"))
    results: dict[str, dict[str, float]] = {}
    for label, root, vdir in servers:
        vdir.mkdir(parents=True, exist_ok=True)
        server = start_server(args.port, args.server, args.workers, args.threads, vdir, url, root)
        base = f"http://127.0.0.1:{args.port}"
        try:
            cookie = login(base)
            for name, path in paths.items():
                if name not in args.pages:
                    continue
                results[label + name] = measure(wrk, base + path, cookie, args)
                log(f"{label}{name:11s} " + line(results[label + name]))
        finally:
            stop(server)

    load = os.getloadavg()
    how = (
        f"gunicorn {args.workers} sync workers"
        if args.server == "gunicorn"
        else f"waitress {args.threads} threads"
    )
    print(f"\nMachine: {machine()}; PostgreSQL on loopback; {how}; "
          f"{args.connections} connections, {args.duration} s per scenario; "
          f"load average at the end {load[0]:.1f} / {load[1]:.1f}.")  # fmt: skip
    print(f"Database: {db_state}.")
    print("| page | p50 ms | p95 ms | p99 ms | req/s | one user alone, p50 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, res in results.items():
        print(
            f"| {name} `{paths[name.split()[-1]]}` | {res['p50']:.0f} | {res['p95']:.0f} | "
            f"{res['p99']:.0f} | {res['rps']:.1f} | {res['alone_p50']:.0f} |"
        )
    if args.json:
        args.json.write_text(json.dumps({"paths": paths, "results": results}, indent=2))
    over = [
        n
        for n, r in results.items()
        if not n.startswith("baseline") and not r["p95"] <= 150  # NaN: too slow
    ]
    if over:
        print(f"\np95 over 150 ms: {', '.join(over)}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
