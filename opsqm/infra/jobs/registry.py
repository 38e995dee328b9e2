"""Job handlers and periodic schedules, both defined in code.

    from opsqm.infra.jobs.registry import job, periodic

    @job("mail.poll", max_attempts=3)
    def poll(job):            # gets the Job row; job.payload is the JSON payload
        ...
        return {"new": 3}     # JSON-serialisable: stored in Job.result

    periodic("mail.poll", every=60)

Put them in `<app>/tasks.py`: the jobs app imports every installed app's `tasks`
module at start-up (web and worker alike).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opsqm.infra.jobs.models import Job

Handler = Callable[["Job"], Any]


class Retry(Exception):
    """Raise from a handler to run the job again later (counts as an attempt)."""

    def __init__(self, message: str = "", *, after: float | None = None) -> None:
        super().__init__(message)
        self.after = after


class PermanentError(Exception):
    """Raise from a handler to fail the job at once, without further attempts."""


@dataclass(frozen=True)
class HandlerSpec:
    kind: str
    func: Handler
    max_attempts: int = 5
    # Retry n waits retry_base * 2**(n-1) seconds, at most retry_max.
    retry_base: float | None = None
    retry_max: float | None = None
    # A running job whose lock is older than this (seconds; a number or a callable
    # read at each check) is taken for lost (worker killed).  The worker's heartbeat
    # and `set_progress` refresh the lock.
    stale_after: float | Callable[[], float] | None = None


@dataclass(frozen=True)
class Periodic:
    name: str
    kind: str
    every: int | Callable[[], int]
    payload: dict[str, Any] = field(default_factory=dict)
    enabled: Callable[[], bool] | None = None

    def interval(self) -> int:
        value = self.every() if callable(self.every) else self.every
        return max(1, int(value))

    def is_enabled(self) -> bool:
        return True if self.enabled is None else bool(self.enabled())


_HANDLERS: dict[str, HandlerSpec] = {}
_PERIODIC: dict[str, Periodic] = {}


def job(
    kind: str,
    *,
    max_attempts: int = 5,
    retry_base: float | None = None,
    retry_max: float | None = None,
    stale_after: float | Callable[[], float] | None = None,
) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of `kind`."""

    def register(func: Handler) -> Handler:
        existing = _HANDLERS.get(kind)
        if existing is not None and existing.func is not func:
            same = getattr(existing.func, "__qualname__", None) == getattr(
                func, "__qualname__", None
            ) and getattr(existing.func, "__module__", None) == getattr(func, "__module__", None)
            if not same:
                raise ValueError(f"job kind {kind!r} already has a handler")
        _HANDLERS[kind] = HandlerSpec(
            kind=kind,
            func=func,
            max_attempts=max_attempts,
            retry_base=retry_base,
            retry_max=retry_max,
            stale_after=stale_after,
        )
        return func

    return register


def periodic(
    name: str,
    *,
    every: int | Callable[[], int],
    kind: str | None = None,
    payload: dict[str, Any] | None = None,
    enabled: Callable[[], bool] | None = None,
) -> Periodic:
    """Enqueue a job of `kind` (default: `name`) every `every` seconds.

    `every` and `enabled` may be callables, read each time the schedule is checked
    (so they can follow settings)."""
    spec = Periodic(
        name=name, kind=kind or name, every=every, payload=dict(payload or {}), enabled=enabled
    )
    _PERIODIC[name] = spec
    return spec


def get_handler(kind: str) -> HandlerSpec | None:
    return _HANDLERS.get(kind)


def handlers() -> dict[str, HandlerSpec]:
    return dict(_HANDLERS)


def periodics() -> list[Periodic]:
    return list(_PERIODIC.values())


def unregister(kind: str | None = None, *, schedule: str | None = None) -> None:
    """Remove a handler or a schedule (tests)."""
    if kind is not None:
        _HANDLERS.pop(kind, None)
    if schedule is not None:
        _PERIODIC.pop(schedule, None)
