"""Reports as PDF (WeasyPrint, fonts embedded) and DOCX (宋体/黑体).

Charts: server-side SVG from `opsqm.derived.dashboards.charts`, embedded in the PDF as
`data:` images (WeasyPrint draws SVG natively: no converter, no extra dependency).
In the DOCX the same figures are tables with a text bar (█), so the document stays
editable in Word without image tooling (no cairosvg / matplotlib on the server).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.derived.reports.data import PatchRow, ReportData
from opsqm.facts.contracts.models import Contract
from opsqm.infra.documents.docx import DocxDocument, docx_document
from opsqm.infra.documents.pdf import html_document, render_pdf, write
from opsqm.pure.assessment.model import TZ


def _when(value: datetime.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(TZ).strftime(fmt) if value else "—"


def title_of(report: ReportData) -> str:
    if report.kind == "annual":
        return _("Annual project summary report")
    return _("Quarterly report") + f" {report.period.label}"


def report_pdf(report: ReportData) -> bytes:
    return render_pdf(
        "reports/report.html",
        {
            "r": report,
            "title": title_of(report),
            "charts": report.chart_uris(),
            "printed_at": timezone.now(),
        },
    )


def _bar(value: float, top: float, width: int = 20) -> str:
    return "█" * (round(width * value / top) if top else 0)


def _table(doc: DocxDocument, header: list[str], rows: list[list[str]]) -> None:
    t = doc.table(len(rows) + 1, len(header))
    for j, h in enumerate(header):
        doc.set_cell(t.cell(0, j), h, label=True, size=9, align="center")
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            doc.set_cell(t.cell(i, j), v, size=9)


def _chart_table(doc: DocxDocument, title: str, bars: list[tuple[str, float]]) -> None:
    doc.paragraph(title, bold=True)
    top = max((v for _l, v in bars), default=0.0)
    if not bars:
        doc.paragraph("—")
        return
    _table(doc, [_("Item"), _("Value"), ""], [[lbl, f"{v:g}", _bar(v, top)] for lbl, v in bars])


def report_docx(report: ReportData) -> bytes:
    r = report
    doc = docx_document(margins_cm=2.0)
    doc.paragraph(_("Beijing Prison Administration Bureau"), align="center")
    doc.title(title_of(r))
    doc.paragraph(
        f"{r.contract.code} {r.contract.title} · {r.contract.vendor.name}", align="center"
    )
    doc.paragraph(
        _("Period %(first)s – %(last)s; figures as of %(as_of)s")
        % {"first": r.period.first, "last": r.period.last, "as_of": _when(r.as_of)}
    )
    _score_section(doc, r)
    _work_order_section(doc, r)
    _other_sections(doc, r)
    doc.paragraph(_("Verification code") + f": {r.contract.code} / {r.code}", size=8)
    return doc.to_bytes()


def _score_section(doc: DocxDocument, r: ReportData) -> None:
    doc.document.add_heading(_("1. Score and deductions"), level=2)
    led = r.ledger
    _table(
        doc,
        [_("Score"), _("Final"), _("Tier"), _("Fines (yuan)"), _("Points this period")],
        [
            [
                str(led.score),
                _("yes") if led.final else _("no"),
                led.tier if led.final else _("projected: %(tier)s") % {"tier": led.tier},
                str(led.fines.get("total", "0")),
                str(r.period_points),
            ]
        ],
    )
    _table(
        doc,
        [_("Rule"), _("What"), _("Items"), _("Points"), _("Fine")],
        [[x.rule, x.title, str(x.count), str(x.points), str(x.fine)] for x in r.rules]
        or [["—", _("Nothing has moved the score."), "", "", ""]],
    )
    _chart_table(
        doc,
        _("Points lost by rule"),
        [(f"{x.rule} {x.title}", float(-x.points)) for x in r.rules if x.points < 0],
    )


def _work_order_section(doc: DocxDocument, r: ReportData) -> None:
    doc.document.add_heading(_("2. Work orders"), level=2)
    doc.paragraph(_("Work orders in the period: %(n)d") % {"n": r.tickets_total})
    _table(
        doc,
        [_("Priority"), _("Work orders")],
        [[p, str(n)] for p, n in r.by_priority] or [["—", "0"]],
    )
    _chart_table(doc, _("Work orders by unit"), [(u, float(n)) for u, n in r.by_unit])
    doc.paragraph(
        _("SLA compliance: %(w)d of %(r)d resolved within the deadline (%(s)s)")
        % {"w": r.sla_within, "r": r.sla_resolved, "s": r.sla_share}
    )
    _table(
        doc,
        [_("Month"), _("Resolved"), _("Within the deadline"), ""],
        [[m, str(res), str(w), _bar(w, res, 10)] for m, res, w in r.sla] or [["—", "0", "0", ""]],
    )


def _other_sections(doc: DocxDocument, r: ReportData) -> None:
    """Incidents, attendance and security findings."""
    doc.document.add_heading(_("3. Incidents"), level=2)
    _table(
        doc,
        [_("Incident"), _("Title"), _("Level"), _("Occurred"), _("Report")],
        [
            [
                i["code"],
                i["title"],
                str(i["level"] or _("pending")),
                _when(i["occurred_at"]),
                _when(i["reported_at"]),
            ]
            for i in r.incidents
        ]
        or [["—", _("No incidents."), "", "", ""]],
    )
    doc.document.add_heading(_("4. Attendance"), level=2)
    _table(
        doc,
        [_("Rule"), _("What"), _("Occurrences"), _("Points")],
        [[x.rule, x.title, str(x.count), str(x.points)] for x in r.attendance]
        or [["—", _("No attendance deductions."), "", ""]],
    )
    doc.document.add_heading(_("5. Security findings"), level=2)
    doc.paragraph(
        _("Findings registered: %(t)d, closed: %(c)d")
        % {"t": r.findings["total"], "c": r.findings["closed"]}
    )


# ------------------------------------------------------------------ patch records


def patches_pdf(contract: Contract, rows: list[PatchRow], label: str = "") -> bytes:
    return render_pdf(
        "reports/patches.html",
        {"contract": contract, "rows": rows, "label": label, "printed_at": timezone.now()},
    )


def patches_docx(contract: Contract, rows: list[PatchRow], label: str = "") -> bytes:
    doc = docx_document(margins_cm=1.8)
    doc.paragraph(_("Beijing Prison Administration Bureau"), align="center")
    doc.title(_("Vulnerability patch maintenance records"))
    doc.paragraph(
        f"{contract.code} {contract.title} · {contract.vendor.name} {label}", align="center"
    )
    _table(
        doc,
        [
            _("Work order"),
            _("Report"),
            _("Finding"),
            _("Severity"),
            _("Registered"),
            _("Patched / closed"),
            _("Note"),
        ],
        [
            [
                x.number,
                x.title,
                x.finding,
                x.severity,
                _when(x.registered, "%Y-%m-%d"),
                _when(x.closed_at),
                x.note,
            ]
            for x in rows
        ]
        or [["—", _("No security findings registered."), "", "", "", "", ""]],
    )
    return doc.to_bytes()


# ------------------------------------------------------------------ the work-order set


def workorders_pdf(tickets: Any) -> bytes:
    """All tickets of a period as one PDF: each ticket's form exactly as
    opsqm.facts.tickets.printing prints it (its own page numbers and verification code),
    rendered one by one and joined into one document."""
    from opsqm.facts.tickets.printing import PRINT_TEMPLATE, build_form

    documents = []
    for t in tickets:
        form = build_form(t)
        html = render_to_string(PRINT_TEMPLATE, {"form": form, "t": form.ticket})
        documents.append(html_document(html))
    if not documents:
        return render_pdf("reports/empty.html", {"title": _("Work orders")})
    pages = [p for d in documents for p in d.pages]
    return write(documents[0].copy(pages))


def workorders_docx(tickets: Any) -> bytes:
    """The same set as one DOCX for editing: each ticket's form on its own pages."""
    from opsqm.facts.tickets.printing import add_docx_form, build_form

    doc = docx_document(margins_cm=1.8, title=_("Work orders"))
    first = True
    for t in tickets:
        add_docx_form(doc, build_form(t), new_page=not first)
        first = False
    if first:
        doc.title(_("Work orders"))
        doc.paragraph(_("No work orders in this period."))
    return doc.to_bytes()


def points(value: Decimal) -> str:
    return f"{value:+.2f}"
