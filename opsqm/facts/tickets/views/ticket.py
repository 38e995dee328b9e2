"""The ticket page, its cost fragment, attachments and the signature image."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.safestring import mark_safe

from opsqm.facts.tickets import services
from opsqm.facts.tickets.access import (
    READERS,
    is_desk,
    is_recipient,
    is_vendor,
    require,
    visible_tickets,
)
from opsqm.facts.tickets.mail_rules import undelivered
from opsqm.facts.tickets.models import Attachment, Event, Extension, Finding, Ticket
from opsqm.facts.tickets.views.common import RISK_ROLES, _ticket_for, pop_draft
from opsqm.infra.accounts.requests import AuthenticatedRequest
from opsqm.infra.core.uploads import download_response
from opsqm.infra.mail import imap


@login_required
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require(request.user, READERS)
    # One query per list, whatever its length (tests/tickets/test_queries.py); the
    # original report's author comes with the ticket.
    ticket = get_object_or_404(
        visible_tickets(request.user)
        .select_related(
            "contract__vendor",
            "unit",
            "engineer",
            "original__recorded_by",
        )
        .prefetch_related(
            Prefetch("events", Event.objects.select_related("actor").order_by("at", "id")),
            "attachments",
            Prefetch("extensions", Extension.objects.select_related("requested_by", "decided_by")),
            Prefetch("findings", Finding.objects.select_related("evidence")),
        ),
        pk=pk,
    )
    user = request.user
    now = timezone.now()
    ctx = {
        "t": ticket,
        "events": ticket.events.all(),
        "attachments": ticket.attachments.all(),
        "calls": ticket.calls.all(),  # shown (and read) only before dispatch
        "extensions": ticket.extensions.all(),
        "findings": ticket.findings.all(),
        "phone_deadline": services.phone_deadline(ticket),
        # asked only while the desk may still phone the vendor about a user's report
        "staff_to_phone": services.staff_to_phone(ticket)
        if is_desk(user)
        and ticket.status == Ticket.Status.REPORTED
        and ticket.kind == Ticket.Kind.SERVICE
        else [],
        "now": now,
        "is_desk": is_desk(user),
        "is_vendor": is_vendor(user),
        "is_recipient": is_recipient(user),
        "sees_cost": user.role in RISK_ROLES,
        "open_work": bool(ticket.dispatch_message_id)
        and not (ticket.resolution_message_id or ticket.resolved_at),
        "closable": bool(ticket.resolution_message_id or ticket.resolved_at)
        and ticket.signature == Ticket.Signature.NONE,
        "satisfactions": Ticket.Satisfaction.choices,
        "attachment_kinds": [
            (k, v) for k, v in Attachment.Kind.choices if k in ("screenshot", "log", "other")
        ],
        **_sign_link(request, ticket),
        # Asked only when a bounce is on the timeline (no query for the others).
        "undelivered": [(m, ticket) for m in undelivered([ticket.number])]
        if any(e.action == "mail_not_delivered" for e in ticket.events.all())
        else [],
        "draft": pop_draft(request, ticket),
        "no_mail_server": _waits_for_mail(ticket) and not imap.configured(),
    }
    return render(request, "tickets/detail.html", ctx)


def _waits_for_mail(ticket: Ticket) -> bool:
    """A message of the ticket has been sent but its server receive time is unknown."""
    return bool(
        (ticket.dispatch_message_id and not ticket.dispatched_at)
        or (ticket.resolution_message_id and not ticket.resolved_at)
        or (ticket.archive_message_id and not ticket.archived_at)
    )


def _sign_link(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    """The one-time signing link just created (shown once): the URL, its QR code for
    the recipient's phone (inline SVG: nothing fetched) and until when it works."""
    url = request.session.pop(f"sign_link_{ticket.pk}", "")
    if not url:
        return {"sign_link": ""}
    import segno

    link = ticket.sign_links.order_by("-created_at", "-pk").first()
    qr = segno.make(url, error="m").svg_inline(scale=3, omitsize=False, title="QR")
    return {
        "sign_link": url,
        "sign_link_qr": mark_safe(qr),
        "sign_link_expires": link.expires_at if link else None,
    }


@login_required
def cost(request: HttpRequest, pk: int) -> HttpResponse:
    """The per-ticket "what this ticket costs now" fragment (engine items by ref)."""
    require(request.user, RISK_ROLES)
    ticket = _ticket_for(request, pk)
    from opsqm.facts.tickets.costs import ticket_costs

    return render(request, "tickets/_cost.html", {"t": ticket, "cost": ticket_costs(ticket)})


@login_required
def attachment(request: HttpRequest, pk: int, att: int) -> FileResponse:
    ticket = _ticket_for(request, pk)
    a = get_object_or_404(Attachment, pk=att, ticket=ticket)
    return download_response(a.file, a.name)


@login_required
def signature_image(request: HttpRequest, pk: int) -> FileResponse:
    ticket = _ticket_for(request, pk)
    if not ticket.signature_image:
        raise Http404
    return download_response(ticket.signature_image, f"{ticket.number}-signature.png")
