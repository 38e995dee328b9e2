"""Reading raw mail without a server: clocks, subjects, malformed input."""

from __future__ import annotations

import datetime
import re

import pytest

from opsqm.infra.mail.parsing import (
    REFUSAL_TEXTS,
    parse_internaldate,
    parse_message,
    received_date,
)
from opsqm.infra.mail.subjects import find_ticket_number, ticket_subject


def test_internaldate_keeps_the_server_offset() -> None:
    at = parse_internaldate(b'12 (UID 5 INTERNALDATE " 7-Jul-2025 02:44:25 -0700" RFC822.SIZE 9)')
    assert at == datetime.datetime(2025, 7, 7, 9, 44, 25, tzinfo=datetime.UTC)
    assert at is not None and at.utcoffset() == datetime.timedelta(hours=-7)
    assert parse_internaldate(b'INTERNALDATE "17-Foo-2025 02:44:25 +0800"') is None
    assert parse_internaldate(b"no date here") is None


def test_received_date_is_after_the_last_semicolon() -> None:
    header = (
        "from a ([10.1.2.3]) by mail.bureau.test with LMTP id x;\r\n"
        "\tTue, 03 Jun 2025 09:15:02 +0800"
    )
    assert received_date(header) == datetime.datetime(2025, 6, 3, 1, 15, 2, tzinfo=datetime.UTC)
    assert received_date("from a by b") is None
    assert received_date("x; not a date") is None


def test_ticket_subject_and_number() -> None:
    assert ticket_subject("GD-2025-0001", "打印机  故障") == "[GD-2025-0001] 打印机 故障"
    tagged = ticket_subject("GD-2025-0001", "Re: [GD-2025-0001] 打印机故障")
    assert tagged == "Re: [GD-2025-0001] 打印机故障"
    assert find_ticket_number("回复: Re: [GD-2025-0001] 打印机故障") == "GD-2025-0001"
    assert find_ticket_number("答复：【gd-2025-0012】已处理") == "GD-2025-0012"
    assert find_ticket_number("GD-2025-0001 without brackets") is None
    assert find_ticket_number("[XX-2025-0001] other prefix") is None
    assert find_ticket_number(None) is None


GOOD = (
    b"From: =?utf-8?b?5byg5bel?= <Eng@Vendor.test>\r\n"
    b"To: servicedesk@bureau.test\r\n"
    b"Subject: =?utf-8?b?5bey5aSE55CG?= [GD-2025-0001]\r\n"
    b"Date: Tue, 03 Jun 2025 09:15:02 +0800\r\n"
    b"Message-ID: <m1@vendor.test>\r\n"
    b"In-Reply-To: <d1@bureau.test>\r\n"
    b"References: <d0@bureau.test>\r\n <d1@bureau.test>\r\n"
    b"Received: from x by mail.bureau.test; Tue, 03 Jun 2025 09:20:00 +0800\r\n"
    b"Content-Type: text/plain; charset=gb2312\r\n\r\n" + "已修复。".encode("gb2312")
)


def test_a_good_message() -> None:
    p = parse_message(GOOD)
    assert not p.refused, p.notes
    assert p.subject == "已处理 [GD-2025-0001]"
    assert p.from_address == "eng@vendor.test" and "张工" in p.from_header
    assert p.message_id == "<m1@vendor.test>" and p.in_reply_to == "<d1@bureau.test>"
    assert p.references == ["<d0@bureau.test>", "<d1@bureau.test>"]
    assert p.date_header == datetime.datetime(2025, 6, 3, 1, 15, 2, tzinfo=datetime.UTC)
    assert p.received_header_at == datetime.datetime(2025, 6, 3, 1, 20, tzinfo=datetime.UTC)
    assert p.body_text == "已修复。"


def test_raw_utf8_headers_are_accepted() -> None:  # RFC 6532
    p = parse_message("From: a@b.test\r\nSubject: 中文主题\r\n\r\nx".encode())
    assert not p.refused and p.subject == "中文主题"


MALFORMED = {
    # Fits neither UTF-8 nor GB 18030 (0xFF is no GB 18030 lead byte): refused.
    "header_encoding": b"From: a@b.test\r\nSubject: " + "打印机".encode("gbk") + b"\xff\r\n\r\nx",
    "header_charset": b"From: a@b.test\r\nSubject: =?x-nonsense?b?5Lit?=\r\n\r\nx",
    "from_missing": b"Subject: hello\r\nDate: Tue, 03 Jun 2025 09:15:02 +0800\r\n\r\nbody",
    "from_unparseable": b"From: just a name\r\nSubject: hi\r\n\r\nbody",
    "no_headers": b"",
    "body_charset": b"From: a@b.test\r\nContent-Type: text/plain; charset=klingon\r\n\r\nx",
    "body_encoding": b"From: a@b.test\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\xff\xfe",
    "mime_broken": (
        b"From: a@b.test\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
        b"--B\r\nContent-Type: text/plain\r\n\r\ncut off here"
    ),
}


@pytest.mark.parametrize("code", sorted(MALFORMED))
def test_malformed_mail_is_refused_with_a_note(code: str) -> None:
    p = parse_message(MALFORMED[code])
    assert p.refused
    assert code in [n["code"] for n in p.notes]
    assert all(n["text"] and n["code"] in REFUSAL_TEXTS for n in p.notes)


