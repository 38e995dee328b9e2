"""The settlement statement: the engine at the period end, the review workflow, the
freeze at sign-off, the difference after later evidence, the forecast, the export."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from opsqm.derived.settlement import services
from opsqm.derived.settlement.models import SettlementStatement
from opsqm.facts.incidents import services as inc
from opsqm.infra.audit.models import AuditRecord
from opsqm.pure.assessment.ledger_json import ledger_to_dict
from opsqm.pure.assessment.model import TZ

pytestmark = pytest.mark.django_db


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime.datetime:
    return datetime.datetime(y, mo, d, h, mi, s, tzinfo=TZ)


@pytest.fixture
def evidence(contract_a: Any, assessor: Any) -> Any:
    """Contract A (2025, ¥1,000,000, final payment ¥300,000): a level-2 incident
    reported in time and a delivery 8 days late."""
    inc.record_incident(
        contract_a,
        {
            "code": "SG-01",
            "level": 2,
            "occurred_at": at(2025, 4, 1, 14),
            "reported_at": at(2025, 4, 1, 20),
        },
        assessor,
    )
    inc.record_service_delay(
        contract_a,
        {
            "obligation": "=季度报告 2025Q1",
            "due": datetime.date(2025, 4, 10),
            "delivered": datetime.date(2025, 4, 18),
        },
    )
    return contract_a


def _through_review(contract: Any, assessor: Any, supervisor: Any) -> SettlementStatement:
    st = services.create_statement(contract, assessor)
    services.submit(st, assessor)
    services.review(st, supervisor, True, "")
    return st


def test_the_ledger_at_period_end(evidence: Any) -> None:
    ledger = services.year_end_ledger(evidence)
    assert ledger.as_of == at(2026, 1, 1) and ledger.final
    assert ledger.fines["I1"] == Decimal("20000.00")
    assert ledger.fines["D1"] == Decimal("10000.00")  # 8 days → 2 × 0.5 %
    assert ledger.score == Decimal(96)


def test_workflow_and_freeze(evidence: Any, assessor: Any, supervisor: Any) -> None:
    st = services.create_statement(evidence, assessor)
    with pytest.raises(ValidationError):
        services.sign_off(st, assessor)  # not approved yet
    services.submit(st, assessor)
    with pytest.raises(ValidationError):
        services.review(st, supervisor, False, "")  # a return needs comments
    with pytest.raises(ValidationError):
        services.review(st, assessor, True, "")  # the supervisor reviews
    services.review(st, supervisor, False, "请核对 D1")
    assert st.status == "returned"
    services.submit(st, assessor)
    services.review(st, supervisor, True, "")
    services.sign_off(st, assessor)
    st.refresh_from_db()
    assert st.status == "signed" and st.frozen
    assert st.frozen_ledger == ledger_to_dict(services.year_end_ledger(evidence))
    assert st.evidence_sha256 == services.evidence_sha256(evidence)
    assert st.rulebook == "beijing-prison-2025"
    assert [h["action"] for h in st.history] == [
        "draft",
        "submit",
        "return",
        "submit",
        "approve",
        "sign",
    ]
    assert st.history[2]["comments"] == "请核对 D1"
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"settlement.draft", "settlement.return", "settlement.sign"} <= actions


def test_one_statement_per_contract_and_only_after_the_period(
    evidence: Any, assessor: Any, contract_a: Any
) -> None:
    services.create_statement(evidence, assessor)
    with pytest.raises(ValidationError):
        services.create_statement(evidence, assessor)
    contract_a.end = datetime.date(2099, 12, 31)
    contract_a.save()
    SettlementStatement.objects.all().delete()
    with pytest.raises(ValidationError):
        services.create_statement(contract_a, assessor)


def test_sign_off_refused_when_evidence_changed_after_approval(
    evidence: Any, assessor: Any, supervisor: Any
) -> None:
    st = _through_review(evidence, assessor, supervisor)
    inc.record_incident(evidence, {"code": "SG-02", "level": 3, "occurred_at": at(2025, 9, 1)})
    with pytest.raises(ValidationError):
        services.sign_off(st, assessor)
    services.reopen_after_change(st, assessor)
    assert st.status == "draft"


def test_later_evidence_shows_as_a_difference_not_a_rewrite(
    evidence: Any, assessor: Any, supervisor: Any
) -> None:
    st = _through_review(evidence, assessor, supervisor)
    services.sign_off(st, assessor)
    frozen = dict(st.frozen_ledger or {})
    first = services.difference(st)
    assert first is not None and not first.any
    inc.record_incident(
        evidence,
        {"code": "SG-02", "level": 3, "occurred_at": at(2025, 9, 1), "reported_at": at(2025, 9, 1)},
    )
    d = inc.record_service_delay(
        evidence, {"obligation": "年度总结", "due": datetime.date(2025, 12, 1)}
    )
    inc.record_delivered(d, datetime.date(2025, 12, 3))
    st.refresh_from_db()
    assert st.frozen_ledger == frozen  # never rewritten
    diff = services.difference(st)
    assert diff is not None and diff.any and diff.evidence_changed
    assert {(i["rule"], i["ref"]) for i in diff.added} == {("I1", "SG-02"), ("D1", "年度总结")}
    assert diff.totals["I1"] == ("-4.00", "-6.00")
    assert diff.amounts["score"] == ("96.00", "94.00")
    assert diff.amounts["fines.total"] == ("30000.00", "45000.00")
    assert not diff.removed and not diff.changed


def test_compare_pairs_changed_items() -> None:
    item = {"rule": "D1", "ref": "x", "at": "t", "points": "0.00", "fine": "5.00", "note": "a"}
    base = {
        "items": [dict(item, clause="c", line=3)],
        "totals": {"D1": "0.00"},
        "score": "100.00",
        "tier": "pass",
        "fines": {"total": "5.00"},
        "settlement": {"payable": "1"},
        "flags": {"termination_right": False},
    }
    moved = dict(base, items=[dict(item, clause="c", line=9)])  # only the line moved
    assert not services.compare(base, moved).any
    changed = dict(base, items=[dict(item, clause="c", line=3, fine="10.00", note="b")])
    diff = services.compare(base, changed)
    assert len(diff.changed) == 1 and not diff.added and not diff.removed


def test_pages_and_workflow_through_them(
    evidence: Any, assessor: Any, supervisor: Any, vendor_manager: Any, login: Any
) -> None:
    code = evidence.code
    a, s = login(assessor), login(supervisor)
    assert a.post(f"/settlement/{code}/create/").status_code == 302
    assert a.post(f"/settlement/{code}/submit/").status_code == 302
    page = s.get(f"/settlement/{code}/").content.decode()
    assert 'name="decision"' in page
    s.post(f"/settlement/{code}/review/", {"decision": "return", "comments": "补充证据"})
    st = SettlementStatement.objects.get()
    assert st.status == "returned"
    a.post(f"/settlement/{code}/submit/")
    s.post(f"/settlement/{code}/review/", {"decision": "approve"})
    a.post(f"/settlement/{code}/sign/")
    st.refresh_from_db()
    assert st.status == "signed"
    body = login(vendor_manager).get(f"/settlement/{code}/").content.decode()
    assert "SG-01" in body and st.evidence_sha256 in body and "¥270,000.00" in body
    assert f'href="/incidents/{evidence.incidents.get().pk}/"' in body  # evidence linked
    # 合同 五.2: the page says the final payment waits for acceptance, and links to it.
    assert f'href="/acceptance/{code}/"' in body


def test_forecast_before_period_end(contract_a: Any, assessor: Any, login: Any) -> None:
    contract_a.end = datetime.date(2099, 12, 31)
    contract_a.save()
    body = login(assessor).get(f"/settlement/{contract_a.code}/").content.decode()
    assert "forecast" in body.lower() or "预测" in body
    assert "/create/" not in body  # no statement before the period end


def test_xlsx_export_guards_formulas(evidence: Any, assessor: Any, login: Any) -> None:
    r = login(assessor).get(f"/settlement/{evidence.code}.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert len(wb.sheetnames) == 3
    refs = [row[3] for row in wb.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert "'=季度报告 2025Q1" in refs  # text, never a formula
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_pdf_and_docx(evidence: Any, assessor: Any, supervisor: Any, login: Any) -> None:
    st = _through_review(evidence, assessor, supervisor)
    services.sign_off(st, assessor)
    c = login(assessor)
    pdf = c.get(f"/settlement/{evidence.code}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf["Content-Type"] == "application/pdf"
    docx = c.get(f"/settlement/{evidence.code}.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    from docx import Document

    text = "\n".join(
        cell.text
        for t in Document(io.BytesIO(docx.content)).tables
        for r in t.rows
        for cell in r.cells
    )
    assert "SG-01" in text and st.evidence_sha256 in text


def test_times_and_money_read_the_same_everywhere(
    evidence: Any, assessor: Any, supervisor: Any, login: Any
) -> None:
    """Issue 12: 2025-03-03 09:00, never ISO with T and an offset; money ¥1,234.50."""
    import re

    from opsqm.infra.core.formats import shown_time
    from opsqm.infra.core.spreadsheet import Money

    assert shown_time("2025-10-24T16:00:00+00:00") == "2025-10-25 00:00"
    assert shown_time(datetime.datetime(2025, 10, 24, 16, tzinfo=datetime.UTC)) == (
        "2025-10-25 00:00"
    )
    assert shown_time(datetime.date(2025, 10, 25)) == "2025-10-25"
    assert str(Money("132500")) == "¥132,500.00" and str(Money("-1234.5")) == "-¥1,234.50"
    st = _through_review(evidence, assessor, supervisor)
    services.sign_off(st, assessor)
    c = login(assessor)
    iso = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")
    page = c.get(f"/settlement/{evidence.code}/").content.decode()
    visible = re.sub(r"<[^>]+>", " ", page)  # the text a person reads
    assert not iso.search(visible) and "¥1,000,000.00" in visible
    from docx import Document

    docx = c.get(f"/settlement/{evidence.code}.docx")
    text = "\n".join(
        cell.text
        for t in Document(io.BytesIO(docx.content)).tables
        for r in t.rows
        for cell in r.cells
    )
    assert not iso.search(text) and "¥1,000,000.00" in text
    wb = load_workbook(io.BytesIO(c.get(f"/settlement/{evidence.code}.xlsx").content))
    summary = {row[0]: row for row in wb.worksheets[0].iter_rows(min_row=1)}
    amount = next(
        r[1]
        for k, r in summary.items()
        if (k.value and "金额" in str(k.value)) or k.value == "Contract amount"
    )
    assert amount.value == 1000000 and "¥" in amount.number_format
