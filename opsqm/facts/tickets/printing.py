"""The bureau's ticket form (运维服务工单, rulebook 第八条 统一样式) as PDF and DOCX.

One ticket prints as one form: contract, vendor, unit, reporter, problem, priority,
the authoritative times each with its source (dispatch = the bureau mail server's
receive time, 第十条四), problem analysis, resolution steps, verification result,
the agreed extension (第九条二), the recipient's drawn signature or the desk's phone
confirmation (第十条), satisfaction, and a verification hash.

The hash is SHA-256 over the canonical content of the form (`form_content`):
the raw values, not their translated labels, so the same ticket gives the same
hash in Chinese and in English.  The print time is not part of it.  The short
code printed on the form (`GD-2025-0042 / 3F2A-9B1C-04D7-E5A0`) can be typed
into /tickets/verify/, which says whether the ticket still has the printed
content.  See docs/documents.md.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx.shared import Cm, Pt

from opsqm.facts.tickets.models import Event, Extension, OriginalReport, PhoneCall, Ticket
from opsqm.infra.core.uploads import sniff
from opsqm.infra.documents.docx import docx_document
from opsqm.infra.documents.pdf import render_pdf
from opsqm.infra.documents.verification import content_hash, short_code

PRINT_TEMPLATE = "tickets/print/form.html"

# Where a time comes from, as the form prints it.
SOURCE_LABELS = {
    "server": gettext_lazy("bureau mail server receive time"),
    "typed": gettext_lazy("recorded by the service desk"),
    "app": gettext_lazy("OpsQM clock"),
    "": gettext_lazy("no source recorded (imported record)"),
}
_SOURCE_PREFERENCE = ("server", "typed", "app")


@dataclass(frozen=True)
class Stamp:
    """An authoritative time of the form and the clock it was read from."""

    key: str
    label: str
    at: datetime.datetime | None
    source: str  # a key of SOURCE_LABELS

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS.get(self.source, SOURCE_LABELS[""]))


@dataclass
class TicketForm:
    """Everything the printed form shows, read once from the database."""

    ticket: Ticket
    reporter: str
    reporter_phone: str
    reported_at: datetime.datetime | None
    problem: str
    stamps: list[Stamp]
    extension: Extension | None
    phone_confirmation: PhoneCall | None
    signature_png: bytes | None
    signature_mime: str
    content: dict[str, Any]
    digest: str
    printed_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def code(self) -> str:
        return short_code(self.digest)

    @property
    def verification_string(self) -> str:
        """What the form prints and the verification page accepts."""
        return f"{self.ticket.number} / {self.code}"

    @property
    def reporter_text(self) -> str:
        if self.reporter_phone:
            return f"{self.reporter} ({self.reporter_phone})"
        return self.reporter or "—"

    @property
    def problem_text(self) -> str:
        title = self.ticket.title
        if title and self.problem and title not in self.problem:
            return f"{title}\n{self.problem}"
        return self.problem or title or "—"

    @property
    def extension_text(self) -> str:
        ext = self.extension
        if ext is None:
            return _("No extension")
        return _(
            "Deadline extended to %(to)s with the recipient's written agreement of %(on)s. "
            "Reason: %(reason)s"
        ) % {
            "to": _when(ext.agreed_to),
            "on": _when(ext.decided_at),
            "reason": ext.reason,
        }

    @property
    def signature_text(self) -> str:
        t = self.ticket
        if t.signature == Ticket.Signature.SIGNED:
            return _("Signed by %(name)s at %(at)s") % {
                "name": t.signer_name or "—",
                "at": _when(t.signed_at),
            }
        if t.signature == Ticket.Signature.PHONE_CONFIRMED:
            call = self.phone_confirmation
            reason = t.no_signature_reason or "—"
            if call is None:
                return _("Confirmed by phone. Why no signature: %(reason)s") % {"reason": reason}
            return _(
                "Confirmed by phone with %(person)s at %(at)s: %(outcome)s. "
                "Why no signature: %(reason)s"
            ) % {
                "person": call.person,
                "at": _when(call.called_at),
                "outcome": call.outcome,
                "reason": reason,
            }
        return _("Not signed")

    @property
    def verification_note(self) -> str:
        return _(
            "The code is the beginning of the SHA-256 of this form's content (%(digest)s). "
            "Enter it on the platform's page Tickets → Verify a printed form to check "
            "that the ticket still has the content printed here."
        ) % {"digest": self.digest}

    @property
    def signature_data_url(self) -> str:
        if not self.signature_png:
            return ""
        encoded = base64.b64encode(self.signature_png).decode("ascii")
        return f"data:{self.signature_mime};base64,{encoded}"


def printable_tickets() -> Any:
    """The queryset the form is read from (one query for the ticket and its registers)."""
    return Ticket.objects.select_related("contract__vendor", "unit", "dispatch_message")


def _source_of(at: datetime.datetime | None, message: Any, events: list[Event]) -> str:
    if at is None:
        return ""
    if message is not None and message.server_received_at == at:
        return "server"
    sources = {e.source for e in events if e.at == at}
    for source in _SOURCE_PREFERENCE:
        if source in sources:
            return source
    return ""


def _signature_image(ticket: Ticket) -> tuple[bytes | None, str]:
    if not ticket.signature_image:
        return None, ""
    try:
        with ticket.signature_image.open("rb") as f:
            data = f.read()
    except OSError:
        return None, ""
    buffer = io.BytesIO(data)
    for kind, mime in (("png", "image/png"), ("jpeg", "image/jpeg")):
        if sniff(buffer, kind):
            return data, mime
    return None, ""


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def form_content(
    ticket: Ticket,
    *,
    reporter: str,
    reporter_phone: str,
    reported_at: datetime.datetime | None,
    problem: str,
    stamps: list[Stamp],
    extension: Extension | None,
    phone: PhoneCall | None,
    signature_digest: str,
) -> dict[str, Any]:
    """The canonical content of the form: what the hash covers."""
    contract = ticket.contract
    return {
        "form": "opsqm.ticket-form/1",
        "number": ticket.number,
        "contract": contract.code,
        "contract_title": contract.title,
        "vendor": contract.vendor.name,
        "unit": ticket.unit.name if ticket.unit else "",
        "reporter": reporter,
        "reporter_phone": reporter_phone,
        "reported_at": _iso(reported_at),
        "kind": ticket.kind,
        "priority": ticket.priority,
        "title": ticket.title,
        "problem": problem,
        "system": ticket.system,
        "times": {s.key: {"at": _iso(s.at), "source": s.source} for s in stamps},
        "deadline": _iso(ticket.deadline),
        "analysis": ticket.analysis,
        "steps": ticket.steps,
        "verification": ticket.verification,
        "extension": None
        if extension is None
        else {
            "agreed_to": _iso(extension.agreed_to),
            "reason": extension.reason,
            "decided_at": _iso(extension.decided_at),
        },
        "signature": ticket.signature,
        "signature_image_sha256": signature_digest,
        "signer": ticket.signer_name,
        "signed_at": _iso(ticket.signed_at),
        "no_signature_reason": ticket.no_signature_reason,
        "phone_confirmation": None
        if phone is None
        else {"at": _iso(phone.called_at), "person": phone.person, "outcome": phone.outcome},
        "satisfaction": ticket.satisfaction,
        "archive": ticket.archive,
    }


def _security_problem(ticket: Ticket) -> str:
    """A security work order's problem (第十条四): who tested, the report's date and
    each finding with its own severity.  Only tickets registered with a testing
    organisation print it, so the forms printed before stay verifiable."""
    dated = f"{ticket.report_date:%Y-%m-%d}" if ticket.report_date else "—"
    lines = [
        f"{_('Testing organisation')}: {ticket.testing_org}",
        f"{_('Report date')}: {dated}",
        *(f"[{f.get_severity_display()}] {f.description}" for f in ticket.findings.all()),
    ]
    return "\n".join(lines)


def build_form(ticket: Ticket) -> TicketForm:
    """Read the ticket's form (a handful of queries, none per line)."""
    events = list(Event.objects.filter(ticket=ticket).only("at", "source"))
    original = OriginalReport.objects.filter(ticket=ticket).first()
    resolution_msg = ticket.resolution_message if ticket.resolution_message_id else None
    archive_msg = ticket.archive_message if ticket.archive_message_id else None
    dispatch_msg = ticket.dispatch_message if ticket.dispatch_message_id else None
    stamps = [
        Stamp(
            "dispatch",
            _("Dispatch time"),
            ticket.dispatched_at,
            _source_of(ticket.dispatched_at, dispatch_msg, events),
        ),
        Stamp(
            "acknowledgement",
            _("Acknowledgement time"),
            ticket.acknowledged_at,
            _source_of(ticket.acknowledged_at, None, events),
        ),
        Stamp(
            "resolution",
            _("Resolution time"),
            ticket.resolved_at,
            _source_of(ticket.resolved_at, resolution_msg, events),
        ),
        Stamp(
            "archive",
            _("Archive time"),
            ticket.archived_at,
            _source_of(ticket.archived_at, archive_msg, events),
        ),
    ]
    extension = (
        Extension.objects.filter(ticket=ticket, state=Extension.State.AGREED)
        .order_by("-decided_at", "-id")
        .first()
    )
    phone = (
        PhoneCall.objects.filter(ticket=ticket, purpose=PhoneCall.Purpose.RECIPIENT)
        .order_by("-called_at", "-id")
        .first()
    )
    signature_png, mime = _signature_image(ticket)
    signature_digest = ticket.signature_sha256
    if signature_png and not signature_digest:
        signature_digest = hashlib.sha256(signature_png).hexdigest()
    reporter = original.reporter if original else ""
    reporter_phone = original.phone if original else ""
    reported_at = original.reported_at if original else None
    problem = ticket.description or (original.description if original else "")
    if ticket.kind == Ticket.Kind.SECURITY and ticket.testing_org:
        problem = _security_problem(ticket)
    content = form_content(
        ticket,
        reporter=reporter,
        reporter_phone=reporter_phone,
        reported_at=reported_at,
        problem=problem,
        stamps=stamps,
        extension=extension,
        phone=phone,
        signature_digest=signature_digest,
    )
    return TicketForm(
        ticket=ticket,
        reporter=reporter,
        reporter_phone=reporter_phone,
        reported_at=reported_at,
        problem=problem,
        stamps=stamps,
        extension=extension,
        phone_confirmation=phone,
        signature_png=signature_png,
        signature_mime=mime,
        content=content,
        digest=content_hash(content),
    )


