"""The printed ticket form (PDF, DOCX) and the page that checks a printed form's
verification code.  Access is that of the ticket's page: bureau roles see every
ticket, vendor roles their vendor's contracts', recipients their unit's; others
get 404 for a ticket outside their scope, the three administrators 403."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header

from opsqm.facts.tickets.access import visible_tickets
from opsqm.facts.tickets.models import Ticket
from opsqm.facts.tickets.printing import build_form, docx_bytes, pdf_bytes
from opsqm.infra.accounts.models import User
from opsqm.infra.core.viewkit import require_business
from opsqm.infra.documents.docx import DOCX_CONTENT_TYPE
from opsqm.infra.documents.pdf import PDF_CONTENT_TYPE
from opsqm.infra.documents.verification import hash_matches, normalise


def printable_for(user: User | AnonymousUser) -> QuerySet[Ticket]:
    """The tickets whose page — and so whose form — the user may see."""
    return visible_tickets(user).select_related("contract__vendor", "unit", "dispatch_message")


def _document(data: bytes, content_type: str, filename: str, *, inline: bool) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename) or ""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def ticket_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    require_business(request.user)
    form = build_form(get_object_or_404(printable_for(request.user), pk=pk))
    return _document(pdf_bytes(form), PDF_CONTENT_TYPE, f"{form.ticket.number}.pdf", inline=True)


@login_required
def ticket_docx(request: HttpRequest, pk: int) -> HttpResponse:
    require_business(request.user)
    form = build_form(get_object_or_404(printable_for(request.user), pk=pk))
    return _document(
        docx_bytes(form), DOCX_CONTENT_TYPE, f"{form.ticket.number}.docx", inline=False
    )


# "GD-2025-0042 / 3F2A-9B1C-04D7-E5A0" as printed; the number may also come alone.
_PRINTED = re.compile(r"^\s*(?P<number>\S+?)\s*/\s*(?P<code>[0-9A-Fa-f\-\s]+)\s*$")


def _parse(number: str, given: str) -> tuple[str, str]:
    m = _PRINTED.match(given)
    if m and not number:
        return m["number"], m["code"]
    return number.strip(), given


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Does a printed verification code match a ticket's current content?

    Answers: match (the ticket still has the printed content), changed (the ticket
    exists but its content differs from the print, or the code was mistyped),
    unknown (no ticket of that number the user may see), invalid (not a code)."""
    require_business(request.user)
    number, given = _parse(request.GET.get("number", ""), request.GET.get("hash", ""))
    result: str | None = None
    ticket = None
    if given or number:
        if not normalise(given):
            result = "invalid"
        else:
            candidates = list(printable_for(request.user).filter(number=number)[:5])
            result = "unknown" if not candidates else "changed"
            for candidate in candidates:
                if hash_matches(given, build_form(candidate).digest):
                    result, ticket = "match", candidate
                    break
    return render(
        request,
        "tickets/print/verify.html",
        {"result": result, "number": number, "given": given, "ticket": ticket},
    )
