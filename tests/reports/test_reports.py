"""Reports from OpsQM's own data: the quarterly report's figures are the engine's
ledger; PDF with Chinese fonts embedded, DOCX; one-click registration as a
deliverable version.  Monthly inspection: record, complete (PDF → deliverable), and a
finding opens a work order through the tickets app's intake service."""

from __future__ import annotations

import datetime
import io
import subprocess
import tempfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document

from opsqm.derived.acceptance import services
from opsqm.derived.acceptance.models import Deliverable, Kind
from opsqm.derived.ledger.services import contract_ledger
from opsqm.facts.tickets.models import Ticket
from opsqm.infra.core.roles import Role
from opsqm.pure.assessment.model import TZ

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def tickets(contract_a: Any, unit_a: Any) -> None:
    at = datetime.datetime(2025, 11, 3, 9, tzinfo=TZ)
    for n, hours in ((1, 2), (2, 60)):  # one in time, one 60 h late (T6)
        Ticket.objects.create(
            contract=contract_a,
            number=f"GD-2025-000{n}",
            problem=f"GD-2025-000{n}",
            unit=unit_a,
            dispatched_at=at,
            acknowledged_at=at,
            resolved_at=at + datetime.timedelta(hours=hours),
            signature="signed",
            satisfaction="satisfied",
            archive="ok",
        )


def test_quarterly_report_is_the_ledger(contract_a: Any, users: Any, tickets: None) -> None:
    vm = client_for(users[Role.VENDOR_MANAGER])
    end = datetime.datetime(2026, 1, 1, tzinfo=TZ)
    ledger = contract_ledger(contract_a, end)
    r = vm.get(reverse("reports:download", args=[contract_a.code, "quarterly", "2025Q4", "pdf"]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(r.content)
        f.flush()
        text = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, text=True).stdout
        fonts = subprocess.run(["pdffonts", f.name], capture_output=True, text=True).stdout
    assert "季度运维服务质量考核报告" in text and f"{ledger.score:.2f}" in text
    assert "T6" in text and "第一监狱" in text  # deductions and tickets by unit (chart)
    assert "CJK" in fonts
    d = vm.get(reverse("reports:download", args=[contract_a.code, "quarterly", "2025Q4", "docx"]))
    body = "\n".join(
        c.text for t in Document(io.BytesIO(d.content)).tables for row in t.rows for c in row.cells
    )
    assert f"{ledger.score:.2f}" in body and "T6" in body
    # One click: the generated PDF becomes a version of the deliverable.
    r = vm.post(reverse("reports:register", args=[contract_a.code, "quarterly", "2025Q4"]))
    assert r.status_code == 302
    dl = Deliverable.objects.get(contract=contract_a, kind=Kind.QUARTERLY_REPORT, period="2025Q4")
    v = dl.versions.get()
    assert v.source == "generated" and v.name.endswith("2025Q4.pdf") and dl.state == "uploaded"


def test_monthly_inspection_on_a_phone(contract_a: Any, users: Any) -> None:
    eng, desk = users[Role.VENDOR_ENGINEER], users[Role.SERVICE_DESK]
    c = client_for(eng)
    r = c.post(reverse("acceptance:inspections", args=[contract_a.code]), {"month": "2025-11"})
    insp = contract_a.inspections.get()
    assert r.status_code == 302 and insp.results.count() == len(services.DEFAULT_CHECKLIST)
    page = c.get(reverse("acceptance:inspection", args=[insp.pk]))
    assert b'capture="environment"' in page.content
    results = list(insp.results.all())
    first, rest = results[0], results[1:]
    r = c.post(
        reverse("acceptance:inspection", args=[insp.pk]),
        {
            "result": first.pk,
            "outcome": "issue",
            "note": "3台终端电池鼓包",
            "photo": SimpleUploadedFile("p.png", PNG),
        },
    )
    assert r.status_code == 302
    first.refresh_from_db()
    assert first.outcome == "issue" and first.photo.name.startswith("acceptance/inspections/")
    for res in rest:
        services.record_result(res, eng, outcome="ok")
    c.post(reverse("acceptance:inspection_complete", args=[insp.pk]), {"summary": "一项问题"})
    insp.refresh_from_db()
    assert insp.state == "done"
    dl = Deliverable.objects.get(
        contract=contract_a, kind=Kind.MONTHLY_INSPECTION, period="2025-11"
    )
    assert dl.versions.get().file.read().startswith(b"%PDF")
    # The desk opens a work order from the finding (the tickets app's intake), which
    # takes reports only for a contract in force (issue 12): contract A's year is
    # 2025, so it is made to run until today here.
    type(contract_a).objects.filter(pk=contract_a.pk).update(end=timezone.localdate())
    r = client_for(desk).post(reverse("acceptance:result_ticket", args=[first.pk]))
    assert r.status_code == 302
    first.refresh_from_db()
    assert first.ticket is not None and "电池鼓包" in first.ticket.description
    from opsqm.facts.tickets.models import OriginalReport

    assert OriginalReport.objects.get(ticket=first.ticket).reporter == eng.full_name


def test_work_order_set_as_docx_has_every_form(contract_a: Any, users: Any, tickets: None) -> None:
    vm = client_for(users[Role.VENDOR_MANAGER])
    from opsqm.derived.reports.services import ALL

    url = reverse("reports:download", args=[contract_a.code, "workorders", ALL, "docx"])
    r = vm.get(url)
    assert r.status_code == 200
    doc = Document(io.BytesIO(r.content))
    texts = "\n".join(p.text for p in doc.paragraphs)
    # One form (a table) per ticket, each with its number.
    assert len(doc.tables) == 2
    assert "GD-2025-0001" in texts and "GD-2025-0002" in texts
    for table in doc.tables:
        assert contract_a.code in table.rows[0].cells[1].text
    # The second form starts on a new page (no empty page-break paragraph between them).
    assert sum(bool(p.paragraph_format.page_break_before) for p in doc.paragraphs) == 1
    assert all(p.text.strip() for p in doc.paragraphs)
