"""5. Closure: the recipient signs and rates (on the page or by a one-time link), or
the desk confirms by phone when no signature is possible (第十条)."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Sequence
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from opsqm.facts.tickets.models import (
    Attachment,
    Event,
    OriginalReport,
    PhoneCall,
    SignLink,
    Ticket,
)
from opsqm.facts.tickets.services import common
from opsqm.facts.tickets.services._mail import _desk_mailbox, _local, _mail_body
from opsqm.facts.tickets.services.archive import _send_archive
from opsqm.facts.tickets.services.common import (
    FlowError,
    Upload,
    _attach,
    _event,
    _locked,
    _person,
    save_ticket,
)
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.servicekit import snapshot
from opsqm.infra.audit.services import log_action
from opsqm.infra.core.textlimits import check_lengths

# A one-time signing link is valid this long.
SIGN_LINK_MAX_AGE = datetime.timedelta(hours=72)
SIGN_LINK_SALT = "opsqm.facts.tickets.sign"
# The largest signature image accepted (a drawn signature is a few kB).
SIGNATURE_MAX_BYTES = 512 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _check_png(data: bytes) -> None:
    if not data.startswith(PNG_MAGIC) or len(data) > SIGNATURE_MAX_BYTES or len(data) < 67:
        raise ValidationError({"signature": _("The signature is not a PNG drawing.")})


def _require_closable(ticket: Ticket) -> None:
    if not (ticket.resolution_message_id or ticket.resolved_at):
        raise FlowError(_("The engineer has not resolved this ticket yet."))
    if ticket.signature != Ticket.Signature.NONE:
        raise FlowError(_("This ticket is confirmed already: one problem, one rating."))


def sign(
    ticket: Ticket,
    *,
    png: bytes,
    satisfaction: str,
    signer_name: str,
    user: User | None = None,
    via: str = "login",
) -> Ticket:
    """The recipient signs (drawn on a phone or tablet) and rates: one ticket, one
    rating (第八条).  Then OpsQM mails the signed form to the service desk (第十条)."""
    if satisfaction not in Ticket.Satisfaction.values:
        raise ValidationError({"satisfaction": _("Rate the service.")})
    if not signer_name.strip():
        raise ValidationError({"signer_name": _("Write your name.")})
    _check_png(png)
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_closable(ticket)
        now = common.now()
        before = snapshot(ticket)
        digest = hashlib.sha256(png).hexdigest()
        ticket.signature_image.save(f"{ticket.number}.png", ContentFile(png), save=False)
        ticket.signature_sha256 = digest
        ticket.signature = Ticket.Signature.SIGNED
        ticket.satisfaction = satisfaction
        ticket.signed_at = now
        ticket.signed_by = _person(user)
        ticket.signer_name = signer_name.strip()[:64]
        ticket.signed_via = via
        _event(
            ticket,
            "signed",
            now,
            Event.Source.APP,
            signer_name.strip(),
            user,
            satisfaction=satisfaction,
            sha256=digest,
            via=via,
        )
        save_ticket(ticket, "ticket.sign", before=before, actor=user)
        _send_archive(ticket, user)
    return ticket


def create_sign_link(ticket: Ticket, *, user: User) -> str:
    """A one-time signing link (signed token, expiring, single use, no login)."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_closable(ticket)
        nonce = secrets.token_urlsafe(24)
        link = SignLink.objects.create(
            ticket=ticket,
            nonce=nonce,
            expires_at=common.now() + SIGN_LINK_MAX_AGE,
            created_by=user,
        )
        _event(
            ticket,
            "sign_link_created",
            link.created_at,
            Event.Source.APP,
            "",
            user,
            expires_at=link.expires_at,
        )
        log_action(
            "ticket.sign_link",
            obj=link,
            summary=ticket.number,
            after={"ticket": ticket.number, "expires_at": link.expires_at},
        )
    return signing.dumps({"n": nonce}, salt=SIGN_LINK_SALT)


def sign_link_for(token: str) -> SignLink:
    """The link a token names, if still usable; else ValidationError."""
    try:
        data = signing.loads(token, salt=SIGN_LINK_SALT, max_age=SIGN_LINK_MAX_AGE)
    except signing.BadSignature as exc:
        raise ValidationError(_("This signing link is not valid.")) from exc
    link = (
        SignLink.objects.select_related("ticket__contract", "ticket__unit")
        .filter(nonce=str(data.get("n", "")))
        .first()
    )
    if link is None:
        raise ValidationError(_("This signing link is not valid."))
    if link.used_at is not None:
        raise ValidationError(_("This signing link has been used."))
    if link.expires_at <= common.now():
        raise ValidationError(_("This signing link has expired."))
    return link


def sign_with_link(token: str, *, png: bytes, satisfaction: str, signer_name: str) -> Ticket:
    with transaction.atomic():
        link = sign_link_for(token)
        used = SignLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
            used_at=common.now()
        )
        if not used:
            raise ValidationError(_("This signing link has been used."))
        return sign(
            link.ticket, png=png, satisfaction=satisfaction, signer_name=signer_name, via="link"
        )


