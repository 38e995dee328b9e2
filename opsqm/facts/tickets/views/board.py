"""The lists: the desk's board (filters, search, the count capped, the awaiting
phone confirmation group), the engineer's and the recipient's lists, the "about to
cost points" list and the desk's refused-mail page."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.models import Unit
from opsqm.facts.tickets.access import DESK, RECIPIENT, VENDOR, is_desk, require, visible_tickets
from opsqm.facts.tickets.models import CLOSED_STATUSES, Ticket
from opsqm.facts.tickets.views.common import BOARD_ROLES, RISK_ROLES
from opsqm.facts.tickets.views.rows import ROW_VALUES, BoardRow, RowWriter
from opsqm.infra.accounts.models import User
from opsqm.infra.accounts.requests import AuthenticatedRequest
from opsqm.infra.core.roles import BUREAU_ROLES

PAGE_SIZE = 50
# Counted up to this many rows at most: the count of a filtered list costs a bounded
# index scan, never a pass over every ticket (docs/benchmarks.md); beyond it the
# board says "more than".
COUNT_CAP = 20_000
# The filter bar's contract and unit lists: per visibility scope, a minute at most
# (and dropped when a contract or unit changes, see `apps.py`).
FILTER_BAR_SECONDS = 60
FILTER_BAR_KEY = "tickets:filter-bar:{generation}:{scope}"
FILTER_BAR_GENERATION = "tickets:filter-bar:generation"


def _board_queryset(
    request: HttpRequest, base: Any, default_status: str = "all"
) -> tuple[Any, dict[str, str]]:
    g = request.GET
    f = {k: g.get(k, "") for k in ("contract", "status", "priority", "unit", "overdue", "q")}
    f["status"] = f["status"] or default_status
    qs = base
    if f["contract"].isdigit():
        qs = qs.filter(contract_id=int(f["contract"]))
    if f["status"] in Ticket.Status.values:
        qs = qs.filter(status=f["status"])
    elif f["status"] == "open":
        # The same predicate as the partial indexes `ticket_open_*` (models.py).
        qs = qs.exclude(status__in=CLOSED_STATUSES)
    if f["priority"] in Ticket.Priority.values:
        qs = qs.filter(priority=f["priority"])
    if f["unit"].isdigit():
        qs = qs.filter(unit_id=int(f["unit"]))
    if f["overdue"]:
        now = timezone.now()
        qs = qs.filter(
            Q(resolved_at__isnull=True, deadline__lt=now) | Q(resolved_at__gt=F("deadline"))
        )
    if q := f["q"].strip():
        qs = qs.filter(search_filter(q))
    qs = qs.order_by(F("deadline").asc(nulls_last=True), "id")
    return qs, f


def search_filter(q: str) -> Q:
    """The board's search: a work-order number or its beginning (`GD-2025-00`, any
    case) is looked up by number only, through the index on UPPER(number)
    (PostgreSQL, migration 0006); anything else is a number typed in full or a part of
    the title (a substring: no index serves it, docs/tickets.md)."""
    if _number_prefix_re(settings.MAIL_TICKET_PREFIX).fullmatch(q):
        return Q(number__istartswith=q)
    return Q(number__iexact=q) | Q(title__icontains=q)


@functools.lru_cache(maxsize=4)
def _number_prefix_re(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(prefix)}-[\d-]*", re.IGNORECASE)


class BoardPage:
    """One page of a list without a COUNT over the whole table: PAGE_SIZE + 1 rows
    tell whether there is a next page; the count is bounded by COUNT_CAP."""

    def __init__(self, qs: Any, number: str | None, now: datetime) -> None:
        try:
            self.number = max(1, int(number or 1))
        except ValueError:
            self.number = 1
        offset = (self.number - 1) * PAGE_SIZE
        rows = list(qs.values_list(*ROW_VALUES)[offset : offset + PAGE_SIZE + 1])
        if not rows and self.number > 1:  # past the end (a stale link): the first page
            self.number, offset = 1, 0
            rows = list(qs.values_list(*ROW_VALUES)[: PAGE_SIZE + 1])
        self.has_next = len(rows) > PAGE_SIZE
        self.object_list = [BoardRow._make(r) for r in rows[:PAGE_SIZE]]
        self.has_previous = self.number > 1
        self.has_other_pages = self.has_next or self.has_previous
        self.next_page_number = self.number + 1
        self.previous_page_number = self.number - 1
        if not self.has_next:
            self.count = offset + len(self.object_list)
            self.count_capped = False
        else:
            n = qs.order_by().values("pk")[: COUNT_CAP + 1].count()
            self.count_capped = n > COUNT_CAP
            self.count = min(n, COUNT_CAP)
        self.num_pages = None if self.count_capped else max(1, -(-self.count // PAGE_SIZE))
        self.rows_html = RowWriter(timezone.get_current_timezone(), now).rows(self.object_list)


def _list_page(
    request: HttpRequest,
    base: Any,
    template: str,
    title: str,
    default_status: str = "all",
    full_page: Callable[[dict[str, str]], dict[str, Any]] | None = None,
    **extra: Any,
) -> HttpResponse:
    """A list of tickets; `full_page(filters)` adds what only the whole page shows
    (the filter bar's lists, the desk's notices), not an htmx refresh of the rows."""
    qs, filters = _board_queryset(request, base, default_status)
    now = timezone.now()
    page = BoardPage(qs, request.GET.get("page"), now)
    params = request.GET.copy()
    params.pop("page", None)
    show_all = params.copy()
    show_all["status"] = "all"
    ctx = {
        "page": page,
        "tickets": page.object_list,
        "filters": filters,
        "params": params.urlencode(),
        "show_all_params": show_all.urlencode(),
        "title": title,
        "now": now,
        **extra,
    }
    # An htmx refresh of the rows (the filter bar's `hx-target`): the rows only, without
    # the filter bar's lists, the desk's notices or the page around them.
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "ticket-rows":
        return render(request, "tickets/_rows.html", ctx)
    ctx.update(
        statuses=Ticket.Status.choices,
        priorities=Ticket.Priority.choices,
        **(full_page(filters) if full_page else {}),
    )
    return render(request, template, ctx)


def _filter_bar_lists(user: User) -> dict[str, Any]:
    """The board's contract and unit choices as (value, `<option>`) pairs, cached briefly per
    visibility scope (the bureau's: every contract; a vendor's: its own).  A change of
    a contract or unit bumps the generation in the key (`clear_filter_bar_cache`)."""
    scope = "all" if user.role in BUREAU_ROLES else f"vendor:{user.vendor_id}"
    cache = caches["local"]  # per process: a query to a shared cache would cost what it saves
    generation = cache.get(FILTER_BAR_GENERATION, 0)
    key = FILTER_BAR_KEY.format(generation=generation, scope=scope)
    found: dict[str, Any] | None = cache.get(key)
    if found is None:
        contracts = visible_contracts(user)
        units = (
            Unit.objects.filter(contracts__in=contracts.values("pk"))
            .distinct()
            .order_by("name")
            .values_list("pk", "name")
        )
        found = {
            "contracts": _option_tags(list(contracts.order_by("code").values_list("pk", "code"))),
            "units": _option_tags(list(units)),
        }
        cache.set(key, found, FILTER_BAR_SECONDS)
    return found


def _option_tags(choices: list[tuple[int, str]]) -> list[tuple[str, str]]:
    """(value, `<option>`) of a select's choices, built in Python once per cached list:
    50 contracts and 50 units through the template language cost more than the rest
    of the filter bar."""
    return [
        (str(pk), format_html('<option value="{}">{}</option>', pk, label)) for pk, label in choices
    ]


def _options(tags: list[tuple[str, str]], selected: str) -> SafeString:
    """The `<option>`s, the selected one marked (every tag was built by `_option_tags`)."""
    return mark_safe(
        "".join(t.replace('">', '" selected>', 1) if v == selected else t for v, t in tags)
    )


def clear_filter_bar_cache(**_kwargs: Any) -> None:
    """Signal receiver (apps.py): a contract or unit changed; the cached lists go."""
    caches["local"].set(FILTER_BAR_GENERATION, time.time_ns(), None)


# The board's "awaiting phone confirmation" group shows this many, oldest first.
AWAITING_SHOWN = 20


class AwaitingRow(NamedTuple):
    """A row of the group, as its table shows it (field names are the lookups)."""

    pk: int
    number: str
    title: str
    contract__code: str
    unit__name: str | None
    original__reporter: str | None
    original__phone: str | None
    no_signature_reason: str
    no_signature_at: datetime | None
    deadline: datetime | None
    resolved_at: datetime | None
    late: bool = False


class AwaitingPhone:
    """The tickets whose engineer noted that the recipient cannot sign (第十条): the
    desk phones the recipient and records the confirmation.  Oldest note first; each
    with its reporter (whom to phone) and whether it was resolved within the deadline."""

    def __init__(self, tickets: Any) -> None:
        # Values, not model instances over four tables: half the Python a request.
        qs = (
            tickets.filter(status=Ticket.Status.AWAITING_PHONE)
            .order_by(F("no_signature_at").asc(nulls_first=True), "id")
            .values_list(*AwaitingRow._fields[:-1])
        )
        rows = list(qs[: AWAITING_SHOWN + 1])
        self.more = len(rows) > AWAITING_SHOWN
        self.rows = [
            AwaitingRow._make((*r, bool(r[-1] and r[-2] and r[-1] > r[-2])))
            for r in rows[:AWAITING_SHOWN]
        ]

    def __bool__(self) -> bool:
        return bool(self.rows)


@login_required
def board(request: AuthenticatedRequest) -> HttpResponse:
    """The desk's board (also the bureau's and the vendor's view of their tickets):
    open work by default, "any status" on request."""
    require(request.user, BOARD_ROLES)
    user = request.user

    def full_page(filters: dict[str, str]) -> dict[str, Any]:
        refused, awaiting, not_delivered = 0, None, []
        if is_desk(user):
            from opsqm.facts.tickets.mail_rules import undelivered_rows
            from opsqm.infra.mail.models import InboundMessage, ParseStatus

            refused = InboundMessage.objects.filter(status=ParseStatus.REFUSED).count()
            awaiting = AwaitingPhone(visible_tickets(user))
            not_delivered = undelivered_rows(visible_tickets(user))
        lists = _filter_bar_lists(user)
        return {
            "contract_options": _options(lists["contracts"], filters["contract"]),
            "unit_options": _options(lists["units"], filters["unit"]),
            "refused": refused,
            "awaiting": awaiting,
            "undelivered": not_delivered,
        }

    return _list_page(
        request,
        visible_tickets(user),
        "tickets/board.html",
        _("Work orders"),
        default_status="open",
        full_page=full_page,
        can_create=is_desk(user),
        list_url="tickets:board",
    )


@login_required
def mine(request: AuthenticatedRequest) -> HttpResponse:
    """The engineer's tickets: assigned to them, or not yet taken by anyone.  Open work
    first, by deadline (the list opens on the work not archived; archived work is the
    status filter's "any status" away)."""
    require(request.user, VENDOR)
    user = request.user
    base = visible_tickets(user).filter(Q(engineer=user) | Q(engineer__isnull=True))
    base = base.exclude(status__in=[Ticket.Status.REPORTED, Ticket.Status.PHONE_RESOLVED])
    return _list_page(
        request,
        base,
        "tickets/board.html",
        _("My work orders"),
        default_status="open",
        list_url="tickets:mine",
    )


@login_required
def unit_tickets(request: HttpRequest) -> HttpResponse:
    """The recipient's unit's tickets; those waiting for a signature first."""
    require(request.user, RECIPIENT)
    return _list_page(
        request,
        visible_tickets(request.user),
        "tickets/board.html",
        _("My unit's work orders"),
        list_url="tickets:unit",
    )


@login_required
def at_risk_page(request: HttpRequest) -> HttpResponse:
    """Tickets about to cost points, with the points the engine says they would cost."""
    require(request.user, RISK_ROLES)
    from opsqm.facts.tickets.costs import at_risk

    try:
        hours = max(1.0, min(72.0, float(request.GET.get("hours", "8"))))
    except ValueError:
        hours = 8.0
    risks = at_risk(visible_tickets(request.user), hours=hours)
    return render(request, "tickets/at_risk.html", {"risks": risks, "hours": hours})


@login_required
def refused_mail(request: HttpRequest) -> HttpResponse:
    """Inbound mail OpsQM refused, with the reasons: the desk follows it up."""
    require(request.user, DESK)
    from opsqm.infra.mail.models import InboundMessage, ParseStatus

    qs = InboundMessage.objects.filter(status=ParseStatus.REFUSED).order_by("-server_received_at")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tickets/refused.html", {"page": page})