def test_broken_base64_attachment_and_size_limit() -> None:
    raw = (
        b"From: a@b.test\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
        b"--B\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--B\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="report.pdf"\r\n\r\n'
        b"JVBERi0x!!!\r\n--B--\r\n"
    )
    p = parse_message(raw, max_attachment_bytes=2)
    codes = [n["code"] for n in p.notes]
    assert "mime_broken" in codes and "attachment_too_large" in codes
    assert p.attachments[0]["filename"] == "report.pdf"
    assert "report.pdf" in p.refusal_note and "2 bytes" in p.refusal_note


def test_parser_never_raises_on_noise() -> None:
    import random

    rng = random.Random(7)
    for _ in range(200):
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(400)))
        parse_message(b"From: a@b.test\r\nContent-Type: multipart/mixed; boundary=x\r\n" + blob)
        parse_message(blob)


@pytest.mark.parametrize(
    ("raw", "params", "where"),
    [
        (
            b"From: a@b.test\r\nSubject: =?utf-8?B?AAAA?=\r\n\r\nx\r\n",
            {"where": "header", "header": "Subject"},
            "Subject header",
        ),
        (
            b"From: a@b.test\r\nSubject: hi\r\n\r\nbody \x00 text\r\n",
            {"where": "part_text", "part": "1"},
            "text of part 1",
        ),
        (
            b"From: a@b.test\r\nX-Odd: a\x00b\r\n\r\nx\r\n",
            {"where": "header", "header": "X-Odd"},
            "X-Odd header",
        ),
    ],
)
def test_nul_is_refused_and_replaced(raw: bytes, params: dict[str, str], where: str) -> None:
    parsed = parse_message(raw)
    [note] = [n for n in parsed.notes if n["code"] == "nul_character"]
    assert note["params"] == params  # codes and data, no English
    assert note["text"].startswith(f"The {where} contains a NUL character")
    assert "\x00" not in parsed.subject + parsed.body_text


# Latin words a Chinese note may keep: technical names, units, and the message's data.
_KEPT = {"NUL", "MIME", "UTF", "base64", "KiB", "MiB", "GiB", "From", "Subject"}


def _latin_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z][A-Za-z0-9]+", text))


@pytest.mark.parametrize(
    ("raw", "data"),
    [
        *[(MALFORMED[code], {"a", "b", "test", "x", "nonsense", "klingon", "utf", "just", "name"})
          for code in sorted(MALFORMED)],
        (b"From: a@b.test\r\nSubject: hi\r\n\r\nbody \x00 text\r\n", {"a", "b", "test"}),
        (b"From: a@b.test\r\nX-Odd: a\x00b\r\n\r\nx\r\n", {"a", "b", "test", "X", "Odd"}),
        (
            b"From: a@b.test\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
            b"--B\r\nContent-Type: text/plain\r\n\r\nsee\r\n"
            b"--B\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
            b"\r\nJVBERi0x!!!\r\n--B--\r\n",
            {"a", "b", "test"},
        ),
    ],
    ids=[*sorted(MALFORMED), "nul_in_text", "nul_in_header", "bad_base64_and_size"],
)  # fmt: skip
def test_refusal_notes_are_chinese_for_the_desk(raw: bytes, data: set[str]) -> None:
    """The notes are stored as codes and parameters and rendered at display time: in
    zh-hans no English fragment remains (only technical names and the mail's data)."""
    from django.utils import translation

    from opsqm.infra.mail.models import InboundMessage

    parsed = parse_message(raw, max_attachment_bytes=2)
    assert parsed.notes
    msg = InboundMessage(refusal=parsed.notes)
    with translation.override("zh-hans"):
        shown = msg.refusal_messages()
    assert len(shown) == len(parsed.notes)
    for text, note in zip(shown, parsed.notes, strict=True):
        assert text != note["text"], text  # translated, not the stored English
        assert _latin_words(text) <= _KEPT | data, (text, _latin_words(text) - _KEPT - data)
    with translation.override("en"):
        assert msg.refusal_messages() == [n["text"] for n in parsed.notes]


def test_refusal_notes_stored_before_the_codes_still_show() -> None:
    """Notes stored with English parameters (before 2026-11): shown as stored, the
    defect sentences translated."""
    from django.utils import translation

    from opsqm.infra.mail.models import InboundMessage

    old = [
        {"code": "mime_broken", "params": {"detail": "a multipart part has no sub-parts"},
         "text": "The MIME structure of the message is broken: a multipart part has no sub-parts."},
        {"code": "attachment_too_large",
         "params": {"filename": "a.pdf", "size": "1.5 KiB", "limit": "1.0 KiB"}, "text": "x"},
        {"code": "gone", "params": {}, "text": "A note of a code no longer known."},
    ]  # fmt: skip
    with translation.override("zh-hans"):
        mime, size, unknown = InboundMessage(refusal=old).refusal_messages()
    assert "sub-parts" not in mime and "MIME" in mime
    assert "a.pdf" in size and "1.5 KiB" in size
    assert unknown == "A note of a code no longer known."


def test_an_unnamed_oversized_attachment_names_its_part() -> None:
    raw = (
        b"From: a@b.test\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
        b"--B\r\nContent-Type: text/plain\r\n\r\nsee\r\n"
        b"--B\r\nContent-Type: application/octet-stream\r\n\r\n0123456789\r\n--B--\r\n"
    )
    [note] = parse_message(raw, max_attachment_bytes=4).notes
    assert note["params"] == {"filename": "", "part": "2", "size": "10", "limit": "4"}
    assert note["text"] == "The attachment (part 2) is 10 bytes, more than the limit of 4 bytes."
