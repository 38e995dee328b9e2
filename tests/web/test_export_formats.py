"""Times read 2026-10-25 00:00 and money ¥132,500.00 on the pages and in every export a
person reads (CSV, XLSX, DOCX, PDF); machine exports (the evidence log JSON, the audit
log's hashed time) keep ISO 8601."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation
from docx import Document
from openpyxl import load_workbook

from opsqm.infra.core.spreadsheet import DATE_FORMAT, DATETIME_FORMAT, MONEY_FORMAT, csv_text
from opsqm.pure.assessment.model import TZ
from tests.pdftools import pdf_text
from tests.web.fixtures_registers import *  # noqa: F403  (fixtures)

# 2025-03-03T10:05 or 10:05:00+08:00: ISO 8601 as machines write it.
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\d{2}:\d{2}(:\d{2}(\.\d+)?)?[+-]\d{2}:?\d{2}\b")
AT = datetime.datetime(2026, 10, 25, 0, 0, tzinfo=TZ)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_template_prints_times_as_the_bureau_writes_them(language: str) -> None:
    with translation.override(language):
        out = Template("{{ at }} | {{ day }} | {{ at|date }} | {{ at|time }}").render(
            Context({"at": AT, "day": AT.date()})
        )
    assert out == "2026-10-25 00:00 | 2026-10-25 | 2026-10-25 | 00:00"


def test_csv_cells_are_times_not_iso() -> None:
    text = csv_text(["at", "day"], [[AT.astimezone(datetime.UTC), AT.date()]])
    assert "2026-10-25 00:00,2026-10-25" in text and not ISO.search(text)


def _xlsx_cells(content: bytes) -> list[tuple[str, Any, str]]:
    """(sheet header of the column, value, number format) of every cell below the header."""
    out = []
    for ws in load_workbook(io.BytesIO(content)).worksheets:
        rows = list(ws.iter_rows())
        header = [str(c.value or "") for c in rows[0]] if rows else []
        for row in rows[1:]:
            for i, cell in enumerate(row):
                name = header[i] if i < len(header) else ""
                out.append((name, cell.value, cell.number_format))
    return out


def _check_xlsx(url: str, content: bytes) -> None:
    for column, value, fmt in _xlsx_cells(content):
        if isinstance(value, datetime.datetime):
            assert fmt in (DATETIME_FORMAT, DATE_FORMAT), (url, column, fmt)
        elif isinstance(value, str):
            assert not ISO.search(value), (url, column, value)


@pytest.mark.django_db
def test_human_exports_write_times_and_money_as_the_pages(
    evidence_a: Any, users: Any, login: Any
) -> None:
    from opsqm.infra.core.roles import Role

    assessor = login(users[Role.ASSESSOR])
    code = evidence_a.code
    xlsx = [
        "/contracts/export.xlsx",
        "/staff/export.xlsx",
        f"/settlement/{code}.xlsx",
        *(f"/dashboards/data/{c}.xlsx" for c in ("score", "deductions", "sla", "attendance")),
    ]
    for url in xlsx:
        resp = assessor.get(url)
        assert resp.status_code == 200, url
        _check_xlsx(url, resp.content)
    # The contracts' money columns are numbers shown as ¥530,000.00.
    contracts = _xlsx_cells(assessor.get("/contracts/export.xlsx").content)
    money = [(v, f) for column, v, f in contracts if column in ("金额", "尾款") and v]
    assert money and all(f == MONEY_FORMAT for _v, f in money), money
    for chart in ("score", "deductions", "sla", "incidents", "attendance"):
        text = assessor.get(f"/dashboards/data/{chart}.csv").content.decode("utf-8-sig")
        assert not ISO.search(text), (chart, text[:200])

    documents = {
        "quarterly": ("2025Q2", ("pdf", "docx")),
        "annual": ("all", ("pdf", "docx")),
        "patches": ("all", ("pdf", "docx")),
    }
    for kind, (label, formats) in documents.items():
        for fmt in formats:
            resp = assessor.get(f"/reports/{code}/{kind}/{label}.{fmt}")
            assert resp.status_code == 200, (kind, fmt)
            text = _document_text(resp.content, fmt)
            assert not ISO.search(text), (kind, fmt, ISO.search(text))
            if kind != "patches":
                assert "¥" in text, (kind, fmt)  # the fines


def _document_text(content: bytes, fmt: str) -> str:
    if fmt == "pdf":
        return pdf_text(content)
    doc = Document(io.BytesIO(content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.mark.django_db
def test_the_evidence_log_stays_iso(evidence_a: Any) -> None:
    """A machine export: the engine reads ISO 8601 with the offset."""
    from opsqm.derived.evidence.adapter import contract_evidence
    from opsqm.pure.assessment.evidence_log.writer import write_evidence_log

    out = io.BytesIO()
    write_evidence_log([contract_evidence(evidence_a)], out)
    text = out.getvalue().decode()
    assert re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00", text)
