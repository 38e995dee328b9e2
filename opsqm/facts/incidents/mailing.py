"""第二十一条's mail beyond work orders (docs/mail.md, "Notices, instructions and
manager copies"):

- system change notices (升级、维护): `issue_change_notice` writes the notice and mails
  each vendor concerned (its intranet mailbox, a copy to its manager);
- incident instructions and the minutes of 第十四条五: `send_instruction`,
  `send_minutes` (the vendor's intranet mailbox, a copy to the manager's);
- copies to the vendor's manager: `copy_rectification` (at issue), `manager_copy`
  (the settlement statement at sign-off: opsqm.derived.settlement).

Each mail is a NoticeMail threaded by a subject tag of its own prefix (`PREFIXES`,
registered with the mail service in IncidentsConfig.ready()).  The mail service
tells us its server receive time (`server_time_recorded`, hooks.on_server_time) and
what was threaded to it (`handle_inbound`, hooks.on_inbound): a reply counts only
when it is a person's readable mail from the vendor's registered mailboxes; bounces,
automatic replies, refused mail and strangers are kept and shown, never counted."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsqm.facts.contracts.dates import date_errors
from opsqm.facts.contracts.models import Contract, Vendor
from opsqm.facts.incidents.models import (
    ChangeNotice,
    DeterminationStep,
    Incident,
    NoticeMail,
    NoticeReply,
    RectificationNotice,
)
from opsqm.infra.audit.services import log_action
from opsqm.infra.core.roles import Role
from opsqm.pure.assessment.model import TZ

P = NoticeMail.Purpose
# Subject tag prefix of each kind of thread: [BG-2026-0001] 系统变更通知 …
PREFIXES = {"change": "BG", "incident": "SG", "rectification": "ZG", "settlement": "JS"}
# The mail service's kind of each purpose's message (OutboundMessage.kind).
KIND: dict[str, str] = {
    P.CHANGE_NOTICE.value: "change_notice",
    P.INSTRUCTION.value: "instruction",
    P.MINUTES.value: "minutes",
    P.RECTIFICATION.value: "manager_copy",
    P.SETTLEMENT.value: "manager_copy",
}
CHANGE_FIELDS = ("system", "window_start", "window_end", "impact", "contact", "text")
WRITERS = (Role.ASSESSOR, Role.SERVICE_DESK)
# Why a message threaded to one of our mails does not count (NoticeReply.reason).
NOT_COUNTED = {
    "refused": gettext_lazy("not counted: the message could not be read reliably"),
    "bounce": gettext_lazy("not counted: a bounce (delivery report)"),
    "auto_reply": gettext_lazy("not counted: an automatic reply"),
    "stranger": gettext_lazy("not counted: not from a mailbox registered for the vendor"),
}


def _now(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()).astimezone(TZ)


def _need(user: Any, *roles: str) -> None:
    if getattr(user, "role", None) not in roles:
        raise ValidationError(_("Your role cannot take this step."))


def vendor_mailboxes(vendor: Vendor) -> set[str]:
    """The mailboxes whose mail counts for `vendor` (第二十一条): its intranet mailbox
    and its manager's, lower-cased."""
    return {b.strip().lower() for b in (vendor.intranet_mailbox, vendor.manager_mailbox) if b}


def verdict(vendor: Vendor, message: Any) -> str:
    """ "" when `message` counts as the vendor's reply, else why not."""
    if message.refused:
        return "refused"
    if message.nature != "mail":
        return str(message.nature)
    if (message.from_address or "").strip().lower() not in vendor_mailboxes(vendor):
        return "stranger"
    return ""


def _recipients(contract: Contract, field: str) -> tuple[list[str], list[str]]:
    """To the vendor's intranet mailbox, a copy to its manager's; a ValidationError on
    `field` when the vendor has no intranet mailbox."""
    vendor = contract.vendor
    if not vendor.intranet_mailbox:
        raise ValidationError(
            {
                field: _("%(vendor)s has no intranet O&M mailbox: record it on the vendor first.")
                % {"vendor": vendor.name}
            }
        )
    cc = [vendor.manager_mailbox] if vendor.manager_mailbox else []
    return [vendor.intranet_mailbox], cc


