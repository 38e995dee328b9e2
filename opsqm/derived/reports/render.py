"""Reports as PDF (WeasyPrint, fonts embedded) and DOCX (宋体/黑体).

Charts: server-side SVG from `opsqm.derived.dashboards.charts`, embedded in the PDF as
`data:` images (WeasyPrint draws SVG natively: no converter, no extra dependency).
In the DOCX the same figures are tables with a text bar (█), so the document stays
editable in Word without image tooling (no cairosvg / matplotlib on the server).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from docx.shared import Cm, Pt

from opsqm.derived.reports.data import PatchRow, ReportData, deduction_note, deduction_rows
from opsqm.facts.contracts.models import Contract
from opsqm.infra.core.templatetags.opsqm_format import money, points, score
from opsqm.infra.documents.docx import HEI, DocxDocument, docx_document
from opsqm.infra.documents.pdf import html_document, render_pdf, write
from opsqm.pure.assessment.model import TZ


def _when(value: datetime.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(TZ).strftime(fmt) if value else "—"


QUARTERS = {
    1: pgettext_lazy("quarter of the year", "first"),
    2: pgettext_lazy("quarter of the year", "second"),
    3: pgettext_lazy("quarter of the year", "third"),
    4: pgettext_lazy("quarter of the year", "fourth"),
}


def title_of(report: ReportData) -> str:
    """The formal title: 2026年第三季度运维服务质量考核报告 / 2026年度运维服务项目总结报告."""
    period = report.period
    if report.kind == "annual":
        first, last = period.first.year, period.last.year
        years = str(first) if first == last else f"{first}—{last}"
        return _("IT operations service project summary report for %(years)s") % {"years": years}
    year, quarter = period.label.split("Q")
    return _(
        "IT operations service quality assessment report for the %(quarter)s quarter of %(year)s"
    ) % {"quarter": QUARTERS[int(quarter)], "year": year}


def captions() -> dict[str, str]:
    """The numbered captions of the report's tables and figures, the same in PDF and DOCX
    (tables are captioned above, figures below, as Chinese official documents do)."""
    tables = {
        "score": _("Score, tier and fines"),
        "rules": _("Deductions and fines by rule"),
        "priority": _("Work orders by priority"),
        "incidents": _("Incidents"),
        "attendance": _("Attendance deductions"),
    }
    figures = {
        "deductions": _("Points lost and fines by rule"),
        "units": _("Work orders by unit"),
        "sla": _("Resolved work orders: within / past the deadline"),
    }
    out = {}
    for n, (key, title) in enumerate(tables.items(), start=1):
        out[f"table_{key}"] = _("Table %(n)d  %(title)s") % {"n": n, "title": title}
    for n, (key, title) in enumerate(figures.items(), start=1):
        out[f"figure_{key}"] = _("Figure %(n)d  %(title)s") % {"n": n, "title": title}
    return out


def tier_label(tier: str, final: bool) -> str:
    """A1's tier in words, as the ledger page puts it (ledger/_tier.html): a provisional
    result's tier is only projected, never a fine."""
    if not final:
        if tier == "pass":
            return _("projected: pass")
        return _("projected: %(tier)s tier") % {"tier": tier}
    if tier == "pass":
        return _("pass")
    return _("fine %(tier)s") % {"tier": tier}


def signatories(report: ReportData) -> list[tuple[str, str]]:
    """The signature block: who prepares, reviews and approves the report."""
    return [
        (_("Prepared by"), report.contract.vendor.name),
        (_("Reviewed by"), _("Supervision company")),
        (_("Approved by"), _("Beijing Prison Administration Bureau")),
    ]


def report_pdf(report: ReportData) -> bytes:
    return render_pdf(
        "reports/report.html",
        {
            "r": report,
            "title": title_of(report),
            "cap": captions(),
            "charts": report.chart_uris(),
            "signatories": signatories(report),
            "tier": tier_label(report.ledger.tier, report.ledger.final),
            "printed_at": timezone.now(),
        },
    )


def _bar(value: float, top: float, width: int = 20) -> str:
    return "█" * (round(width * value / top) if top else 0)


def _table(doc: DocxDocument, header: list[str], rows: list[list[str]]) -> Any:
    t = doc.table(len(rows) + 1, len(header))
    for j, h in enumerate(header):
        doc.set_cell(t.cell(0, j), h, label=True, size=9, align="center")
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            doc.set_cell(t.cell(i, j), v, size=9)
    return t


def _caption(doc: DocxDocument, text: str) -> None:
    p = doc.paragraph(text, bold=True, size=9, align="center", east_asia=HEI)
    p.paragraph_format.space_before = Pt(6)
    p.paragraph_format.space_after = Pt(3)


