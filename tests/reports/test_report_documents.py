"""The quarterly report as a formal document: its title, numbered table and figure
captions, every rule that cost something in the deduction chart (D1 is a fine without
points), one number format, and the 编制/审核/批准 signature block, in PDF and DOCX."""

from __future__ import annotations

import base64
import datetime
import io
import re
from typing import Any

import pytest
from django.utils import translation
from docx import Document

from opsqm.derived.reports import render
from opsqm.derived.reports.data import build
from tests.pdftools import pdf_text

pytestmark = pytest.mark.django_db

MONEY = re.compile(r"^-?¥\d{1,3}(,\d{3})*\.\d{2}$")
POINTS = re.compile(r"^([+-]?\d+\.\d{2})$")


@pytest.fixture
def late_delivery(contract_a: Any) -> Any:
    """A contracted delivery 10 days late in 2025Q4: D1, a fine and no points."""
    from opsqm.facts.incidents import services as inc

    inc.record_service_delay(
        contract_a,
        {
            "obligation": "季度报告 2025Q3",
            "due": datetime.date(2025, 10, 10),
            "delivered": datetime.date(2025, 10, 20),
        },
    )
    return contract_a


def _report(contract: Any) -> Any:
    now = datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    return build(contract, "2025Q4", now=now)


def test_titles_are_formal(contract_a: Any) -> None:
    with translation.override("zh-hans"):
        assert render.title_of(_report(contract_a)) == "2025年第四季度运维服务质量考核报告"
        annual = build(contract_a, "", now=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC))
        assert render.title_of(annual) == "2025年度运维服务项目总结报告"


def test_pdf_has_title_captions_d1_numbers_and_signatures(late_delivery: Any) -> None:
    with translation.override("zh-hans"):
        report = _report(late_delivery)
        d1 = next(r for r in report.rules if r.rule == "D1")
        assert d1.points == 0 and d1.fine > 0
        # The deduction chart draws D1 with its fine beside it.
        svg = report.charts["deductions"]
        assert "D1" in svg and render.money(d1.fine) in svg
        pdf = render.report_pdf(report)
    text = "".join(pdf_text(pdf).split())
    assert "2025年第四季度运维服务质量考核报告" in text
    for caption in (
        "表1得分、等级与罚款",
        "表2各规则扣分与罚款明细",
        "图1各规则扣分与罚款",
        "图2按服务单位统计工单",
        "图3已解决工单：时限内/超时",
    ):
        assert caption in text, caption
    assert "编制" in text and "审核" in text and "批准" in text
    assert late_delivery.vendor.name in text and "签字：" in text and "日期：" in text
    assert render.money(d1.fine).replace(" ", "") in text
    # The chart image itself (an SVG in the PDF) is not read by pdftotext: check its source.
    uri = report.chart_uris()["deductions"]
    assert "D1" in base64.b64decode(uri.split(",", 1)[1]).decode()


def test_docx_has_the_same_and_one_number_format(late_delivery: Any) -> None:
    with translation.override("zh-hans"):
        report = _report(late_delivery)
        doc = Document(io.BytesIO(render.report_docx(report)))
    body = [p.text for p in doc.paragraphs]
    assert body[1] == "2025年第四季度运维服务质量考核报告"
    assert doc.core_properties.title == "2025年第四季度运维服务质量考核报告"
    assert "表1  得分、等级与罚款" in body and "图1  各规则扣分与罚款" in body
    assert all(p.strip() for p in body), "no empty paragraphs"
    # Table 1: score with two decimals, fines as money, points signed.
    score_row = [c.text for c in doc.tables[0].rows[1].cells]
    assert re.match(r"^-?\d+\.\d{2}$", score_row[0]) and MONEY.match(score_row[3])
    assert score_row[2] in ("合格", "罚款 5%", "罚款 10%", "罚款 15%"), score_row  # final
    assert POINTS.match(score_row[4]), score_row
    # Table 2: each rule's points and fine in the same formats; D1 is there.
    rules = {r.cells[0].text: [c.text for c in r.cells] for r in doc.tables[1].rows[1:]}
    assert "D1" in rules
    assert all(POINTS.match(v[3]) and MONEY.match(v[4]) for v in rules.values()), rules
    # Figure 1 (a table in Word): D1 with its fine.
    figure = [[c.text for c in r.cells] for r in doc.tables[2].rows[1:]]
    assert any(row[0].startswith("D1") and "¥" in row[1] for row in figure), figure
    # The signature block closes the report.
    sign = doc.tables[-1]
    assert [c.text for c in sign.rows[0].cells] == ["编制", "审核", "批准"]
    assert sign.rows[1].cells[0].text == late_delivery.vendor.name
    assert all("签字" in c.text and "日期" in c.text for c in sign.rows[2].cells)
