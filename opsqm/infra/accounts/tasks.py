"""The accounts app's background jobs (registered at start-up by the jobs app).

`audit.checkpoint` lives here, not in the audit app: it mails the checkpoint to the
audit administrators, and the audit app sits below both the accounts and the mail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from opsqm.infra.audit.services import write_checkpoint
from opsqm.infra.core.roles import Role
from opsqm.infra.jobs.models import Job
from opsqm.infra.jobs.registry import job, periodic


def audit_admin_addresses() -> list[str]:
    from opsqm.infra.accounts.models import User

    rows = User.objects.filter(role=Role.AUDIT_ADMIN, is_active=True).exclude(email="")
    return sorted(set(rows.values_list("email", flat=True)))


@job("audit.checkpoint", max_attempts=3, retry_base=60)
def audit_checkpoint(job: Job) -> dict[str, Any]:
    """Append a checkpoint of the audit chain's head to the checkpoint file and mail
    the same line to the audit administrators (their server's receive time dates
    it: a second copy outside the database and outside this host)."""
    from opsqm.infra.mail.services import queue_message

    cp = write_checkpoint()
    if cp is None:
        return {"skipped": "the audit log is empty"}
    to = audit_admin_addresses()
    if to:
        body = "\n".join(
            [
                _("A checkpoint of the OpsQM audit chain. Keep this mail: `opsqm audit verify "
                  "--checkpoints FILE` checks the log against the lines of such mails."),
                "",
                cp.as_json(),
            ]
        )  # fmt: skip
        with transaction.atomic():
            queue_message(
                to=to, subject=_("Audit checkpoint #%(seq)s") % {"seq": cp.seq}, body=body
            )
    return {"seq": cp.seq, "hash": cp.hash, "at": cp.at, "mailed_to": to}


def _log_started() -> bool:
    from opsqm.infra.audit.services import read_anchor

    return read_anchor() is not None  # an empty log has nothing to checkpoint


periodic(
    "audit.checkpoint",
    every=lambda: int(settings.OPSQM_AUDIT_CHECKPOINT_SECONDS),
    enabled=_log_started,
)