def _chart_table(
    doc: DocxDocument, caption: str, bars: list[tuple[str, float]], notes: list[str] | None = None
) -> None:
    """A figure as a table (label, value, text bar), captioned below as a figure."""
    top = max((v for _l, v in bars), default=0.0)
    shown = notes or [f"{v:g}" for _l, v in bars]
    _table(
        doc,
        [_("Item"), _("Value"), ""],
        [[lbl, note, _bar(v, top)] for (lbl, v), note in zip(bars, shown, strict=True)]
        or [["—", "", ""]],
    )
    _caption(doc, caption)


def report_docx(report: ReportData) -> bytes:
    r = report
    title = title_of(r)
    doc = docx_document(
        margins_cm=2.0, title=title, subject=f"{r.contract.code} {r.contract.title}"
    )
    doc.paragraph(_("Beijing Prison Administration Bureau"), align="center")
    doc.title(title)
    doc.paragraph(
        f"{r.contract.code} {r.contract.title} · {r.contract.vendor.name}", align="center"
    )
    doc.paragraph(
        _("Period %(first)s – %(last)s; figures as of %(as_of)s")
        % {"first": r.period.first, "last": r.period.last, "as_of": _when(r.as_of)}
    )
    cap = captions()
    _score_section(doc, r, cap)
    _work_order_section(doc, r, cap)
    _other_sections(doc, r, cap)
    _signature_block(doc, r)
    doc.paragraph(_("Verification code") + f": {r.contract.code} / {r.code}", size=8)
    return doc.to_bytes()


def _signature_block(doc: DocxDocument, r: ReportData) -> None:
    """编制 / 审核 / 批准: organisation, then a line to sign and one to date."""
    people = signatories(r)
    t = doc.table(3, len(people))
    for j, (role, organisation) in enumerate(people):
        doc.set_cell(t.cell(0, j), role, label=True, size=10, align="center")
        doc.set_cell(t.cell(1, j), organisation, size=9, align="center")
        doc.set_cell(
            t.cell(2, j),
            _("Signature:") + "\n\n" + _("Date:"),
            size=9,
        )
    t.rows[2].height = Cm(2.2)


def _score_section(doc: DocxDocument, r: ReportData, cap: dict[str, str]) -> None:
    doc.document.add_heading(_("1. Score and deductions"), level=2)
    led = r.ledger
    _caption(doc, cap["table_score"])
    _table(
        doc,
        [_("Score"), _("Final"), _("Tier"), _("Fines"), _("Points this period")],
        [
            [
                score(led.score),
                _("yes") if led.final else _("no"),
                tier_label(led.tier, led.final),
                money(led.fines.get("total", "0")),
                points(r.period_points),
            ]
        ],
    )
    _caption(doc, cap["table_rules"])
    _table(
        doc,
        [_("Rule"), _("What"), _("Items"), _("Points"), _("Fine")],
        [[x.rule, x.title, str(x.count), points(x.points), money(x.fine)] for x in r.rules]
        or [["—", _("Nothing has moved the score."), "", "", ""]],
    )
    charged = deduction_rows(r.rules)
    _chart_table(
        doc,
        cap["figure_deductions"],
        [(f"{x.rule} {x.title}", float(-x.points)) for x in charged],
        [deduction_note(x) for x in charged],
    )


def _work_order_section(doc: DocxDocument, r: ReportData, cap: dict[str, str]) -> None:
    doc.document.add_heading(_("2. Work orders"), level=2)
    doc.paragraph(_("Work orders in the period: %(n)d") % {"n": r.tickets_total})
    _caption(doc, cap["table_priority"])
    _table(
        doc,
        [_("Priority"), _("Work orders")],
        [[p, str(n)] for p, n in r.by_priority] or [["—", "0"]],
    )
    _chart_table(doc, cap["figure_units"], [(u, float(n)) for u, n in r.by_unit])
    doc.paragraph(
        _("SLA compliance: %(w)d of %(r)d resolved within the deadline (%(s)s)")
        % {"w": r.sla_within, "r": r.sla_resolved, "s": r.sla_share}
    )
    _table(
        doc,
        [_("Month"), _("Resolved"), _("Within the deadline"), ""],
        [[m, str(res), str(w), _bar(w, res, 10)] for m, res, w in r.sla] or [["—", "0", "0", ""]],
    )
    _caption(doc, cap["figure_sla"])


def _other_sections(doc: DocxDocument, r: ReportData, cap: dict[str, str]) -> None:
    """Incidents, attendance and security findings."""
    doc.document.add_heading(_("3. Incidents"), level=2)
    _caption(doc, cap["table_incidents"])
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
    _caption(doc, cap["table_attendance"])
    _table(
        doc,
        [_("Rule"), _("What"), _("Occurrences"), _("Points")],
        [[x.rule, x.title, str(x.count), points(x.points)] for x in r.attendance]
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
