"""Home page: what each role needs first."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.derived.ledger.services import ref_links, ref_url, safe_ledger
from opsqm.derived.payments.services import overdue_payments
from opsqm.edges.home.todo import QUEUE_ROLES, TASK_ROLES, todo
from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.incidents.remedies import explanations_overdue
from opsqm.infra.accounts.requests import AuthenticatedRequest
from opsqm.infra.core.roles import ADMIN_ROLES, Role

OPEN_TICKETS_SHOWN = 50
LATEST_ITEMS = 5


def open_tickets(contracts: Any, unit: Any = None) -> list[dict[str, Any]]:
    """Open tickets of `contracts` (optionally of one unit), soonest deadline first."""
    from opsqm.facts.tickets.models import Ticket

    # A work order counts from the server's dispatch time; one still awaiting it
    # (or closed by phone) has no deadline yet and shows on the desk's board instead.
    # The deadline is the one the flow stored: the contract's own SLA, or the extension.
    qs = Ticket.objects.filter(
        contract__in=contracts, resolved_at__isnull=True, deadline__isnull=False
    ).select_related("contract", "unit")
    if unit is not None:
        qs = qs.filter(unit=unit)
    now = timezone.now()
    qs = qs.order_by("deadline", "number")[:OPEN_TICKETS_SHOWN]
    rows = []
    for t in qs:
        assert t.deadline is not None  # filtered above
        rows.append({"t": t, "deadline": t.deadline, "late": t.deadline < now})
    return rows


def _scores(contracts: Any, with_items: bool = False) -> list[dict[str, Any]]:
    out = []
    for c in contracts.order_by("code"):
        ledger, problem = safe_ledger(c)
        latest = []
        if ledger is not None and with_items:
            items = [i for i in ledger.items if i.points or i.fine][-LATEST_ITEMS:][::-1]
            links = ref_links(c, [i.ref for i in items])
            latest = [{"item": i, "url": ref_url(links, i.ref)} for i in items]
        out.append({"contract": c, "ledger": ledger, "problem": problem, "latest": latest})
    return out


def _link(name: str, query: str = "") -> str | None:
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return None


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    role = user.role
    ctx: dict[str, Any] = {"role": role}
    if role in ADMIN_ROLES:
        by_role: dict[str, list[tuple[str, str, str]]] = {
            Role.SYSTEM_ADMIN: [(_("Accounts"), "accounts:users", "")],
            Role.SECURITY_ADMIN: [
                (_("Accounts"), "accounts:users", ""),
                (_("Locked accounts"), "accounts:users", "?status=locked"),
            ],
            Role.AUDIT_ADMIN: [(_("Audit log"), "audit:list", "")],
        }
        links = by_role[role]
        ctx["admin_links"] = [
            (label, url) for label, name, query in links if (url := _link(name, query))
        ]
        ctx["tasks"] = todo(user)
        return render(request, "opsqm/home_admin.html", ctx)
    contracts = visible_contracts(user)
    # the same sections as the inbox (one source: opsqm.edges.home.todo)
    if role in QUEUE_ROLES:
        ctx["queues"] = todo(user)
    elif role in TASK_ROLES:
        ctx["tasks"] = todo(user)
    if role == Role.SERVICE_DESK or role == Role.VENDOR_ENGINEER:
        ctx["tickets"] = open_tickets(contracts)
    elif role == Role.VENDOR_MANAGER:
        ctx["scores"] = _scores(contracts)
        ctx["tickets"] = open_tickets(contracts)
    elif role == Role.ASSESSOR:
        ctx["scores"] = _scores(contracts, with_items=True)
        ctx["overdue_payments"] = overdue_payments(contracts)
        ctx["overdue_explanations"] = explanations_overdue(contracts)
    elif role == Role.SUPERVISOR:
        ctx["scores"] = _scores(contracts)
    elif role == Role.RECIPIENT:
        ctx["tickets"] = open_tickets(contracts, unit=user.unit)
    return render(request, "opsqm/home.html", ctx)
