"""opsqm.infra.documents: PDF with embedded CJK fonts and no network, DOCX in 宋体/黑体,
the verification hash."""

from __future__ import annotations

import datetime
import io
import socket
import zipfile
from decimal import Decimal
from typing import Any

import pytest

from opsqm.infra.documents.docx import HEI, SONG, docx_document
from opsqm.infra.documents.pdf import BASE_URL, RefusedURL, html_to_pdf, render_pdf, static_fetcher
from opsqm.infra.documents.verification import (
    canonical_bytes,
    content_hash,
    hash_matches,
    normalise,
    short_code,
)
from tests.pdftools import pdf_fonts, pdf_text

FORM = """{% extends "documents/base_print.html" %}
{% block body %}<div class="doc-head"><div class="doc-title">{{ title }}</div></div>
<table class="form"><tr><td class="label">编号</td><td>{{ number }}</td></tr>
<tr><td class="label">说明</td><td class="tall">{{ note }}</td></tr></table>{% endblock %}"""


@pytest.fixture
def form_template(settings: Any, tmp_path: Any) -> str:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "form.html").write_text(FORM, encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "t"]}]
    return "form.html"


def test_pdf_from_a_template_embeds_its_chinese_fonts(form_template: str) -> None:
    pdf = render_pdf(
        form_template, {"title": "运维服务工单", "number": "GD-2025-0042", "note": "<b>x</b>"}
    )
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert "GD-2025-0042" in text
    assert "运维服务工单" in text
    assert "<b>x</b>" in text  # template text is escaped, not markup
    fonts = pdf_fonts(pdf)
    assert fonts, "no fonts in the PDF"
    assert all(f["emb"] == "yes" and f["sub"] == "yes" for f in fonts), fonts
    assert any("CJK" in f["name"] for f in fonts), fonts


def test_pdf_never_fetches_a_url_outside_the_static_files(tmp_path: Any) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    try:
        pdf = html_to_pdf(
            f'<link rel="stylesheet" href="file://{secret}">'
            f'<img src="http://127.0.0.1:{port}/x.png">'
            f'<img src="https://127.0.0.1:{port}/y.png"><p>ok 正文</p>'
        )
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()
    assert "ok 正文" in pdf_text(pdf)


def test_the_fetcher_serves_static_files_and_data_urls_only() -> None:
    fetch = static_fetcher()
    css = fetch(BASE_URL + "static/opsqm/css/opsqm.css")
    assert css.read()
    assert fetch("data:text/plain;base64,5L2g5aW9").read() == "你好".encode()
    for url in (
        "http://127.0.0.1/static/opsqm/css/opsqm.css",
        "file:///etc/passwd",
        BASE_URL + "static/../../../etc/passwd",
        BASE_URL + "media/x.png",
        BASE_URL + "static/missing/nothing.css",
    ):
        with pytest.raises((RefusedURL, ValueError)):
            fetch(url)


def test_docx_opens_and_names_song_and_hei_for_east_asian_text() -> None:
    from docx import Document

    doc = docx_document()
    doc.title("运维服务工单")
    table = doc.table(2, 2, widths_cm=[4, 12])
    doc.set_cell(table.cell(0, 0), "工单编号", label=True)
    doc.set_cell(table.cell(0, 1), "GD-2025-0042")
    doc.set_cell(table.cell(1, 0), "解决步骤", label=True)
    doc.set_cell(table.cell(1, 1), "一、重启服务\n二、验证登录")
    doc.paragraph("正文 text")
    data = doc.to_bytes()

    reopened = Document(io.BytesIO(data))
    assert reopened.paragraphs[0].text == "运维服务工单"
    cells = [c.text for row in reopened.tables[0].rows for c in row.cells]
    assert cells[:2] == ["工单编号", "GD-2025-0042"]
    assert "一、重启服务" in cells[3] and "二、验证登录" in cells[3]
    section = reopened.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        document_xml = z.read("word/document.xml").decode()
        styles_xml = z.read("word/styles.xml").decode()
    assert f'w:eastAsia="{HEI}"' in document_xml  # title and labels
    assert f'w:eastAsia="{SONG}"' in document_xml  # values
    assert f'w:eastAsia="{SONG}"' in styles_xml  # the Normal style


def test_hash_is_canonical_and_changes_with_the_content() -> None:
    content = {
        "number": "GD-1",
        "at": datetime.datetime(2025, 3, 1, 9, 30, tzinfo=datetime.UTC),
        "fine": Decimal("1.50"),
        "steps": "重启",
    }
    same = dict(reversed(list(content.items())))
    assert canonical_bytes(content) == canonical_bytes(same)
    digest = content_hash(content)
    assert len(digest) == 64 and digest == content_hash(same)
    assert content_hash({**content, "steps": "重启 "}) != digest
    assert content_hash({**content, "fine": Decimal("1.5")}) != digest


def test_short_code_and_matching() -> None:
    digest = content_hash({"a": 1})
    code = short_code(digest)
    assert len(code) == 19 and code.count("-") == 3 and code == code.upper()
    assert hash_matches(code, digest)
    assert hash_matches(code.lower().replace("-", " "), digest)
    assert hash_matches(digest.upper(), digest)
    assert not hash_matches(short_code(content_hash({"a": 2})), digest)
    assert not hash_matches(digest[:8], digest)  # too short to mean anything
    assert not hash_matches("", digest)
    assert normalise("not a hash") == ""