def _send(
    purpose: str,
    ref: str,
    contract: Contract,
    *,
    to: Sequence[str],
    cc: Sequence[str] = (),
    subject: str,
    body: str,
    user: Any,
    attachments: Sequence[tuple[str, bytes, str | None]] = (),
    now: datetime.datetime | None = None,
    **links: Any,
) -> NoticeMail:
    """Queue the mail (sent when the caller's transaction commits) and record it."""
    from opsqm.infra.mail.services import queue_message

    outbound = queue_message(
        to=list(to),
        cc=list(cc),
        subject=subject,
        body=body,
        kind=KIND[purpose],
        ticket_ref=ref,
        attachments=attachments,
        created_by=user,
    )
    mail = NoticeMail.objects.create(
        purpose=purpose,
        ref=ref,
        contract=contract,
        outbound=outbound,
        text=body,
        sent_by=user if getattr(user, "is_authenticated", False) else None,
        created_at=_now(now),
        **links,
    )
    log_action(
        "notice.mail_sent",
        obj=mail,
        actor=user,
        summary=f"{ref} {purpose} → {', '.join([*to, *cc])}",
        after={"message_id": outbound.message_id, "to": list(to), "cc": list(cc)},
    )
    return mail


# --- system change notices -----------------------------------------------------------


