"""Real threads, each with its own database connection, started together: the
concurrency tests' harness (jobs claimed by several workers, audit appends)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def run_together(n: int, target: Callable[[int], None]) -> list[BaseException]:
    """Run `target(i)` for i < n in n threads released at once; what they raised."""
    start = threading.Barrier(n)
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            start.wait()
            target(i)
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors
