"""Bounces, automatic replies and Chinese character sets, without a server (the
server tests are tests/tickets/test_mail_rules.py): every rule of docs/mail.md
"What may change a ticket" (2 and 4), and what must not match."""

from __future__ import annotations

import pytest

from opsqm.infra.mail.parsing import decode_fallback, parse_message, unreadable_text

OURS = "<20260101T000000.abc.GD-2026-0001@bureau.test>"


def _msg(head: str, body: str = "text", ctype: str = "text/plain; charset=utf-8") -> bytes:
    return (f"{head}Content-Type: {ctype}\r\n\r\n{body}\r\n").encode()


@pytest.mark.parametrize(
    ("head", "reason"),
    [
        ("Auto-Submitted: auto-replied\r\nSubject: 收到\r\n", "auto-submitted"),
        ("Auto-Submitted: auto-generated; x=1\r\nSubject: s\r\n", "auto-submitted"),
        ("X-Autoreply: yes\r\nSubject: s\r\n", "x-autoreply"),
        ("X-Autorespond: 1\r\nSubject: s\r\n", "x-autorespond"),
        ("X-Auto-Response-Suppress: OOF\r\nSubject: s\r\n", "x-auto-response-suppress"),
        ("Precedence: auto_reply\r\nSubject: s\r\n", "precedence"),
        ("Precedence: JUNK\r\nSubject: s\r\n", "precedence"),
        ("Subject: 自动回复: [GD-2026-0001] 工单\r\n", "auto-subject"),
        ("Subject: =?utf-8?B?6Ieq5Yqo562U5aSN?=: x\r\n", "auto-subject"),  # 自动答复
        ("Subject: Out of Office: x\r\n", "auto-subject"),
        ("Subject: Automatic reply: x\r\n", "auto-subject"),
    ],
)
def test_automatic_replies(head: str, reason: str) -> None:
    p = parse_message(_msg("From: a@v.test\r\n" + head))
    assert (p.nature, p.nature_reason) == ("auto_reply", reason)


@pytest.mark.parametrize(
    "head",
    [
        "From: a@v.test\r\nAuto-Submitted: no\r\nSubject: 已收到\r\n",
        "From: a@v.test\r\nPrecedence: list\r\nSubject: 已收到\r\n",
        "From: a@v.test\r\nSubject: 回复：关于自动回复功能的故障\r\n",  # about auto replies
        "From: a@v.test\r\nSubject: 自动回复功能坏了\r\n",
        "From: postmaster-team@v.test\r\nSubject: 已处理\r\n",  # not the daemon itself
        "From: a@v.test\r\nSubject: Re: 未送达的打印机已修好\r\n",  # 未送达 inside a sentence
    ],
)
def test_a_persons_mail_is_mail(head: str) -> None:
    p = parse_message(_msg(head))
    assert (p.nature, p.nature_reason) == ("mail", "")


def test_a_dsn_names_the_returned_message() -> None:
    raw = (
        "From: MAILER-DAEMON@mail.bureau.test\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; "
        'boundary="R"\r\n\r\n--R\r\nContent-Type: text/plain\r\n\r\nfull\r\n'
        "--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\n"
        "Final-Recipient: rfc822; v@bureau.test\r\nAction: failed\r\n\r\n"
        f"--R\r\nContent-Type: message/rfc822\r\n\r\nMessage-ID: {OURS}\r\nSubject: x\r\n\r\nb\r\n"
        "--R--\r\n"
    ).encode()
    p = parse_message(raw, own_domain="bureau.test")
    assert (p.nature, p.nature_reason) == ("bounce", "multipart/report")
    assert p.reported_ids == [OURS]
    assert not p.refused, p.notes


@pytest.mark.parametrize(
    ("head", "body", "reason", "ids"),
    [
        ("Subject: Undeliverable: [GD-2026-0001] x\r\n", "", "bounce-subject", []),
        ("Subject: 回复：未送达：x\r\n", "", "bounce-subject", []),
        ("Subject: 系统退信\r\n", "", "bounce-subject", []),
        ("Subject: DELIVERY FAILURE: x\r\n", f"Message-ID: {OURS}", "bounce-subject", [OURS]),
        ("From: Mailer-Daemon@b.test\r\nSubject: notice\r\n", "", "daemon-sender", []),
        (
            f"From: postmaster@b.test\r\nSubject: notice\r\nIn-Reply-To: {OURS}\r\n",
            "",
            "daemon-sender",
            [OURS],
        ),
        (
            f"Subject: Returned mail: see transcript\r\nX-Original-Message-ID: {OURS}\r\n",
            "",
            "bounce-subject",
            [OURS],
        ),
    ],
)
def test_bounce_styles(head: str, body: str, reason: str, ids: list[str]) -> None:
    if not head.startswith("From:"):
        head = "From: x@b.test\r\n" + head
    p = parse_message(_msg(head, body), own_domain="bureau.test")
    assert (p.nature, p.nature_reason, p.reported_ids) == ("bounce", reason, ids)


def test_a_bounce_only_quotes_our_own_message_ids_from_its_text() -> None:
    p = parse_message(
        _msg("From: x@b.test\r\nSubject: Undeliverable: x\r\n", "see <other@elsewhere.test>"),
        own_domain="bureau.test",
    )
    assert p.nature == "bounce" and p.reported_ids == []


GBK_ONLY = "王镕堃"  # 镕, 堃: GBK, not GB 2312 (Python's gb2312 codec refuses them)


@pytest.mark.parametrize("label", ["gb2312", "GB2312", "gbk", "x-gbk", "cp936", "euc-cn"])
def test_gb_labels_are_read_as_gb18030(label: str) -> None:
    raw = b"From: a@v.test\r\nSubject: s\r\nContent-Type: text/plain; charset=" + label.encode()
    p = parse_message(raw + b"\r\n\r\n" + GBK_ONLY.encode("gbk"))
    assert not p.refused and p.body_text == GBK_ONLY


def test_the_fallback_order_is_utf8_then_gb18030() -> None:
    assert decode_fallback("打印".encode(), None) == ("打印", "")
    assert decode_fallback("打印".encode("gbk"), None) == ("打印", "")
    assert decode_fallback("打印".encode("gbk"), "utf-8") == ("打印", "")  # mislabelled
    assert decode_fallback("打印".encode("gbk"), "us-ascii") == ("打印", "")
    assert decode_fallback(b"\xff\xfe", None) == (None, "encoding")
    assert decode_fallback(b"x", "klingon") == (None, "charset")
    # A label other than ASCII/UTF-8 is trusted: no fallback from Big5.
    assert decode_fallback("打印".encode("gbk"), "big5")[0] != "打印"


def test_a_refused_subject_is_never_mojibake() -> None:
    bad = "打印".encode("gbk") + b"\xff"
    p = parse_message(b"From: a@v.test\r\nSubject: [GD-2026-0001] " + bad + b"\r\n\r\nx")
    assert p.refused and p.subject == "[GD-2026-0001] \ufffd"
    assert unreadable_text(b"ok \x80\x81 ok \xff") == "ok \ufffd ok \ufffd"
    encoded = parse_message(b"From: a@v.test\r\nSubject: =?utf-8?B?/w==?= tail\r\n\r\nx")
    assert encoded.refused and encoded.subject == "\ufffd tail"