# ---------------------------------------------------------------------------
# Renderers


def _when(value: datetime.datetime | None, fmt: str = "Y-m-d H:i") -> str:
    if value is None:
        return "—"
    return date_format(timezone.localtime(value), fmt)


# The authoritative times to the second, as the PDF prints them: the mail server's
# receive time is the contract's clock, and its deadlines end on a second.
EXACT = "Y-m-d H:i:s"


def pdf_bytes(form: TicketForm) -> bytes:
    """The form as A4 PDF (fonts embedded)."""
    return render_pdf(PRINT_TEMPLATE, {"form": form, "t": form.ticket})


def docx_bytes(form: TicketForm) -> bytes:
    """The same form as DOCX (宋体/黑体) for offices that file Word documents."""
    doc = docx_document(
        margins_cm=1.8,
        title=f"{_('IT operations service work order')} {form.ticket.number}",
        subject=f"{form.ticket.contract.code} {form.ticket.contract.title}",
    )
    add_docx_form(doc, form)
    return doc.to_bytes()


def add_docx_form(doc: Any, form: TicketForm, *, new_page: bool = False) -> None:
    """Append one ticket's form to a DOCX document (a form per ticket in a set;
    `new_page` starts it on a new page without an empty paragraph)."""
    t = form.ticket
    head = doc.paragraph(_("Beijing Prison Administration Bureau"), align="center", size=11)
    head.paragraph_format.page_break_before = new_page
    doc.title(_("IT operations service work order"))
    doc.paragraph(
        _("Ticket number: %(n)s    Printed: %(p)s") % {"n": t.number, "p": _when(form.printed_at)},
        align="right",
        size=9,
    )

    widths = [3.2, 5.5, 3.2, 5.5]
    rows: list[tuple[str, str, str, str] | tuple[str, str]] = [
        (_("Contract"), f"{t.contract.code} {t.contract.title}"),
        (_("Vendor"), t.contract.vendor.name, _("Unit"), t.unit.name if t.unit else "—"),
        (_("Reporter"), form.reporter_text, _("Reported at"), _when(form.reported_at)),
        (_("Priority"), t.get_priority_display(), _("Deadline"), _when(t.deadline)),
        (_("System / terminal"), t.system or "—"),
        (_("Problem"), form.problem_text),
    ]
    table = doc.table(0, 4, widths_cm=widths)

    def add(values: tuple[str, ...]) -> None:
        row = table.add_row()
        cells = row.cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = Cm(width)
        if len(values) == 2:
            merged = cells[1].merge(cells[3])
            doc.set_cell(cells[0], values[0], label=True)
            doc.set_cell(merged, values[1])
        else:
            for i, value in enumerate(values):
                doc.set_cell(cells[i], value, label=i % 2 == 0)

    def section(title: str) -> None:
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[3])
        doc.set_cell(merged, title, label=True)

    for r in rows:
        add(r)
    section(_("Times (the authoritative clock of each is named)"))
    for stamp in form.stamps:
        add(
            (
                stamp.label,
                _when(stamp.at, EXACT),
                _("Source"),
                stamp.source_label if stamp.at else "—",
            )
        )
    section(_("Work record"))
    add((_("Problem analysis"), t.analysis or "—"))
    add((_("Resolution steps"), t.steps or "—"))
    add((_("Verification result"), t.verification or "—"))
    add((_("Extension"), form.extension_text))
    section(_("Confirmation by the service recipient"))
    add((_("Confirmation"), t.get_signature_display()))
    signature_row = table.add_row()
    for cell, width in zip(signature_row.cells, widths, strict=True):
        cell.width = Cm(width)
    doc.set_cell(signature_row.cells[0], _("Signature"), label=True)
    sig_cell = signature_row.cells[1].merge(signature_row.cells[3])
    doc.set_cell(sig_cell, form.signature_text)
    if form.signature_png:  # beside the words, not in a paragraph of its own
        doc.image(form.signature_png, 4.5, paragraph=sig_cell.paragraphs[-1])
    add((_("Satisfaction"), t.get_satisfaction_display() or "—"))

    code = doc.paragraph(
        _("Verification code: %(code)s") % {"code": form.verification_string}, size=9
    )
    code.paragraph_format.space_before = Pt(12)  # a gap without an empty paragraph
    doc.paragraph(form.verification_note, size=8)
