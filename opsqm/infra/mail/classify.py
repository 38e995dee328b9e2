"""What kind of mail a message is: a person's mail, a bounce (a delivery report) or
an automatic reply.  Neither of the last two may ever acknowledge a work order
(docs/mail.md, "What may change a ticket").

The rules, in order (the first that matches decides):

bounce
  - `Content-Type: multipart/report` (RFC 6522: DSN, Exchange and Notes NDRs), or a
    `message/delivery-status` part anywhere;
  - a sender whose local part is `mailer-daemon` or `postmaster`;
  - a subject in the style of Exchange, Notes, Postfix, Gmail or the Chinese clients:
    "Undeliverable:", "Undelivered Mail Returned to Sender", "Delivery Status
    Notification (Failure)", "DELIVERY FAILURE:", "Mail delivery failed",
    "Returned mail:", "failure notice", "Non-delivery report", and "未送达", "无法送达",
    "退信", "投递失败", "邮件被退回" (optionally "系统…", "…通知") followed by a colon or
    nothing: a sentence that merely mentions them is a person's mail.
auto reply
  - `Auto-Submitted` other than `no` (RFC 3834);
  - `X-Autoreply`, `X-Autorespond`, or `X-Auto-Response-Suppress` present;
  - `Precedence: auto_reply`, `bulk` or `junk`;
  - a subject starting "Out of Office", "Automatic reply", "Auto reply",
    "Autoreply", "Auto response", or "自动回复", "自动答复", "自动应答" followed by a
    colon or nothing.

For a bounce, `reported_ids` are the Message-IDs it reports on: those of the
returned message (a `message/rfc822` or `text/rfc822-headers` part), then
`Original-Message-ID`/`X-Original-Message-ID`, then In-Reply-To and References,
then any Message-ID of OpsQM's own domain quoted in the text (Notes quotes them)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesHeaderParser, HeaderParser
from email.policy import compat32

MAIL = "mail"
BOUNCE = "bounce"
AUTO_REPLY = "auto_reply"

_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:(?:re|fw|fwd|回复|答复|转发)\s*[:：]\s*)*(?:"
    r"undeliverable\s*[:：]|undelivered mail returned to sender|delivery status notification"
    r"|delivery failure\s*[:：]|mail delivery failed|returned mail\s*[:：]|failure notice\s*$"
    r"|non[- ]?delivery (?:report|notification)"
    r"|(?:系统)?(?:未送达|无法送达|退信|投递失败|邮件被退回)(?:通知)?\s*(?:[:：]|$))",
    re.IGNORECASE,
)
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:(?:自动回复|自动答复|自动应答)\s*(?:[:：]|$)"
    r"|(?:out of (?:the )?office|automatic reply|auto[- ]?reply|autoreply|auto response)\b)",
    re.IGNORECASE,
)
_DAEMONS = ("mailer-daemon", "postmaster")
_AUTO_PRECEDENCE = ("auto_reply", "bulk", "junk")
_MSGID = re.compile(r"<[^<>\s]+@[^<>\s]+>")


@dataclass
class Nature:
    kind: str = MAIL
    reason: str = ""  # which rule decided, e.g. "multipart/report", "auto-submitted"
    reported_ids: list[str] = field(default_factory=list)

    @property
    def automatic(self) -> bool:
        return self.kind != MAIL


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    return "" if value is None else " ".join(str(value).split())


def _bounce_reason(msg: Message, subject: str, sender: str) -> str:
    if msg.get_content_type() == "multipart/report":
        return "multipart/report"
    for part in msg.walk():
        if part.get_content_type() == "message/delivery-status":
            return "delivery-status"
    if sender.partition("@")[0].lower() in _DAEMONS:
        return "daemon-sender"
    if _BOUNCE_SUBJECT.search(subject):
        return "bounce-subject"
    return ""


def _auto_reason(msg: Message, subject: str) -> str:
    auto_submitted = _header(msg, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return "auto-submitted"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        if msg.get(name) is not None:
            return name.lower()
    if _header(msg, "Precedence").lower() in _AUTO_PRECEDENCE:
        return "precedence"
    if _AUTO_SUBJECT.search(subject):
        return "auto-subject"
    return ""


def _returned_headers(part: Message) -> Message | None:
    """The headers of the message a bounce returns (message/rfc822 or
    text/rfc822-headers part)."""
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            return payload[0]
    if ctype == "text/rfc822-headers":
        data = part.get_payload(decode=True)
        if isinstance(data, bytes):
            return BytesHeaderParser(policy=compat32).parsebytes(data)
        text = part.get_payload()
        if isinstance(text, str):
            return HeaderParser(policy=compat32).parsestr(text)
    return None


def reported_message_ids(msg: Message, body_text: str, own_domain: str = "") -> list[str]:
    """The Message-IDs a bounce reports on, best evidence first (see the module)."""
    found: list[str] = []

    def add(values: list[str]) -> None:
        for value in values:
            if value not in found:
                found.append(value)

    for part in msg.walk():
        returned = _returned_headers(part)
        if returned is not None:
            add(_MSGID.findall(str(returned.get("Message-ID", ""))))
    for name in ("Original-Message-ID", "X-Original-Message-ID", "In-Reply-To"):
        add(_MSGID.findall(_header(msg, name)))
    add(list(reversed(_MSGID.findall(_header(msg, "References")))))
    if own_domain:
        suffix = f"@{own_domain.lower()}>"
        add([m for m in _MSGID.findall(body_text) if m.lower().endswith(suffix)])
    return found


def classify(
    msg: Message, *, subject: str, sender: str, body_text: str = "", own_domain: str = ""
) -> Nature:
    """The nature of a parsed message (its decoded subject and sender address given)."""
    reason = _bounce_reason(msg, subject, sender)
    if reason:
        return Nature(BOUNCE, reason, reported_message_ids(msg, body_text, own_domain))
    reason = _auto_reason(msg, subject)
    if reason:
        return Nature(AUTO_REPLY, reason)
    return Nature()
