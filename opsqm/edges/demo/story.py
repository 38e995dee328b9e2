"""The demo's story: the moment it is loaded at, its dice, the bureau's workday
calendar and the people who act in it, and the tools every chapter uses: an instant
of a day, a step run at its hour of the story (`clock`), the jobs run as the worker
would (`run_jobs`)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from unittest import mock

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from opsqm.facts.contracts.models import Contract
from opsqm.pure.assessment.model import TZ
from opsqm.pure.assessment.workcalendar import WorkCalendar, calendar_for

DEMO_WORKER = "demo"


@dataclass
class Story:
    now: datetime
    rng: random.Random
    cal: WorkCalendar
    users: dict[str, Any] = field(default_factory=dict)
    # The seed's punches of the imported month: not recorded, but exported to DingTalk.
    withheld: list[tuple[Any, datetime]] = field(default_factory=list)
    inspected: set[str] = field(default_factory=set)  # months with an inspection
    mail_uid: int = 0  # the last UID the demo's mail server gave

    @classmethod
    def begin(cls) -> Story:
        return cls(
            now=timezone.now().astimezone(TZ),
            rng=random.Random(20251025),
            cal=calendar_for(_default_rulebook().calendar),
        )


def at(d: date, h: int, m: int = 0) -> datetime:
    return datetime.combine(d, time(h, m), TZ)


@contextmanager
def clock(instant: datetime) -> Iterator[None]:
    """Run a step of the story at `instant`: the ticket and acceptance services read
    their time through their `common.now()`.  The audit log keeps the real time of
    the load."""
    from opsqm.derived.acceptance.services import common as acceptance_clock
    from opsqm.facts.tickets.services import common as ticket_clock

    with (
        mock.patch.object(ticket_clock, "now", lambda: instant),
        mock.patch.object(acceptance_clock, "now", lambda: instant),
    ):
        yield


def window(story: Story, contract: Contract) -> tuple[date, date]:
    """The whole period so far: a day without evidence would be an absence (P3).
    Today counts once its on-site hours (to 17:30) are over."""
    today = story.now.date()
    last = today if story.now.time() >= time(17, 45) else today - timedelta(days=1)
    return contract.start, min(last, contract.end)


def run_jobs(*kinds: str) -> None:
    """Run the due jobs of `kinds` here, as `opsqm worker` would."""
    from opsqm.infra.jobs.models import JobStatus
    from opsqm.infra.jobs.services import claim, run_job

    while (job := claim(DEMO_WORKER, list(kinds))) is not None:
        if run_job(job, DEMO_WORKER) != JobStatus.DONE:
            raise CommandError(f"demo job {job.kind} #{job.pk}: {job.last_error}")


def _default_rulebook() -> Any:
    from opsqm.facts.contracts.rulebooks import default_rulebook as load

    return load(settings.OPSQM_DEFAULT_RULEBOOK)
