"""Home page: what each role needs first."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.accounts.roles import ADMIN_ROLES, Role
from opsqm.core.access import visible_contracts
from opsqm.ledger.services import safe_ledger

OPEN_TICKETS_SHOWN = 50
LATEST_ITEMS = 5


def _deadline(ticket: Any, sla_hours: dict[str, int]) -> datetime:
    """The ticket's deadline as the engine computes it (natural-hours clock)."""
    if ticket.extended_to:
        return ticket.extended_to
    hours = sla_hours.get(ticket.priority, 24)
    return ticket.dispatched_at + timedelta(hours=hours)


def _sla_hours() -> dict[str, int]:
    from django.conf import settings

    from opsqm.ledger.services import default_rulebook

    return dict(default_rulebook(settings.OPSQM_DEFAULT_RULEBOOK).tickets.sla_hours)


def open_tickets(contracts: Any, unit: Any = None) -> list[dict[str, Any]]:
    """Open tickets of `contracts` (optionally of one unit), soonest deadline first."""
    from opsqm.tickets.models import Ticket

    # A work order counts from the server's dispatch time; one still awaiting it
    # (or closed by phone) has no deadline yet and shows on the desk's board instead.
    qs = Ticket.objects.filter(
        contract__in=contracts, resolved_at__isnull=True, dispatched_at__isnull=False
    ).select_related("contract", "unit")
    if unit is not None:
        qs = qs.filter(unit=unit)
    sla = _sla_hours()
    now = timezone.now()
    rows: list[dict[str, Any]] = [{"t": t, "deadline": _deadline(t, sla)} for t in qs]
    for r in rows:
        r["late"] = r["deadline"] < now
    rows.sort(key=lambda r: (r["deadline"], r["t"].number))
    return rows[:OPEN_TICKETS_SHOWN]


def _scores(contracts: Any, with_items: bool = False) -> list[dict[str, Any]]:
    out = []
    for c in contracts.order_by("code"):
        ledger, problem = safe_ledger(c)
        latest = []
        if ledger is not None and with_items:
            latest = [i for i in ledger.items if i.points or i.fine][-LATEST_ITEMS:][::-1]
        out.append({"contract": c, "ledger": ledger, "problem": problem, "latest": latest})
    return out


def _link(name: str, query: str = "") -> str | None:
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    role = user.role
    ctx: dict[str, Any] = {"role": role}
    if role in ADMIN_ROLES:
        links = {
            Role.SYSTEM_ADMIN: [(_("Accounts"), "accounts:users", "")],
            Role.SECURITY_ADMIN: [
                (_("Accounts"), "accounts:users", ""),
                (_("Locked accounts"), "accounts:users", "?status=locked"),
            ],
            Role.AUDIT_ADMIN: [(_("Audit log"), "audit:list", "")],
        }[role]
        ctx["admin_links"] = [
            (label, url) for label, name, query in links if (url := _link(name, query))
        ]
        return render(request, "opsqm/home_admin.html", ctx)
    contracts = visible_contracts(user)
    if role == Role.SERVICE_DESK or role == Role.VENDOR_ENGINEER:
        ctx["tickets"] = open_tickets(contracts)
    elif role == Role.VENDOR_MANAGER:
        ctx["scores"] = _scores(contracts)
        ctx["tickets"] = open_tickets(contracts)
    elif role == Role.ASSESSOR:
        ctx["scores"] = _scores(contracts, with_items=True)
    elif role == Role.SUPERVISOR:
        ctx["scores"] = _scores(contracts)
    elif role == Role.RECIPIENT:
        ctx["tickets"] = open_tickets(contracts, unit=user.unit)
    return render(request, "opsqm/home.html", ctx)
