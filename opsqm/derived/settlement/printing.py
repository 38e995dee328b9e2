"""The settlement statement as PDF and DOCX (opsqm.infra.documents), with the verification
code of what it shows: the ledger JSON and the evidence export hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from docx.shared import Pt

from opsqm.derived.settlement import exports
from opsqm.infra.documents.docx import docx_document
from opsqm.infra.documents.pdf import render_pdf
from opsqm.infra.documents.verification import content_hash, short_code
from opsqm.pure.assessment.model import TZ


@dataclass
class Printable:
    contract: Any
    ledger: dict[str, Any]
    meta: dict[str, Any]
    status: str
    printed_at: datetime

    @property
    def code(self) -> str:
        return short_code(content_hash({"ledger": self.ledger, "meta": self.meta}))


def printable(
    contract: Any, ledger: dict[str, Any], meta: dict[str, Any], status: str
) -> Printable:
    return Printable(contract, ledger, meta, status, timezone.now().astimezone(TZ))


def pdf_bytes(p: Printable) -> bytes:
    return render_pdf(
        "settlement/print.html",
        {
            "p": p,
            "ledger": p.ledger,
            "contract": p.contract,
            "summary": exports.summary_rows(p.contract, p.ledger, {}),
            "groups": exports.groups(p.ledger),
        },
    )


def docx_bytes(p: Printable) -> bytes:
    doc = docx_document(
        margins_cm=1.8,
        title=f"{_('Settlement statement')} {p.contract.code}",
        subject=f"{p.contract.code} {p.contract.title}",
    )
    doc.paragraph(_("Beijing Prison Administration Bureau"), align="center", size=11)
    doc.title(_("Settlement statement"))
    doc.paragraph(f"{p.contract.code} · {p.status}", align="right", size=9)
    rows = exports.summary_rows(p.contract, p.ledger, p.meta)
    table = doc.table(len(rows), 2, widths_cm=[6.0, 11.0])
    for row, (label, value) in zip(table.rows, rows, strict=True):
        doc.set_cell(row.cells[0], str(label), label=True)
        doc.set_cell(row.cells[1], str(value))
    # The heading also keeps Word from joining the two tables into one.
    doc.paragraph(_("Items"), bold=True).paragraph_format.space_before = Pt(10)
    header = exports.item_header()[:8]
    items = [r[:8] for r in exports.item_rows(p.ledger)]
    if items:
        t = doc.table(
            len(items) + 1, len(header), widths_cm=[1.0, 2.6, 2.0, 2.4, 2.6, 3.6, 1.4, 1.6]
        )
        for cell, text in zip(t.rows[0].cells, header, strict=True):
            doc.set_cell(cell, text, label=True, size=8)
        for row, values in zip(t.rows[1:], items, strict=True):
            for i, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
                text = str(value)
                doc.set_cell(cell, text[:16].replace("T", " ") if i == 4 else text, size=8)
    code = doc.paragraph(_("Verification code: %(code)s") % {"code": p.code}, size=9)
    code.paragraph_format.space_before = Pt(12)
    return doc.to_bytes()