def next_change_number(now: datetime.datetime | None = None) -> str:
    year = _now(now).year
    stem = f"{PREFIXES['change']}-{year}-"
    last = (
        ChangeNotice.objects.filter(number__startswith=stem)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{seq:04d}"


def _window_errors(contracts: Iterable[Contract], fields: Mapping[str, Any]) -> dict[str, str]:
    labels = {
        "window_start": str(ChangeNotice._meta.get_field("window_start").verbose_name),
        "window_end": str(ChangeNotice._meta.get_field("window_end").verbose_name),
    }
    values = {k: fields.get(k) for k in labels}
    errors: dict[str, str] = {}
    for contract in contracts:
        for key, text in date_errors(
            contract, values, labels=labels, order=(("window_start", "window_end"),)
        ).items():
            errors.setdefault(key, text)
    return errors


def _change_body(notice: ChangeNotice, contract: Contract) -> str:
    start = notice.window_start.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    end = notice.window_end.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    lines = [
        f"系统变更通知 System change notice {notice.number}",
        f"合同 Contract: {contract.code}",
        f"系统 System: {notice.system}",
        f"维护窗口 Maintenance window: {start} – {end}",
        f"影响 Impact: {notice.impact}",
        f"联系人 Contact: {notice.contact}",
    ]
    if notice.text:
        lines += ["", notice.text]
    lines += ["", "请回复本邮件确认收到。 Please reply to this mail to confirm receipt."]
    return "\n".join(lines)


def issue_change_notice(
    data: Mapping[str, Any],
    contracts: Iterable[Contract],
    user: Any,
    now: datetime.datetime | None = None,
) -> ChangeNotice:
    """Write a change notice and mail it to each contract's vendor (intranet mailbox,
    the manager in copy), one mail per contract, in one transaction."""
    _need(user, *WRITERS)
    chosen = list(dict.fromkeys(contracts))
    fields = {k: data[k] for k in CHANGE_FIELDS if k in data}
    if not chosen:
        raise ValidationError({"contracts": _("Choose the contracts whose vendors are told.")})
    notice = ChangeNotice(**fields, written_by=user, written_at=_now(now), number="-")
    errors: dict[str, Any] = {}
    try:
        notice.full_clean(exclude=["number"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for key, text in _window_errors(chosen, fields).items():
        errors.setdefault(key, [text])
    for contract in chosen:
        try:
            _recipients(contract, "contracts")
        except ValidationError as exc:
            errors.setdefault("contracts", exc.message_dict["contracts"])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        notice.number = next_change_number(now)
        notice.save()
        notice.contracts.set(chosen)
        log_action(
            "change_notice.issue",
            obj=notice,
            actor=user,
            summary=f"{notice.number} {notice.system}: {', '.join(c.code for c in chosen)}",
            after={**fields, "contracts": [c.code for c in chosen]},
        )
        for contract in chosen:
            to, cc = _recipients(contract, "contracts")
            _send(
                P.CHANGE_NOTICE,
                notice.number,
                contract,
                to=to,
                cc=cc,
                subject=f"系统变更通知 {notice.system}",
                body=_change_body(notice, contract),
                user=user,
                now=now,
                change_notice=notice,
            )
    return notice


# --- incidents: instructions and the minutes of step 五 -------------------------------


def incident_ref(incident: Incident) -> str:
    return f"{PREFIXES['incident']}-{incident.occurred_at.astimezone(TZ).year}-{incident.pk:04d}"


def send_instruction(
    incident: Incident, text: str, user: Any, now: datetime.datetime | None = None
) -> NoticeMail:
    """An emergency instruction of the bureau to the vendor (第二十一条)."""
    _need(user, *WRITERS)
    if not text.strip():
        raise ValidationError({"text": _("Write the instruction.")})
    if len(text) > 4000:
        raise ValidationError({"text": _("At most 4000 characters.")})
    to, cc = _recipients(incident.contract, "text")
    body = "\n".join(
        [
            f"应急处置指令 Emergency instruction — 事故 Incident {incident.code} {incident.title}",
            f"合同 Contract: {incident.contract.code}",
            "",
            text.strip(),
            "",
            "请回复本邮件确认收到。 Please reply to this mail to confirm receipt.",
        ]
    )
    with transaction.atomic():
        return _send(
            P.INSTRUCTION,
            incident_ref(incident),
            incident.contract,
            to=to,
            cc=cc,
            subject=f"应急处置指令 {incident.code} {incident.title}",
            body=body,
            user=user,
            now=now,
            incident=incident,
        )


def _minutes_body(incident: Incident, step: DeterminationStep) -> str:
    people = step.participants or {}
    at = step.recorded_at.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    return "\n".join(
        [
            f"事故等级认定会议纪要 Minutes of the final rating (第十四条五) — {incident.code}",
            f"合同 Contract: {incident.contract.code}",
            f"认定时间 Recorded: {at}",
            f"参加人员 Participants: 信息化部门 {people.get('it', '')}; "
            f"运维单位 {people.get('vendor', '')}; 监理 {people.get('supervisor', '')}"
            + (f"; 专家 {people['experts']}" if people.get("experts") else ""),
            f"最终等级 Final level: {step.level}",
            "",
            "书面结论 Written conclusion:",
            step.conclusion or "（见附件 see the signed scan attached）",
        ]
    )


def send_minutes(incident: Incident, user: Any, now: datetime.datetime | None = None) -> NoticeMail:
    """The minutes of the determination meeting (第十四条五), the signed scan attached."""
    _need(user, Role.ASSESSOR)
    step = DeterminationStep.objects.filter(incident=incident, step=5).first()
    if step is None:
        raise ValidationError(_("Record the final rating (step 五) first."))
    to, cc = _recipients(incident.contract, "step")
    attachments: list[tuple[str, bytes, str | None]] = []
    if step.conclusion_scan:
        with step.conclusion_scan.open("rb") as f:
            name = str(step.conclusion_scan.name).rsplit("/", 1)[-1]
            attachments.append((name, f.read(), None))
    with transaction.atomic():
        return _send(
            P.MINUTES,
            incident_ref(incident),
            incident.contract,
            to=to,
            cc=cc,
            subject=f"事故等级认定会议纪要 {incident.code}",
            body=_minutes_body(incident, step),
            user=user,
            attachments=attachments,
            now=now,
            incident=incident,
        )


# --- copies to the vendor's manager --------------------------------------------------


def manager_copy(
    contract: Contract,
    purpose: str,
    ref: str,
    *,
    subject: str,
    body: str,
    user: Any,
    attachments: Sequence[tuple[str, bytes, str | None]] = (),
    **links: Any,
) -> NoticeMail | None:
    """A copy to the vendor manager's mailbox (第二十一条); None when the contract's
    vendor has none recorded.  Inside the caller's transaction."""
    box = contract.vendor.manager_mailbox
    if not box:
        return None
    return _send(
        purpose,
        ref,
        contract,
        to=[box],
        subject=subject,
        body="抄送项目经理 Copy to the vendor's manager\n\n" + body,
        user=user,
        attachments=attachments,
        **links,
    )


def copy_rectification(notice: RectificationNotice, user: Any) -> NoticeMail | None:
    """The manager's copy of a rectification notice (合同 六(一)2), the written notice
    attached."""
    if notice.received_on is None:
        return None  # mailed to the vendor: the manager was copied on that mail
    ref = f"{PREFIXES['rectification']}-{notice.received_on.year}-{notice.pk:04d}"
    attachments: list[tuple[str, bytes, str | None]] = []
    if notice.notice_file:
        with notice.notice_file.open("rb") as f:
            name = str(notice.notice_file.name).rsplit("/", 1)[-1]
            attachments.append((name, f.read(), None))
    body = "\n".join(
        [
            f"整改通知 Rectification notice {notice.code}: {notice.subject}",
            f"合同 Contract: {notice.contract.code}",
            f"送达 Received on: {notice.received_on:%Y-%m-%d}",
            f"整改期限 Rectify by: {notice.due:%Y-%m-%d}",
            "",
            notice.description,
        ]
    )
    return manager_copy(
        notice.contract,
        P.RECTIFICATION,
        ref,
        subject=f"整改通知 {notice.code} {notice.subject}",
        body=body,
        user=user,
        attachments=attachments,
        rectification=notice,
    )


# --- what the mail service tells us --------------------------------------------------


def _pick(mails: list[NoticeMail], message: Any) -> NoticeMail:
    """The mail a message answers: of the mails to the sender's vendor (if any), the
    one its In-Reply-To/References (or the bounce) names, else the latest."""
    sender = (message.from_address or "").strip().lower()
    own = [m for m in mails if sender in vendor_mailboxes(m.contract.vendor)]
    candidates = own or mails
    by_id = {m.outbound.message_id: m for m in candidates}
    for m in candidates:
        if message.bounced_id and m.outbound_id == message.bounced_id:
            return m
    parents = [message.in_reply_to, *reversed((message.references or "").split())]
    for parent in parents:
        if parent in by_id:
            return by_id[parent]
    return candidates[-1]


def handle_inbound(message: Any) -> str:
    """`on_inbound` subscriber: keep a message threaded to one of our mails as its
    reply, counted or not (and why).  Idempotent.  Returns what was done."""
    ref = (message.ticket_ref or "").upper()
    if not ref or ref.split("-", 1)[0] not in PREFIXES.values():
        return "not-ours"
    mails = list(NoticeMail.objects.filter(ref=ref).select_related("contract__vendor", "outbound"))
    if not mails:
        return "unknown"
    if message.outbound_id:
        return "copy"  # the desk's copy of our own mail: its time comes by the hook
    mail = _pick(mails, message)
    reason = verdict(mail.contract.vendor, message)
    with transaction.atomic():
        _reply, created = NoticeReply.objects.get_or_create(
            inbound=message,
            defaults={
                "mail": mail,
                "counted": not reason,
                "reason": reason,
                "received_at": message.server_received_at,
            },
        )
        if not created:
            return "seen"
        if not reason:
            NoticeMail.objects.filter(pk=mail.pk).filter(replied_at__isnull=True).update(
                replied_at=message.server_received_at
            )
            NoticeMail.objects.filter(pk=mail.pk, replied_at__gt=message.server_received_at).update(
                replied_at=message.server_received_at
            )
        log_action(
            "notice.reply",
            obj=mail,
            summary=f"{ref} ← {message.from_address or '?'}: "
            + ("counts" if not reason else f"not counted ({reason})"),
            after={
                "inbound": message.pk,
                "message_id": message.message_id,
                "server_received_at": message.server_received_at,
                "reason": reason,
            },
        )
    return "reply" if not reason else f"not-counted:{reason}"


def server_time_recorded(outbound: Any) -> None:
    """`on_server_time` subscriber: the mail server's receive time of one of our
    mails, on its record at once."""
    NoticeMail.objects.filter(outbound_id=outbound.pk).update(
        server_received_at=outbound.server_received_at
    )


def sweep_server_times() -> int:
    """The safety net of `server_time_recorded` (a subscriber that failed is rolled
    back alone): copy the server times the mail service knows but a record lacks.
    Returns how many records it fixed; 0 in the normal path."""
    from django.db.models import OuterRef, Subquery

    from opsqm.infra.mail.models import OutboundMessage

    times = OutboundMessage.objects.filter(pk=OuterRef("outbound_id"))
    missing = NoticeMail.objects.filter(
        server_received_at__isnull=True, outbound__server_received_at__isnull=False
    )
    return missing.update(server_received_at=Subquery(times.values("server_received_at")[:1]))