def record_no_signature(
    ticket: Ticket, *, user: User, reason: str, evidence: Sequence[Upload] = ()
) -> Ticket:
    """第十条 exception: the recipient cannot sign; the engineer notes why (with other
    evidence), for the desk to confirm by phone.  The ticket is then *awaiting phone
    confirmation* on the desk's board, and the desk's mailbox gets a notice."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_closable(ticket)
        if not reason.strip():
            raise ValidationError({"reason": _("Say why no signature is possible.")})
        check_lengths(
            Ticket, {"no_signature_reason": reason.strip()}, {"no_signature_reason": "reason"}
        )
        now = common.now()
        before = snapshot(ticket)
        ticket.no_signature_reason = reason.strip()
        ticket.no_signature_at = ticket.no_signature_at or now
        names = [_attach(ticket, Attachment.Kind.EXCEPTION, f, user).name for f in evidence]
        notice = _notify_desk_no_signature(ticket, user, names)
        _event(
            ticket,
            "no_signature",
            now,
            Event.Source.APP,
            reason.strip(),
            user,
            evidence=names,
            notice=notice.message_id,
        )
        save_ticket(ticket, "ticket.no_signature", before=before, actor=user)
    return ticket


def _notify_desk_no_signature(ticket: Ticket, user: User, evidence: Sequence[str]) -> Any:
    """The desk's intranet mail notice (sent by the worker if the transaction commits):
    whom to phone, why there is no signature, and the ticket's times."""
    from opsqm.infra.mail.services import queue_message

    original = OriginalReport.objects.filter(ticket=ticket).first()
    contact = " · ".join(x for x in (original.reporter, original.phone) if x) if original else ""
    resolved = (
        f"{_local(ticket.resolved_at)}（邮件服务器接收时间 mail server receive time）"
        if ticket.resolved_at
        else "已发送，等待服务器时间 sent, awaiting the server's time"
    )
    lines = [
        "",
        f"未签字原因 Why no signature: {ticket.no_signature_reason}",
        f"记录人 Noted by: {getattr(user, 'display_name', '') or '-'}",
        f"证据 Evidence: {', '.join(evidence) or '-'}",
        f"报告人 Reporter: {contact or '-'}",
        f"处理时限 Deadline: {_local(ticket.deadline)}",
        f"反馈时间 Resolved: {resolved}",
        "",
        "请电话联系服务对象确认，并在 OpsQM 工单页记录确认结果（第十条）；"
        "确认前本工单按未签字计（第十七条一）。",
        "Phone the service recipient and record the confirmation on the ticket's page "
        "in OpsQM (第十条); until then the ticket counts as unsigned (第十七条一).",
    ]
    return queue_message(
        to=[_desk_mailbox()],
        subject=ticket.title,
        body=_mail_body(
            ticket,
            "待电话确认：服务对象无法签字 Awaiting phone confirmation: no signature possible",
            lines,
            ask_reply=False,
        ),
        kind="other",
        ticket_ref=ticket.number,
        in_reply_to=ticket.resolution_message.message_id if ticket.resolution_message else "",
        created_by=user,
    )


def confirm_by_phone(
    ticket: Ticket,
    *,
    user: User,
    called_at: datetime.datetime,
    person: str,
    outcome: str,
    satisfaction: str,
) -> Ticket:
    """The desk phones the recipient and records the confirmation; it is final
    (第十条): signature = phone_confirmed."""
    if satisfaction not in Ticket.Satisfaction.values:
        raise ValidationError({"satisfaction": _("Record the recipient's rating.")})
    if not person.strip() or not outcome.strip():
        raise ValidationError(_("Record whom you called and what was said."))
    check_lengths(PhoneCall, {"person": person.strip()})
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_closable(ticket)
        if not ticket.no_signature_reason:
            raise FlowError(_("The engineer has not noted why no signature is possible."))
        before = snapshot(ticket)
        PhoneCall.objects.create(
            ticket=ticket,
            purpose=PhoneCall.Purpose.RECIPIENT,
            called_at=called_at,
            person=person.strip(),
            outcome=outcome.strip(),
            recorded_by=user,
        )
        ticket.signature = Ticket.Signature.PHONE_CONFIRMED
        ticket.satisfaction = satisfaction
        ticket.signed_at = called_at
        ticket.signer_name = person.strip()[:64]
        ticket.signed_via = "phone"
        _event(
            ticket,
            "phone_confirmed",
            called_at,
            Event.Source.TYPED,
            outcome.strip(),
            user,
            person=person.strip(),
            satisfaction=satisfaction,
        )
        save_ticket(ticket, "ticket.phone_confirm", before=before, actor=user)
        _send_archive(ticket, user)
    return ticket
