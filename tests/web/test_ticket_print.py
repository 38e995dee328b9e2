"""The bureau's ticket form (运维服务工单) as PDF and DOCX, its verification hash
and the page that checks a printed code."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from opsqm.facts.tickets.printing import build_form, docx_bytes, pdf_bytes
from tests.pdftools import pdf_fonts, pdf_pages, pdf_text, render_png
from tests.web.fixtures_tickets_print import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.django_db


def _squash(text: str) -> str:
    return "".join(text.split())


def test_pdf_is_one_a4_form_with_every_field_and_embedded_fonts(printed_ticket: Any) -> None:
    form = build_form(printed_ticket)
    pdf = pdf_bytes(form)
    assert pdf.startswith(b"%PDF-")
    pages = pdf_pages(pdf)
    if os.environ.get("OPSQM_PRINT_PREVIEW"):  # look at it: a PNG of page 1
        out = Path(os.environ["OPSQM_PRINT_PREVIEW"])
        out.write_bytes(pdf)
        render_png(pdf, out.with_suffix(".png"), dpi=90)
    assert pages == 1
    text = _squash(pdf_text(pdf))
    for expected in (
        "运维服务工单",
        "GD-2025-0042",
        "BJJY-2025-001",
        "甲运维公司",
        "第一监狱",
        "李明",
        "监区移动执法终端无法登录",
        "2025-03-0310:05:00",  # dispatch (mail server)
        "2025-03-0310:40:00",  # acknowledgement
        "2025-03-0411:20:00",  # resolution
        "2025-03-0416:00:00",  # archive
        "终端证书于3月1日到期",
        "手工续签证书并推送",
        "两台终端均可正常登录",
        "需厂商签发新证书",
        form.code,
    ):
        assert _squash(expected) in text, expected
    # each time names its clock: dispatch, resolution, archive by the mail server, the
    # acknowledgement by the platform
    assert text.count("市局内网邮件服务器接收时间") == 3
    assert text.count("平台时钟") == 1
    fonts = pdf_fonts(pdf)
    assert fonts and all(f["emb"] == "yes" for f in fonts), fonts
    assert any("CJK" in f["name"] for f in fonts)
    # The drawn signature is in the PDF as an image.
    assert b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf
    if os.environ.get("OPSQM_PRINT_PREVIEW"):  # look at it: a PNG of page 1
        out = Path(os.environ["OPSQM_PRINT_PREVIEW"])
        out.write_bytes(pdf)
        render_png(pdf, out.with_suffix(".png"), dpi=90)


def test_phone_confirmation_is_printed_instead_of_a_signature(phone_ticket: Any) -> None:
    text = _squash(pdf_text(pdf_bytes(build_form(phone_ticket))))
    assert "王强" in text and "确认打印机已恢复正常" in text
    assert "服务对象在监管区内执勤" in text


def test_docx_opens_and_holds_the_fields(printed_ticket: Any) -> None:
    from docx import Document

    form = build_form(printed_ticket)
    doc = Document(io.BytesIO(docx_bytes(form)))
    body = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "运维服务工单" in body and form.verification_string in body
    for expected in (
        "GD-2025-0042",
        "甲运维公司",
        "第一监狱",
        "李明 (010-8888 1234)",
        "2025-03-03 10:05",
        "手工续签证书并推送",
        "两台终端均可正常登录",
        "需厂商签发新证书",
        "满意",
    ):
        assert expected in body + cells, expected
    assert len(doc.inline_shapes) == 1  # the drawn signature
    # The authoritative times to the second, as on the PDF (the clock of 第十条四).
    assert "2025-03-03 10:05:00" in cells and "2025-03-04 11:20:00" in cells


def test_pdf_of_a_one_page_form_is_small(printed_ticket: Any) -> None:
    """Under 200 KB: the CJK fonts carry only the glyphs printed (no empty glyphs up to
    the highest id used), and the text still reads back (the ToUnicode maps)."""
    pdf = pdf_bytes(build_form(printed_ticket))
    assert len(pdf) < 200 * 1024, len(pdf)
    fonts = pdf_fonts(pdf)
    cjk = [f for f in fonts if "CJK" in f["name"]]
    assert len(cjk) >= 2 and all(f["emb"] == "yes" and f["sub"] == "yes" for f in cjk), fonts
    assert "手工续签证书并推送" in _squash(pdf_text(pdf))


def test_docx_names_the_bureau_and_the_time_and_has_no_blank_paragraphs(
    printed_ticket: Any,
) -> None:
    import datetime

    from django.utils import timezone
    from docx import Document

    before = timezone.now().replace(microsecond=0)
    doc = Document(io.BytesIO(docx_bytes(build_form(printed_ticket))))
    after = timezone.now()
    props = doc.core_properties
    assert "OpsQM" in props.author and "北京市监狱管理局" in props.author
    assert props.last_modified_by == "OpsQM"
    assert "python-docx" not in props.author + props.comments + props.last_modified_by
    assert props.title == "运维服务工单 GD-2025-0042"
    created = props.created.replace(tzinfo=datetime.UTC)  # stored in UTC
    assert before <= created <= after and props.modified == props.created
    # Every paragraph says something (or holds the drawn signature): no empty lines
    # between the steps, before the verification code or between the tables.
    cell_paragraphs = [
        p for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs
    ]
    for p in doc.paragraphs + cell_paragraphs:
        assert p.text.strip() or p._p.xpath(".//w:drawing"), "an empty paragraph"
    steps = next(
        c for t in doc.tables for row in t.rows for c in row.cells if "校正终端时钟" in c.text
    )
    assert [p.text for p in steps.paragraphs] == [
        "1. 校正终端时钟；",
        "2. 手工续签证书并推送；",
        "3. 修复续期任务的时钟检查。",
    ]


def test_hash_follows_the_content_not_the_print(printed_ticket: Any) -> None:
    from opsqm.facts.tickets.models import Ticket

    first = build_form(printed_ticket).digest
    assert build_form(Ticket.objects.get(pk=printed_ticket.pk)).digest == first  # stable
    with_language = build_form(printed_ticket)
    assert with_language.digest == first
    Ticket.objects.filter(pk=printed_ticket.pk).update(steps=printed_ticket.steps + "\n4. 回访。")
    changed = build_form(Ticket.objects.get(pk=printed_ticket.pk)).digest
    assert changed != first
    printed_ticket.original.__class__.objects.filter(pk=printed_ticket.original.pk).update(
        reporter="李 明"
    )
    assert build_form(Ticket.objects.get(pk=printed_ticket.pk)).digest != changed


def test_print_urls_answer_pdf_and_docx(printed_ticket: Any, login: Any, users: Any) -> None:
    client = login(users["recipient"])
    pdf = client.get(reverse("tickets_print:pdf", args=[printed_ticket.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and "GD-2025-0042.pdf" in pdf["Content-Disposition"]
    docx = client.get(reverse("tickets_print:docx", args=[printed_ticket.pk]))
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert docx["Content-Disposition"].startswith("attachment")


def test_other_units_recipient_gets_404(
    printed_ticket: Any, login: Any, other_recipient: Any
) -> None:
    client = login(other_recipient)
    assert client.get(reverse("tickets_print:pdf", args=[printed_ticket.pk])).status_code == 404


def _verify(client: Any, **params: str) -> str:
    response = client.get(reverse("tickets_print:verify"), params)
    assert response.status_code == 200
    html = response.content.decode()
    if 'id="verify-result"' not in html:
        return ""
    return html.split('data-result="')[1].split('"')[0]


def test_verify_page_tells_a_current_print_from_a_stale_one(
    printed_ticket: Any, login: Any, users: Any, other_recipient: Any
) -> None:
    from opsqm.facts.tickets.models import Ticket

    form = build_form(printed_ticket)
    desk = login(users["service_desk"])
    assert _verify(desk) == ""
    assert _verify(desk, hash=form.verification_string) == "match"
    assert _verify(desk, number="GD-2025-0042", hash=form.code.lower().replace("-", "")) == "match"
    assert _verify(desk, number="GD-2025-0042", hash=form.digest) == "match"
    assert _verify(desk, number="GD-2025-0042", hash="nonsense") == "invalid"
    assert _verify(desk, number="GD-2099-9999", hash=form.code) == "unknown"
    # Out of scope looks like unknown (its existence does not leak).
    assert _verify(login(other_recipient), hash=form.verification_string) == "unknown"

    Ticket.objects.filter(pk=printed_ticket.pk).update(satisfaction="unsatisfied")
    assert _verify(desk, hash=form.verification_string) == "changed"
