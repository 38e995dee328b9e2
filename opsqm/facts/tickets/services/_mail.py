"""The work-order mail the flow sends: its text, the mailboxes, and the job that
watches for the mail server's receive time."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.facts.tickets.models import Ticket, contract_sla_hours
from opsqm.facts.tickets.services.common import FlowError


def _vendor_mailbox(ticket: Ticket) -> str:
    box = ticket.contract.vendor.intranet_mailbox
    if not box:
        raise FlowError(_("The vendor has no intranet mailbox: the assessor must add it first."))
    return str(box)


def _mail_body(
    ticket: Ticket, heading: str, lines: Sequence[str] = (), *, ask_reply: bool = True
) -> str:
    """The text of a work-order mail: the ticket's facts, then `lines`; mail the
    vendor answers (`ask_reply`: the dispatch, the reminders) ends by saying that a
    reply acknowledges it. The desk's copies (feedback, archive, notices) do not."""
    deadline_hours = contract_sla_hours(ticket.contract).get(ticket.priority, 24)
    parts = [
        heading,
        "",
        f"工单号 Ticket: {ticket.number}",
        f"合同 Contract: {ticket.contract.code}",
        f"单位 Unit: {ticket.unit.name if ticket.unit else '-'}",
        f"优先级 Priority: {ticket.get_priority_display()} ({deadline_hours} h)",
        f"系统/终端 System: {ticket.system or '-'}",
        "",
        *(_security_lines(ticket) if ticket.kind == Ticket.Kind.SECURITY else [ticket.description]),
        *lines,
    ]
    if ask_reply:
        parts += [
            "",
            "回复本邮件即确认接收（以市局内网邮箱服务器接收时间为准）。",
            "Reply to this mail to acknowledge it; the bureau mail server's receive time counts.",
        ]
    return "\n".join(parts)


def _security_lines(ticket: Ticket) -> list[str]:
    """A security work order (第十条四): who tested, the report's date, and each finding
    with its own severity (the ticket's priority only sets the deadline)."""
    report_date = f"{ticket.report_date:%Y-%m-%d}" if ticket.report_date else "-"
    return [
        f"检测机构 Testing organisation: {ticket.testing_org or '-'}",
        f"报告日期 Report date: {report_date}",
        "",
        "问题清单 Findings:",
        *(f"- [{f.get_severity_display()}] {f.description}" for f in ticket.findings.all()),
    ]


def _local(at: datetime.datetime | None) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}" if at else "-"


def _form_lines(ticket: Ticket) -> list[str]:
    """The bureau's form (第八条) as the feedback and archive mail quote it."""
    return [
        "",
        "问题分析 Analysis:",
        ticket.analysis or "-",
        "",
        "解决步骤 Steps:",
        ticket.steps or "-",
        "",
        "验证结果 Verification:",
        ticket.verification or "-",
    ]


def _desk_mailbox() -> str:
    """The service desk's mailbox: feedback, archive and notices go there."""
    return str(settings.MAIL_SERVICE_DESK_ADDRESS or settings.MAIL_FROM)
