"""The incident's timeline: its facts, the steps of 第十四条 and the mail of 第二十一条
(instructions, minutes) with the mail server's receive times and the replies, oldest
first.  Each line says whose clock it is: the mail server's decides (第二十一条)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from opsqm.facts.incidents.mailing import NOT_COUNTED
from opsqm.facts.incidents.models import Incident, NoticeMail

SERVER, APP, TYPED = "server", "app", "typed"


@dataclass
class Line:
    at: datetime.datetime
    what: str
    detail: str = ""
    clock: str = TYPED
    mail: Any = None


def _mail_lines(mail: NoticeMail) -> list[Line]:
    kind = str(mail.get_purpose_display())
    out = mail.outbound
    to = ", ".join([*out.to, *out.cc])
    lines = [Line(mail.created_at, _("%(kind)s sent") % {"kind": kind}, to, APP, mail)]
    if mail.server_received_at:
        what = _("%(kind)s received by the mail server") % {"kind": kind}
        lines.append(Line(mail.server_received_at, what, to, SERVER, mail))
    if out.not_delivered_at:
        what = _("%(kind)s not delivered (bounce)") % {"kind": kind}
        lines.append(Line(out.not_delivered_at, what, "", SERVER, mail))
    for reply in mail.replies.select_related("inbound"):
        sender = reply.inbound.from_address or "?"
        if reply.counted:
            what = _("Reply from the vendor (%(sender)s)") % {"sender": sender}
            detail = reply.inbound.subject
        else:
            what = _("Mail from %(sender)s") % {"sender": sender}
            detail = str(NOT_COUNTED.get(reply.reason, reply.reason))
        lines.append(Line(reply.received_at, what, detail, SERVER, mail))
    return lines


def incident_timeline(incident: Incident) -> list[Line]:
    lines = [Line(incident.occurred_at, _("Occurred"))]
    if incident.restored_at:
        lines.append(Line(incident.restored_at, _("Restored")))
    if incident.reported_at:
        lines.append(Line(incident.reported_at, _("Analysis report submitted"), clock=APP))
    for step in incident.steps.all():
        lines.append(Line(step.recorded_at, str(step.get_step_display()), clock=APP))
    for mail in incident.mails.select_related("outbound"):
        lines += _mail_lines(mail)
    return sorted(lines, key=lambda line: line.at)
