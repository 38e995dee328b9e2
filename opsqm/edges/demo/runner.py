"""`make run` (scripts/run-demo.sh is a thin wrapper): the whole demo on loopback.

One process starts and watches everything the work-order flow needs:

1. the database in OPSQM_VAR_DIR migrated, static files collected, the demo bureau
   loaded (`opsqm demo` is idempotent: a second run keeps the data);
2. the loopback mail server (Dovecot + the SMTP relay of opsqm/infra/mail/loopback.py)
   with the demo's mailboxes — the service desk's, each vendor's intranet mailbox,
   each manager's — its mail kept under OPSQM_VAR_DIR/mailserver;
3. the web server (gunicorn, or waitress where gunicorn is missing) and one
   `opsqm worker`, both with the settings pointing OpsQM's SMTP and IMAP at it.

Ctrl-C or SIGTERM stops every process it started.  Where Dovecot is not installed
the demo runs without mail, saying so in one line (docs/demo.md)."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
# The demo's mailboxes share the demo logins' password (docs/demo.md): loopback only.
MAILBOX_PASSWORD = "Demo-2025!pass"
DESK_ADDRESS = "servicedesk@bjjgj.intranet"
# Default ports of `make run` (a test passes 0: any free port).
MAIL_PORTS = {"imap": 10143, "smtp": 10025, "lmtp": 10024}
# The worker's mail poll (seconds): a dispatched work order gets its server time within
# the confirmation job's first run, a reply from the vendor within this.
POLL_INTERVAL = 10


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make run", description=__doc__.splitlines()[0])
    parser.add_argument("--bind", default=os.environ.get("OPSQM_BIND", "127.0.0.1:8000"))
    parser.add_argument(
        "--workers", type=int, default=_env_int("OPSQM_WORKERS", os.cpu_count() or 2)
    )
    parser.add_argument("--threads", type=int, default=_env_int("OPSQM_THREADS", 8))
    for name, port in MAIL_PORTS.items():
        parser.add_argument(
            f"--{name}-port",
            type=int,
            default=_env_int(f"OPSQM_DEMO_{name.upper()}_PORT", port),
            help=f"loopback {name.upper()} port of the demo's mail server (0: any free port)",
        )
    parser.add_argument("--no-mail", action="store_true", help="run without the mail server")
    args = parser.parse_args(argv)
    host, _, port = args.bind.rpartition(":")
    if not host or not port.isdigit():
        parser.error(f"--bind must be host:port, not {args.bind!r}")
    args.host, args.port = host, int(port)
    return args


def say(text: str) -> None:
    print(text, flush=True)


class Launcher:
    """The processes of `make run`; `stop()` ends every one it started."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.var_dir = Path(os.environ.setdefault("OPSQM_VAR_DIR", str(ROOT / "var")))
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.mail: Any = None
        self.env: dict[str, str] = {}
        self.mail_note = ""
        self._stopping = threading.Event()

    # ----------------------------------------------------------------- preparation
    def configure(self) -> None:
        """The environment shared by this process (the demo load) and the children."""
        from opsqm.infra.mail import loopback

        env = {
            "DJANGO_SETTINGS_MODULE": "opsqm.edges.web.settings",
            "OPSQM_VAR_DIR": str(self.var_dir),
            "MAIL_POLL_INTERVAL": str(POLL_INTERVAL),
            "MAIL_FROM": DESK_ADDRESS,
            "MAIL_SERVICE_DESK_ADDRESS": DESK_ADDRESS,
        }
        hosts = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
        if self.args.host not in hosts:
            hosts.append(self.args.host)
        env["ALLOWED_HOSTS"] = ",".join(h for h in hosts if h)
        why = "" if not self.args.no_mail else "started with --no-mail"
        why = why or (loopback.missing() or "")
        if why:
            self.mail_note = why
        else:
            ports = {n: getattr(self.args, f"{n}_port") or loopback.free_port() for n in MAIL_PORTS}
            _check_free(ports)
            self.ports = ports
            env.update(
                {
                    "MAIL_SMTP_HOST": loopback.HOST,
                    "MAIL_SMTP_PORT": str(ports["smtp"]),
                    "MAIL_IMAP_HOST": loopback.HOST,
                    "MAIL_IMAP_PORT": str(ports["imap"]),
                    "MAIL_IMAP_USER": DESK_ADDRESS,
                    "MAIL_IMAP_PASSWORD": MAILBOX_PASSWORD,
                    "MAIL_IMAP_TIMEOUT": "10",
                    "OPSQM_DEMO_MAILBOX_FILE": str(self.mail_dir / "passwd"),
                }
            )
        os.environ.update(env)
        self.env = env

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mailserver"

    def prepare_data(self) -> None:
        """Migrate, collect static files and load the demo (kept if already there)."""
        import django
        from django.core.management import call_command
        from django.db import connections

        self.var_dir.mkdir(parents=True, exist_ok=True)
        django.setup()
        say(f"== data directory: {self.var_dir}")
        # The first start takes a minute or more on a small machine: say what it is doing.
        say("== database: applying migrations, collecting static files")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        say("== demo bureau: loaded on the first start only (about a minute), kept after")
        call_command("demo")
        connections.close_all()

    def demo_addresses(self) -> list[str]:
        """The desk's mailbox, then each vendor's intranet and manager's mailboxes, then
        the demo logins' own (the assessor's, who receives the scheduled report)."""
        from django.db import connections

        from opsqm.facts.contracts.models import Vendor
        from opsqm.infra.accounts.models import User

        found = [DESK_ADDRESS]
        for row in Vendor.objects.order_by("pk").values_list("intranet_mailbox", "manager_mailbox"):
            found.extend(a for a in row if a)
        found.extend(User.objects.exclude(email="").order_by("pk").values_list("email", flat=True))
        connections.close_all()
        return list(dict.fromkeys(found))

    # ----------------------------------------------------------------- processes
    def start_mail(self) -> None:
        from opsqm.infra.mail import loopback

        if self.mail_note:
            return
        self.mail = loopback.start(
            self.mail_dir,
            accounts=self.demo_addresses(),
            password=MAILBOX_PASSWORD,
            imap_port=self.ports["imap"],
            lmtp_port=self.ports["lmtp"],
            smtp_port=self.ports["smtp"],
        )

    def spawn(self, name: str, command: list[str]) -> None:
        env = {**os.environ, **self.env}
        # Its own session: a Ctrl-C reaches this launcher only, which stops the
        # children in order (not each of them at once, half-way through a request).
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent if _linux() else None,
        )
        self.children.append((name, process))

    def start_web(self) -> None:
        py, args = sys.executable, self.args
        if _has("gunicorn"):
            # Sync workers, a process per core (docs/benchmarks.md).
            command = [
                py, "-m", "gunicorn", f"--bind={args.host}:{args.port}",
                f"--workers={max(1, args.workers)}", "--worker-class=sync",
                "--timeout=120", "--graceful-timeout=20", "opsqm.edges.web.wsgi:application",
            ]  # fmt: skip
        else:
            command = [
                py, "-m", "waitress", f"--host={args.host}", f"--port={args.port}",
                f"--threads={args.threads}", "--ident=OpsQM", "opsqm.edges.web.wsgi:application",
            ]  # fmt: skip
        self.spawn("web", command)

    def start_worker(self) -> None:
        self.spawn("worker", [sys.executable, "-m", "opsqm.cli", "worker", "--name=make-run"])

    # ----------------------------------------------------------------- life cycle
    def banner(self) -> None:
        say(f"\nOpsQM is starting on http://{self.args.host}:{self.args.port}/")
        say("Demo logins: see above (password Demo-2025!pass for every account; docs/demo.md).")
        if self.mail is None:
            say(f"== mail: none — {self.mail_note}; work orders will wait for the server's times")
        else:
            say(
                f"== mail: loopback server, IMAP {self.mail.host}:{self.mail.imap_port}, "
                f"SMTP {self.mail.host}:{self.mail.smtp_port}, no TLS; "
                f"every mailbox's password is {MAILBOX_PASSWORD}:"
            )
            for address in self.mail.accounts:
                say(f"     {address}")
            say(f"   read them on http://{self.args.host}:{self.args.port}/demo/mailbox/")
        say("Stop with Ctrl-C.\n")

    def run(self) -> int:
        self.configure()
        self.prepare_data()
        self.start_mail()
        self.start_web()
        self.start_worker()
        self.banner()
        return self.wait()

    def wait(self) -> int:
        """Until a signal or a child's end; then stop everything."""
        while not self._stopping.is_set():
            for name, process in self.children:
                if process.poll() is not None:
                    say(f"== {name} exited ({process.returncode}): stopping")
                    self.stop()
                    return process.returncode or 1
            self._stopping.wait(0.5)
        self.stop()
        return 0

    def request_stop(self, signum: int = signal.SIGTERM, frame: Any = None) -> None:
        if not self.children and self.mail is None:
            raise KeyboardInterrupt  # still preparing the data: stop at once
        self._stopping.set()

    def stop(self) -> None:
        self._stopping.set()
        for _name, process in self.children:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 25
        for _name, process in self.children:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.children.clear()
        if self.mail is not None:
            self.mail.stop()
            self.mail = None


def _check_free(ports: dict[str, int]) -> None:
    """A port taken (another `make run`?) is said plainly, before anything starts."""
    for name, port in ports.items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                raise SystemExit(
                    f"make run: 127.0.0.1:{port} ({name.upper()} of the demo's mail server) is "
                    f"in use; set OPSQM_DEMO_{name.upper()}_PORT to another port (0: any free one)"
                ) from None


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _linux() -> bool:
    return sys.platform.startswith("linux")


def _die_with_parent() -> None:
    """In the child: SIGTERM when the launcher dies (even by SIGKILL), so that no
    web server or worker outlives `make run`."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def main(argv: Sequence[str] | None = None) -> int:
    launcher = Launcher(parse_args(argv))
    signal.signal(signal.SIGTERM, launcher.request_stop)
    signal.signal(signal.SIGINT, launcher.request_stop)
    try:
        return launcher.run()
    finally:
        launcher.stop()


if __name__ == "__main__":
    sys.exit(main())
