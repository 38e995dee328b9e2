"""What the ticket pages share: the roles that see the board and the costs, the
form's date-time and text values, a validation error as text, the ticket in scope."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.facts.tickets.access import READERS, require, visible_tickets
from opsqm.facts.tickets.models import Ticket
from opsqm.infra.core.roles import BUREAU_ROLES, VENDOR_ROLES

BOARD_ROLES = BUREAU_ROLES | VENDOR_ROLES
RISK_ROLES = BUREAU_ROLES | VENDOR_ROLES


def parse_dt(value: str | None) -> datetime.datetime | None:
    """A `datetime-local` value (Beijing time) or ISO instant; None if empty."""
    if not value:
        return None
    try:
        dt = datetime.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(_("Enter a valid date and time.")) from exc
    if dt.tzinfo is None:
        dt = timezone.make_aware(dt, timezone.get_default_timezone())
    return dt


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _p(request: HttpRequest, name: str) -> str:
    return str(request.POST.get(name, ""))


def _ticket_for(request: HttpRequest, pk: int) -> Ticket:
    require(request.user, READERS)
    return get_object_or_404(
        visible_tickets(request.user).select_related(
            "contract__vendor", "unit", "engineer", "original", "dispatch_message"
        ),
        pk=pk,
    )


def keep_draft(request: HttpRequest, ticket: Ticket) -> None:
    """What a refused form held (a file type refused, a field missing): the ticket page
    shows it again in that form, so nothing typed is lost.  Files cannot come back:
    the message names the refused one."""
    match = request.resolver_match
    name = match.url_name if match else ""
    fields = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    request.session[f"ticket_draft_{ticket.pk}"] = {"form": name, "fields": fields}


def pop_draft(request: HttpRequest, ticket: Ticket) -> dict[str, dict[str, str]]:
    """{form name: its fields} for the form refused last, once."""
    kept = request.session.pop(f"ticket_draft_{ticket.pk}", None) or {}
    return {str(kept["form"]): dict(kept["fields"])} if kept.get("form") else {}
