"""Each role's next steps: the home page's to-do lists and the in-app inbox
(opsqm.edges.home.inbox) are both read from `todo(user)`, one source of items.

A section is a count, the first few items with their own link, and a link to the
page that lists them all.  Every item has an `id` that names the object and the step
it waits at (`ticket-dispatched:42:dispatched`), which the inbox keeps read/unread by."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.infra.core.roles import Role

SHOWN = 10


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # an optional app is not installed
        return ""


def _task(
    key: str,
    title: str,
    qs: QuerySet[Any],
    row: Callable[[Any], dict[str, Any]],
    more: str,
    ident: Callable[[Any], Any] = lambda obj: obj.pk,
) -> dict[str, Any]:
    items = list(qs[:SHOWN])
    return {
        "key": key,
        "title": title,
        # one query when the list fits, a second only when there are more
        "count": qs.count() if len(items) == SHOWN else len(items),
        "rows": [{**row(i), "id": f"{key}:{ident(i)}"} for i in items],
        "more": more,
    }


def _pending_determinations(
    contracts: Any, key: str = "determinations", title: str = ""
) -> dict[str, Any]:
    from opsqm.facts.incidents.models import Incident

    qs = Incident.objects.filter(contract__in=contracts, level__isnull=True).select_related(
        "contract"
    )
    return _task(
        key,
        title or _("Incidents awaiting determination"),
        qs.order_by("occurred_at", "pk"),
        lambda i: {
            "label": i.code,
            "text": i.title,
            "note": i.contract.code,
            "at": i.occurred_at,
            "url": _url("incidents:detail", i.pk),
        },
        _url("incidents:list"),
    )


def _people_to_match(contracts: Any) -> dict[str, Any]:
    from opsqm.facts.attendance.models import UnmatchedPerson

    qs = UnmatchedPerson.objects.filter(state=UnmatchedPerson.State.OPEN).filter(
        Q(batch__contract__in=contracts) | Q(batch__contract__isnull=True)
    )
    return _task(
        "unmatched",
        _("DingTalk people to match"),
        qs.select_related("batch").order_by("batch_id", "pk"),
        lambda p: {
            "label": p.name or p.job_number or p.user_id,
            "text": p.job_number,
            "note": "",
            "at": p.first_at,
            "url": _url("attendance:import_detail", p.batch_id),
        },
        _url("attendance:imports"),
    )


def _makeup_punches(contracts: Any) -> dict[str, Any]:
    from opsqm.facts.staff.models import Punch, PunchKind

    qs = Punch.objects.filter(
        person__contract__in=contracts, kind=PunchKind.MAKEUP, confirmed=False
    ).select_related("person", "person__contract")
    tz = timezone.get_current_timezone()
    return _task(
        "makeup",
        _("Makeup punches (补卡) to confirm"),
        qs.order_by("at", "pk"),
        lambda p: {
            "label": str(p.person),
            "text": "",
            "note": p.person.contract.code,
            "at": p.at,
            "url": _url("attendance:day", p.person_id, p.at.astimezone(tz).date().isoformat()),
        },
        _url("attendance:index"),
    )


def _deliverables(contracts: Any, states: tuple[str, ...], key: str, title: str) -> dict[str, Any]:
    from opsqm.derived.acceptance.models import Deliverable

    qs = Deliverable.objects.filter(contract__in=contracts, state__in=states)
    if key == "late_deliverables":
        # the assessor's concern: owed documents past their due date
        qs = qs.filter(due__lt=timezone.localdate())
    return _task(
        key,
        title,
        qs.select_related("contract").order_by("due", "pk"),
        lambda d: {
            "label": str(d),
            "text": d.get_state_display(),
            "note": d.contract.code,
            "at": d.due,
            "url": _url("acceptance:deliverable", d.pk),
        },
        _url("acceptance:index"),
    )


def _settlements(contracts: Any, key: str, title: str, wanted: Q) -> dict[str, Any]:
    qs = contracts.filter(wanted).select_related("vendor", "settlement").order_by("end", "code")
    return _task(
        key,
        title,
        qs,
        lambda c: {
            "label": c.code,
            "text": c.title,
            "note": c.vendor.name,
            "at": c.end,
            "url": _url("settlement:detail", c.code),
        },
        _url("settlement:index"),
        # a settlement the supervisor returned is a new step for the assessor
        ident=lambda c: f"{c.pk}:{_settlement_status(c)}",
    )


def _settlement_status(contract: Any) -> str:
    try:
        return str(contract.settlement.status)
    except ObjectDoesNotExist:
        return "none"


def _rectifications(contracts: Any) -> dict[str, Any]:
    from opsqm.facts.incidents.models import RectificationNotice

    qs = RectificationNotice.objects.filter(
        contract__in=contracts, status=RectificationNotice.Status.OPEN
    ).select_related("contract")
    return _task(
        "rectifications",
        _("Rectification notices to answer"),
        qs.order_by("due", "pk"),
        lambda r: {
            "label": r.code,
            "text": r.subject,
            "note": r.contract.code,
            "at": r.due,
            "url": _url("incidents:rectification", r.pk),
        },
        _url("incidents:rectifications"),
    )


def _applications(contracts: Any) -> dict[str, Any]:
    qs = contracts.filter(acceptance__state="applied").select_related("vendor")
    return _task(
        "applications",
        _("Acceptance applications to review"),
        qs.order_by("acceptance__applied_at", "code"),
        lambda c: {
            "label": c.code,
            "text": c.title,
            "note": c.vendor.name,
            "at": c.acceptance.applied_at,
            "url": _url("acceptance:detail", c.code),
        },
        _url("acceptance:index"),
    )


def tasks(role: str, contracts: Any) -> list[dict[str, Any]]:
    """The next steps of the assessor, the supervisor or the vendor's manager over
    `contracts`."""
    if role == Role.ASSESSOR:
        # A settlement to prepare: none drafted once the service period is over,
        # or a draft / one the supervisor returned.
        to_prepare = Q(settlement__isnull=True, end__lt=timezone.localdate()) | Q(
            settlement__status__in=("draft", "returned")
        )
        return [
            _pending_determinations(contracts),
            _people_to_match(contracts),
            _makeup_punches(contracts),
            _deliverables(
                contracts,
                ("missing", "uploaded", "returned"),
                "late_deliverables",
                _("Deliverables overdue"),
            ),
            _settlements(contracts, "settlements", _("Settlements to prepare"), to_prepare),
        ]
    if role == Role.VENDOR_MANAGER:
        return [
            _pending_determinations(
                contracts, "join_determinations", _("Determinations to join (第十四条)")
            ),
            _rectifications(contracts),
        ]
    if role == Role.SUPERVISOR:
        return [
            _settlements(
                contracts,
                "settlements",
                _("Settlements to review"),
                Q(settlement__status="in_review"),
            ),
            _applications(contracts),
            _deliverables(contracts, ("under_review",), "documents", _("Documents to check")),
        ]
    return []


# The work-order flow's queues: (status, heading, the instant the ticket has waited since)
def _queue_specs() -> dict[str, list[tuple[str, str, str]]]:
    from opsqm.facts.tickets.models import Ticket

    S = Ticket.Status
    return {
        Role.SERVICE_DESK: [
            (S.REPORTED, _("Reports to phone the vendor about or dispatch"), "created_at"),
            (S.AWAITING_PHONE, _("Recipients to phone for their confirmation"), "no_signature_at"),
        ],
        Role.VENDOR_ENGINEER: [(S.DISPATCHED, _("Work orders to acknowledge"), "dispatched_at")],
        Role.RECIPIENT: [(S.RESOLVED, _("Work orders awaiting your signature"), "resolved_at")],
    }


BOARDS = {Role.VENDOR_ENGINEER: "tickets:mine", Role.RECIPIENT: "tickets:unit"}


def _ticket_row(t: Any, since: str) -> dict[str, Any]:
    return {
        "t": t,
        "since": getattr(t, since),
        "label": t.number,
        "text": t.title or t.get_status_display(),
        "note": t.unit.name if t.unit else "",
        "at": getattr(t, since),
        "url": _url("tickets:detail", t.pk),
    }


def _ticket_ident(t: Any, status: str) -> str:
    return f"{t.pk}:{status}"


def queues(user: Any, contracts: Any) -> list[dict[str, Any]]:
    """The role's own next steps in the work-order flow, each a short list with a link
    to the board filtered to it: what the desk must phone, what the engineer must
    acknowledge, what the recipient must sign."""
    from opsqm.facts.tickets.models import Ticket

    board_url = _url(BOARDS.get(user.role, "tickets:board"))
    qs = Ticket.objects.filter(contract__in=contracts).select_related("contract", "unit")
    if user.role == Role.RECIPIENT:
        qs = qs.filter(unit=user.unit)
    out = []
    for status, title, since in _queue_specs().get(user.role, []):
        section = _task(
            f"ticket-{status}",
            title,
            qs.filter(status=status).order_by(since, "number"),
            partial(_ticket_row, since=since),
            f"{board_url}?status={status}" if board_url else "",
            ident=partial(_ticket_ident, status=status),
        )
        section["status"] = status
        out.append(section)
    return out


def _admin_requests(user: Any) -> dict[str, Any]:
    """三员: the requests a second administrator must decide; never one's own."""
    from opsqm.infra.accounts.approvals import pending

    qs = pending().exclude(requested_by=user).exclude(target=user)
    return _task(
        "admin_requests",
        _("Administrator requests to decide"),
        qs.order_by("requested_at", "pk"),
        lambda r: {
            "label": r.username,
            "text": r.get_kind_display(),
            "note": r.requested_by.username,
            "at": r.requested_at,
            "url": _url("accounts:requests"),
        },
        _url("accounts:requests"),
    )


QUEUE_ROLES = (Role.SERVICE_DESK, Role.VENDOR_ENGINEER, Role.RECIPIENT)
TASK_ROLES = (Role.ASSESSOR, Role.SUPERVISOR, Role.VENDOR_MANAGER)


def todo(user: Any) -> list[dict[str, Any]]:
    """Everything waiting for `user` now, as the home page and the inbox show it."""
    from opsqm.facts.contracts.access import visible_contracts
    from opsqm.infra.accounts.approvals import DECIDERS

    if user.role in DECIDERS:
        return [_admin_requests(user)]
    if user.role in QUEUE_ROLES:
        return queues(user, visible_contracts(user))
    if user.role in TASK_ROLES:
        return tasks(user.role, visible_contracts(user))
    return []
