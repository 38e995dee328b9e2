"""The incidents register's background work (registered at start-up by the jobs app):
the safety net of the mail service's on_server_time hook for 第二十一条's mail.  The
hook subscribers themselves are registered in IncidentsConfig.ready()."""

from __future__ import annotations

from typing import Any

from opsqm.infra.jobs.models import Job
from opsqm.infra.jobs.registry import job, periodic
from opsqm.infra.mail import imap

SWEEP_EVERY = 900  # seconds


@job("incidents.mail_times", max_attempts=3, retry_base=60)
def mail_times(job: Job) -> dict[str, Any]:
    from opsqm.facts.incidents.mailing import sweep_server_times

    return {"server_times": sweep_server_times()}


# Only where the bureau's mailbox is read: without it there is no server clock.
periodic("incidents.mail_times", every=SWEEP_EVERY, enabled=imap.configured)
