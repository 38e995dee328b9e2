"""第二十一条's mail beyond work orders and the assessor's scheduled report (issue 15
§2, §3) on the seed contract: a system change notice mailed to the vendor (its
manager in copy) and answered by the vendor's intranet mailbox, an emergency
instruction on SG-01, and the monthly attendance result scheduled to the assessor.
The mail is not sent: the demo plays the mail server (flow.server), storing the desk's
copy of each mail with the server's receive time a few seconds after the send."""

from __future__ import annotations

from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from opsqm.derived.reports.models import ReportSchedule
from opsqm.derived.reports.schedules import first_run, save_schedule
from opsqm.edges.demo.flow import DEMO_MAILBOX, DEMO_UIDVALIDITY, SERVER_DELAY
from opsqm.edges.demo.story import Story, at
from opsqm.facts.contracts.models import Contract
from opsqm.facts.incidents import mailing
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.services import log_action
from opsqm.infra.mail.services import store_inbound

ASSESSOR_MAILBOX = "assessor@bjjgj.intranet"


def _server(story: Story, raw: bytes, received: datetime) -> None:
    """The bureau's mail server received `raw` at `received` (the poller stores it)."""
    story.mail_uid += 1
    store_inbound(DEMO_MAILBOX, DEMO_UIDVALIDITY, story.mail_uid, received, raw)


def _reply(mail: Any, sender: str, text: str, when: datetime) -> bytes:
    """The vendor's reply to one of our mails, threaded as a mail client does."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.outbound.from_address
    msg["Subject"] = f"回复：{mail.outbound.subject}"
    msg["Message-ID"] = f"<reply-{mail.ref}-{mail.pk}@kaihui.example>"
    msg["In-Reply-To"] = mail.outbound.message_id
    msg["References"] = mail.outbound.message_id
    msg["Date"] = format_datetime(when)
    msg.set_content(text)
    return msg.as_bytes()


def change_notice(story: Story, seed: Contract) -> None:
    """BG-2026-0001: the sync service's upgrade, written on Thursday 2026-09-24 by the
    assessor, its mail received by the server 3 s later; the vendor's intranet mailbox
    confirmed it 40 minutes later (a counted reply)."""
    written = at(date(2026, 9, 24), 10)
    notice = mailing.issue_change_notice(
        {
            "system": "执法终端数据同步服务",
            "window_start": at(date(2026, 9, 26), 22),
            "window_end": at(date(2026, 9, 27), 2),
            "impact": "维护窗口内终端数据暂停同步，恢复后自动补传",
            "contact": "刘晶 010-8888 0101",
            "text": "升级同步服务至 3.2 版，请驻场人员提前备份配置并在窗口内值守。",
        },
        [seed],
        story.users["assessor"],
        now=written,
    )
    for mail in notice.mails.select_related("outbound"):
        _server(story, mail.outbound.raw_bytes(), written + SERVER_DELAY)
        replied = at(date(2026, 9, 24), 10, 40)
        answer = _reply(mail, mail.outbound.to[0], "已收到，届时安排人员值守。", replied)
        _server(story, answer, replied + SERVER_DELAY)


def instruction(story: Story, seed: Contract) -> None:
    """The desk's emergency instruction on SG-01, 25 minutes after it began."""
    sg01 = seed.incidents.get(code="SG-01")
    sent = at(date(2026, 9, 8), 14, 25)
    mail = mailing.send_instruction(
        sg01,
        "立即切换至备用同步节点，每 30 分钟向服务台报告一次恢复进展。",
        story.users["desk"],
        now=sent,
    )
    _server(story, mail.outbound.raw_bytes(), sent + SERVER_DELAY)


def report_schedule(story: Story, seed: Contract) -> None:
    """The seed's monthly attendance result, mailed to the assessor on the 5th (paused
    once the contract's reporting is over: no run would fall in it)."""
    assessor = story.users["assessor"]
    User.objects.filter(pk=assessor.pk).update(email=ASSESSOR_MAILBOX)
    log_action(
        "demo.accounts",
        object_type="accounts.user",
        summary=f"demo: the assessor's mailbox {ASSESSOR_MAILBOX}",
    )
    assessor.refresh_from_db()
    schedule = ReportSchedule(contract=seed)
    fields = {
        "report": "attendance",
        "frequency": "monthly",
        "day": 5,
        "starts_on": seed.start,
        "active": True,
    }
    schedule.report, schedule.frequency, schedule.day = "attendance", "monthly", 5
    schedule.starts_on = seed.start
    fields["active"] = first_run(schedule) is not None
    save_schedule(schedule, fields, [assessor], assessor)


def send_notices(story: Story, seed: Contract) -> None:
    change_notice(story, seed)
    instruction(story, seed)
    report_schedule(story, seed)
