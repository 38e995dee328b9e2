"""合同 六(一)2 and 第二十一条三: a rectification notice sent by intranet mail is
received when the mail server received it, and the 5 days count from that time.
Services: send the notice by mail (`send_rectification`), link a notice to an
outbound mail OpsQM sent otherwise (`link_rectification_mail`); the mail service's
`on_server_time` hook (`server_time_recorded`, registered in IncidentsConfig.ready())
starts the 5 days when the time is known."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opsqm.facts.contracts.models import Contract
from opsqm.facts.incidents.models import RectificationNotice
from opsqm.facts.incidents.services import (
    RECTIFICATION_FIELDS,
    due_for,
    track_rectification,
)
from opsqm.infra.audit.servicekit import pick, save_audited
from opsqm.infra.mail.models import OutboundMessage
from opsqm.pure.assessment.model import TZ


def _body(notice: RectificationNotice) -> str:
    return "\n".join(
        (
            f"整改通知 {notice.code}：{notice.subject}",
            "",
            notice.description,
            "",
            "请于收到本通知之日起 5 日内完成整改并反馈（合同 六(一)2）；"
            "收到时间以内网邮件服务器接收时间为准（第二十一条三）。",
        )
    )


def send_rectification(
    contract: Contract, data: Mapping[str, Any], user: Any, track_delivery: bool = False
) -> RectificationNotice:
    """Issue the notice and mail it to the vendor's intranet mailbox (sent by the
    worker).  Its receive day and due day stay empty until the mail server's receive
    time is recorded."""
    mailbox = contract.vendor.intranet_mailbox
    if not mailbox:
        raise ValidationError(_("The vendor has no intranet mailbox (第二十一条一) to mail it to."))
    from opsqm.infra.mail.services import queue_message

    fields = pick(data, RECTIFICATION_FIELDS)
    fields.update(received_on=None, due=None, issued_by=user, tracked=track_delivery)
    with transaction.atomic():
        notice = save_audited(
            RectificationNotice(contract=contract), fields, action="rectification.issue"
        )
        attachments = []
        if notice.notice_file:
            with notice.notice_file.open("rb") as f:
                name = (notice.notice_file.name or "notice").rsplit("/", 1)[-1]
                attachments.append((name, f.read(), None))
        # The manager's copy rides in the same mail (第二十一条: the manager's
        # mailbox is part of the contract), so its server time is the notice's.
        manager = contract.vendor.manager_mailbox
        outbound = queue_message(
            to=[mailbox],
            cc=[manager] if manager else [],
            subject=f"整改通知 {notice.code} {notice.subject}",
            body=_body(notice),
            attachments=attachments,
            created_by=user,
        )
        _link(notice, outbound)
    return notice


def link_rectification_mail(
    notice: RectificationNotice, message_id: str, user: Any = None
) -> RectificationNotice:
    """Link `notice` to the outbound mail (by Message-ID) that delivered it; its server
    receive time, when known, becomes the start of the 5 days."""
    from opsqm.infra.mail.parsing import normalize_message_id

    wanted = normalize_message_id(message_id) or message_id.strip()
    outbound = OutboundMessage.objects.filter(message_id=wanted).first()
    if outbound is None:
        raise ValidationError({"message_id": [_("No mail sent by OpsQM has this Message-ID.")]})
    vendor = notice.contract.vendor
    boxes = {b.lower() for b in (vendor.intranet_mailbox, vendor.manager_mailbox) if b}
    if not boxes & {r.lower() for r in outbound.recipients}:
        raise ValidationError({"message_id": [_("This mail was not sent to the vendor.")]})
    with transaction.atomic():
        return _link(notice, outbound)


def _link(notice: RectificationNotice, outbound: OutboundMessage) -> RectificationNotice:
    notice = save_audited(
        notice, {"mail": outbound}, action="rectification.mail", summary=outbound.message_id
    )
    return apply_mail_time(notice)


def apply_mail_time(notice: RectificationNotice) -> RectificationNotice:
    """The mail server's receive time of the notice's mail starts the 5 days (counted
    from the next day): received_at, received_on, due, and a tracked delivery's day."""
    at = notice.mail.server_received_at if notice.mail is not None else None
    if at is None or notice.received_at == at:
        return notice
    day = at.astimezone(TZ).date()
    fields = {"received_at": at, "received_on": day, "due": due_for("rectification", day)}
    notice = save_audited(notice, fields, action="rectification.received")
    track_rectification(notice)
    return notice


def server_time_recorded(outbound: OutboundMessage) -> int:
    """`on_server_time` subscriber: the notices this mail delivered get their time."""
    n = 0
    for notice in RectificationNotice.objects.filter(mail=outbound).select_related("mail"):
        apply_mail_time(notice)
        n += 1
    return n
