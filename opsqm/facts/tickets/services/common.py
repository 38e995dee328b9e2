"""What every step of the ticket flow shares: the timeline event, the audited save,
the row lock, attachments and the ticket number."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.facts.tickets.models import ATTACHMENT_KINDS, Attachment, Event, Ticket, TicketSequence
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.servicekit import snapshot
from opsqm.infra.audit.services import log_action
from opsqm.infra.core.uploads import validate_upload

Upload = Any  # an UploadedFile / File: name, size, read(), seek()


class FlowError(ValidationError):
    """A step that is not possible in the ticket's current state."""


def now() -> datetime.datetime:
    """The flow's clock.  Every step reads the time here (`common.now()`, never a
    copy imported by name), so the demo can play a story by patching this one function."""
    return timezone.now()


def today() -> datetime.date:
    """The flow's date in Beijing (what `now()` says)."""
    return timezone.localtime(now()).date()


def _person(user: User | AnonymousUser | None) -> Any:
    """The user to record as the author: None for an anonymous visitor (a one-time
    signing link) or a job."""
    return user if getattr(user, "is_authenticated", False) else None


def _event(
    ticket: Ticket,
    action: str,
    at: datetime.datetime,
    source: str,
    text: str = "",
    actor: Any = None,
    **data: Any,
) -> Event:
    from opsqm.infra.audit.servicekit import jsonable

    return Event.objects.create(
        ticket=ticket,
        action=action,
        at=at,
        source=source,
        text=text,
        actor=_person(actor),
        data=jsonable(data),
    )


def save_ticket(
    ticket: Ticket,
    action: str,
    *,
    before: dict[str, Any] | None,
    summary: str = "",
    actor: Any = None,
) -> Ticket:
    ticket.save()
    log_action(
        action,
        obj=ticket,
        summary=summary or f"{ticket.number} {action}",
        before=before,
        after=snapshot(ticket),
        actor=_person(actor),
    )
    return ticket


def _locked(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock (PostgreSQL; SQLite serialises writers)."""
    return Ticket.objects.select_for_update().select_related("contract__vendor").get(pk=ticket.pk)


def _refusal(upload: Upload, exc: ValidationError) -> str:
    """The reason a file was refused, naming the file (the form is shown again)."""
    name = str(getattr(upload, "name", "") or _("the file"))
    return _("%(name)s was refused: %(why)s") % {"name": name, "why": " ".join(exc.messages)}


def _check_uploads(
    uploads: Iterable[Upload], field: str, errors: dict[str, str], kinds: Iterable[str]
) -> None:
    """Refused files, named, under `field`: checked with the other fields, before
    anything is written, so that one answer lists every mistake."""
    refused = []
    for upload in uploads:
        try:
            validate_upload(upload, kinds)
        except ValidationError as exc:
            refused.append(_refusal(upload, exc))
    if refused:
        errors[field] = " ".join(refused)


def _attach(
    ticket: Ticket, kind: str, upload: Upload, user: User, kinds: Iterable[str] = ATTACHMENT_KINDS
) -> Attachment:
    try:
        validate_upload(upload, kinds)
    except ValidationError as exc:
        raise ValidationError(_refusal(upload, exc)) from exc
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    att = Attachment(
        ticket=ticket,
        kind=kind,
        name=str(getattr(upload, "name", "file"))[-255:],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=_person(user),
    )
    att.file.save(att.name, ContentFile(data), save=False)
    att.save()
    return att


def next_number(at: datetime.datetime | None = None) -> str:
    """`GD-2025-0001`: per year, unique across contracts (a mail tag names one ticket)."""
    year = timezone.localtime(at or now()).year
    with transaction.atomic():
        seq, _created = TicketSequence.objects.select_for_update().get_or_create(year=year)
        while True:
            seq.last += 1
            number = f"{settings.MAIL_TICKET_PREFIX}-{year}-{seq.last:04d}"
            if not Ticket.objects.filter(number=number).exists():
                break
        seq.save(update_fields=["last"])
    return number
