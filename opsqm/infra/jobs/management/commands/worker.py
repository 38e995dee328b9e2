"""`opsqm worker`: run background jobs and periodic schedules (docs/worker.md)."""

from __future__ import annotations

import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opsqm.infra.jobs.registry import handlers, periodics
from opsqm.infra.jobs.worker import Worker


class Command(BaseCommand):
    help = "Run queued background jobs and the periodic schedules until stopped (SIGTERM)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Run the schedules and every job due now, then exit.",
        )
        parser.add_argument(
            "--concurrency", type=int, default=1, help="Jobs run at once (threads); default 1."
        )
        parser.add_argument(
            "--poll-interval",
            type=float,
            default=1.0,
            help="Seconds to wait when no job is due; default 1.",
        )
        parser.add_argument(
            "--kind",
            action="append",
            dest="kinds",
            default=None,
            help="Run only jobs of this kind (repeatable).",
        )
        parser.add_argument("--name", default=None, help="Worker name in job locks.")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = Worker(
            name=options["name"],
            concurrency=options["concurrency"],
            poll_interval=options["poll_interval"],
            kinds=options["kinds"],
        )
        verbosity = int(options.get("verbosity", 1))
        if options["once"]:
            count = worker.run_once()
            if verbosity:
                self.stdout.write(f"worker {worker.name}: {count} job(s) run")
            return

        def graceful(signum: int, frame: Any) -> None:
            if verbosity:
                self.stdout.write(f"worker {worker.name}: stopping after the running jobs")
            worker.stop()

        signal.signal(signal.SIGTERM, graceful)
        signal.signal(signal.SIGINT, graceful)
        if verbosity:
            self.stdout.write(
                f"worker {worker.name}: {worker.concurrency} slot(s); "
                f"{len(handlers())} handler(s), {len(periodics())} schedule(s)"
            )
        worker.run_forever()
        if verbosity:
            self.stdout.write(f"worker {worker.name}: stopped; {worker.processed} job(s) run")
