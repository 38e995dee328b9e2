"""Home page: what each role needs first."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.derived.ledger.services import safe_ledger
from opsqm.derived.payments.services import overdue_payments
from opsqm.edges.home.todo import tasks
from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.incidents.remedies import explanations_overdue
from opsqm.infra.accounts.models import User
from opsqm.infra.accounts.requests import AuthenticatedRequest
from opsqm.infra.core.roles import ADMIN_ROLES, Role

OPEN_TICKETS_SHOWN = 50
QUEUE_SHOWN = 10
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


def _queues(user: User, contracts: Any) -> list[dict[str, Any]]:
    """The role's own next steps in the work-order flow, each a short list with a link
    to the board filtered to it: what the desk must phone, what the engineer must
    acknowledge, what the recipient must sign."""
    from opsqm.facts.tickets.models import Ticket

    S = Ticket.Status
    # (status, heading, the instant the ticket has waited since)
    queues: dict[str, list[tuple[str, str, str]]] = {
        Role.SERVICE_DESK: [
            (S.REPORTED, _("Reports to phone the vendor about or dispatch"), "created_at"),
            (S.AWAITING_PHONE, _("Recipients to phone for their confirmation"), "no_signature_at"),
        ],
        Role.VENDOR_ENGINEER: [(S.DISPATCHED, _("Work orders to acknowledge"), "dispatched_at")],
        Role.RECIPIENT: [(S.RESOLVED, _("Work orders awaiting your signature"), "resolved_at")],
    }
    wanted = queues.get(user.role, [])
    board: dict[str, str] = {Role.VENDOR_ENGINEER: "tickets:mine", Role.RECIPIENT: "tickets:unit"}
    board_url = _link(board.get(user.role, "tickets:board"))
    qs = Ticket.objects.filter(contract__in=contracts).select_related("contract", "unit")
    if user.role == Role.RECIPIENT:
        qs = qs.filter(unit=user.unit)
    out = []
    for status, title, since in wanted:
        mine = qs.filter(status=status).order_by(since, "number")
        out.append(
            {
                "status": status,
                "title": title,
                "count": mine.count(),
                "rows": [{"t": t, "since": getattr(t, since)} for t in mine[:QUEUE_SHOWN]],
                "more": f"{board_url}?status={status}" if board_url else None,
            }
        )
    return out


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
        return render(request, "opsqm/home_admin.html", ctx)
    contracts = visible_contracts(user)
    if role in (Role.SERVICE_DESK, Role.VENDOR_ENGINEER, Role.RECIPIENT):
        ctx["queues"] = _queues(user, contracts)
    if role == Role.SERVICE_DESK or role == Role.VENDOR_ENGINEER:
        ctx["tickets"] = open_tickets(contracts)
    elif role == Role.VENDOR_MANAGER:
        ctx["scores"] = _scores(contracts)
        ctx["tickets"] = open_tickets(contracts)
    elif role == Role.ASSESSOR:
        ctx["tasks"] = tasks(role, contracts)
        ctx["scores"] = _scores(contracts, with_items=True)
        ctx["overdue_payments"] = overdue_payments(contracts)
        ctx["overdue_explanations"] = explanations_overdue(contracts)
    elif role == Role.SUPERVISOR:
        ctx["tasks"] = tasks(role, contracts)
        ctx["scores"] = _scores(contracts)
    elif role == Role.RECIPIENT:
        ctx["tickets"] = open_tickets(contracts, unit=user.unit)
    return render(request, "opsqm/home.html", ctx)
