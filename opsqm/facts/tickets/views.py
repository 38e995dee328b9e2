"""Work-order pages: the desk's board and intake, the ticket page with its actions,
the engineer's and the recipient's lists, signing (login or one-time link), the
"about to cost points" list and the desk's refused-mail page.  Thin: every change
goes through `opsqm.facts.tickets.services`."""

from __future__ import annotations

import base64
import datetime
import functools
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opsqm.facts.contracts.models import Unit
from opsqm.facts.tickets import services
from opsqm.facts.tickets.access import (
    DESK,
    READERS,
    RECIPIENT,
    VENDOR,
    is_desk,
    is_recipient,
    is_vendor,
    require,
    visible_tickets,
)
from opsqm.facts.tickets.models import (
    CLOSED_STATUSES,
    Attachment,
    Event,
    Extension,
    Finding,
    Ticket,
)
from opsqm.infra.accounts.roles import BUREAU_ROLES, VENDOR_ROLES
from opsqm.infra.core.access import visible_contracts
from opsqm.infra.core.uploads import download_response
from opsqm.infra.mail import imap

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


# ----------------------------------------------------------------------- lists


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


# Only what the rows show (the ticket page loads the rest).
ROW_FIELDS = (
    "id",
    "number",
    "title",
    "priority",
    "status",
    "deadline",
    "resolved_at",
    "resolution_message_id",
    "contract_id",
    "contract__code",
    "unit_id",
    "unit__name",
)


class BoardPage:
    """One page of a list without a COUNT over the whole table: PAGE_SIZE + 1 rows
    tell whether there is a next page; the count is bounded by COUNT_CAP."""

    def __init__(self, qs: Any, number: str | None) -> None:
        try:
            self.number = max(1, int(number or 1))
        except ValueError:
            self.number = 1
        offset = (self.number - 1) * PAGE_SIZE
        rows = list(
            qs.select_related("contract", "unit").only(*ROW_FIELDS)[offset : offset + PAGE_SIZE + 1]
        )
        if not rows and self.number > 1:  # past the end (a stale link): the first page
            self.number, offset = 1, 0
            rows = list(qs.select_related("contract", "unit").only(*ROW_FIELDS)[: PAGE_SIZE + 1])
        # The labels once per page, not `get_…_display()` per row (a third of the
        # rendering time of a 50-row page).
        # The labels, links and local deadlines once per page in Python, not through
        # `get_…_display()`, `{% url %}` and `|date` per row: two thirds of the
        # rendering time of a 50-row page.
        statuses = {v: str(label) for v, label in Ticket.Status.choices}
        priorities = {v: str(label) for v, label in Ticket.Priority.choices}
        detail = reverse("tickets:detail", args=[0]).removesuffix("0/")
        tz = timezone.get_current_timezone()
        for t in rows:
            t.status_label = statuses.get(t.status, t.status)
            t.priority_label = priorities.get(t.priority, t.priority)
            t.url = f"{detail}{t.pk}/"
            t.deadline_text = (
                t.deadline.astimezone(tz).strftime("%Y-%m-%d %H:%M") if t.deadline else "—"
            )
        self.has_next = len(rows) > PAGE_SIZE
        self.object_list = rows[:PAGE_SIZE]
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
    page = BoardPage(qs, request.GET.get("page"))
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
        "now": timezone.now(),
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


def _filter_bar_lists(user: Any) -> dict[str, Any]:
    """The board's contract and unit choices as (pk, label) pairs, cached briefly per
    visibility scope (the bureau's: every contract; a vendor's: its own).  A change of
    a contract or unit bumps the generation in the key (`clear_filter_bar_cache`)."""
    scope = "all" if user.role in BUREAU_ROLES else f"vendor:{user.vendor_id}"
    generation = cache.get(FILTER_BAR_GENERATION, 0)
    key = FILTER_BAR_KEY.format(generation=generation, scope=scope)
    found: dict[str, Any] | None = cache.get(key)
    if found is None:
        contracts = visible_contracts(user)
        found = {
            "contracts": list(contracts.order_by("code").values_list("pk", "code")),
            "units": list(
                Unit.objects.filter(contracts__in=contracts.values("pk"))
                .distinct()
                .order_by("name")
                .values_list("pk", "name")
            ),
        }
        cache.set(key, found, FILTER_BAR_SECONDS)
    return found


def _options(choices: list[tuple[int, str]], selected: str) -> str:
    """`<option>`s of a select, built in Python: 50 contracts and 50 units through the
    template language cost more than the rest of the filter bar."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((pk, " selected" if str(pk) == selected else "", label) for pk, label in choices),
    )


def clear_filter_bar_cache(**_kwargs: Any) -> None:
    """Signal receiver (apps.py): a contract or unit changed; the cached lists go."""
    cache.set(FILTER_BAR_GENERATION, time.time_ns(), None)


# The board's "awaiting phone confirmation" group shows this many, oldest first.
AWAITING_SHOWN = 20


class AwaitingPhone:
    """The tickets whose engineer noted that the recipient cannot sign (第十条): the
    desk phones the recipient and records the confirmation.  Oldest note first; each
    with its reporter (whom to phone) and whether it was resolved within the deadline."""

    def __init__(self, tickets: Any) -> None:
        qs = (
            tickets.filter(status=Ticket.Status.AWAITING_PHONE)
            .select_related("contract", "unit", "original")
            .order_by(F("no_signature_at").asc(nulls_first=True), "id")
        )
        rows = list(qs[: AWAITING_SHOWN + 1])
        self.more = len(rows) > AWAITING_SHOWN
        self.rows = rows[:AWAITING_SHOWN]
        for t in self.rows:
            t.late = bool(t.resolved_at and t.deadline and t.resolved_at > t.deadline)

    def __bool__(self) -> bool:
        return bool(self.rows)


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The desk's board (also the bureau's and the vendor's view of their tickets):
    open work by default, "any status" on request."""
    require(request.user, BOARD_ROLES)
    user: Any = request.user

    def full_page(filters: dict[str, str]) -> dict[str, Any]:
        refused, awaiting = 0, None
        if is_desk(user):
            from opsqm.infra.mail.models import InboundMessage, ParseStatus

            refused = InboundMessage.objects.filter(status=ParseStatus.REFUSED).count()
            awaiting = AwaitingPhone(visible_tickets(user))
        lists = _filter_bar_lists(user)
        return {
            "contract_options": _options(lists["contracts"], filters["contract"]),
            "unit_options": _options(lists["units"], filters["unit"]),
            "refused": refused,
            "awaiting": awaiting,
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
def mine(request: HttpRequest) -> HttpResponse:
    """The engineer's tickets: assigned to them, or not yet taken by anyone.  Open work
    first, by deadline (the list opens on the work not archived; archived work is the
    status filter's "any status" away)."""
    require(request.user, VENDOR)
    user: Any = request.user
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


# ----------------------------------------------------------------------- intake


def _registration_page(
    request: HttpRequest,
    template: str,
    register: Callable[[HttpRequest, Any], Ticket],
    done: str,
    **extra: Any,
) -> HttpResponse:
    """The desk's form that opens a ticket (a user's report, a security report):
    `register(request, contract)` calls the service; `done` names the new number."""
    require(request.user, DESK)
    contracts = visible_contracts(request.user).order_by("code").prefetch_related("units")
    errors: dict[str, Any] = {}
    if request.method == "POST":
        try:
            contract = get_object_or_404(contracts, pk=request.POST.get("contract") or 0)
            ticket = register(request, contract)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            messages.success(request, done % {"n": ticket.number})
            return redirect("tickets:detail", pk=ticket.pk)
    return render(
        request,
        template,
        {
            "contracts": contracts,
            "errors": errors,
            "data": request.POST,
            "priorities": Ticket.Priority.choices,
            **extra,
        },
    )


def _record_intake(request: HttpRequest, contract: Any) -> Ticket:
    p = request.POST
    return services.record_intake(
        contract,
        user=request.user,
        reporter=p.get("reporter", ""),
        description=p.get("description", ""),
        reported_at=parse_dt(p.get("reported_at")),
        unit=Unit.objects.filter(pk=p.get("unit") or 0).first(),
        phone=p.get("phone", ""),
        system=p.get("system", ""),
        title=p.get("title", ""),
        priority=p.get("priority", ""),  # no default: the desk chooses
        attachments=request.FILES.getlist("attachments"),
    )


def _register_security_report(request: HttpRequest, contract: Any) -> Ticket:
    p = request.POST
    findings = [
        (d, s)
        for d, s in zip(p.getlist("finding"), p.getlist("severity"), strict=False)
        if d.strip()
    ]
    report = request.FILES.get("report")
    if report is None:
        raise ValidationError({"report": _("Attach the report.")})
    return services.register_security_report(
        contract,
        user=request.user,
        title=p.get("title", ""),
        report=report,
        findings=findings,
        unit=Unit.objects.filter(pk=p.get("unit") or 0).first(),
        priority=p.get("priority", ""),  # no default: the desk chooses
    )


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    return _registration_page(
        request, "tickets/intake.html", _record_intake, _("Report recorded as %(n)s.")
    )


@login_required
@require_http_methods(["GET", "POST"])
def security_intake(request: HttpRequest) -> HttpResponse:
    return _registration_page(
        request,
        "tickets/security_intake.html",
        _register_security_report,
        _("Report registered as %(n)s."),
        severities=Finding.Severity.choices,
        rows=_finding_rows(request),
    )


def _finding_rows(request: HttpRequest) -> list[tuple[str, str]]:
    """The findings' rows: what was typed (a refused form comes back filled in), then
    empty rows up to five."""
    typed = list(
        zip(request.POST.getlist("finding"), request.POST.getlist("severity"), strict=False)
    )
    typed = [(d, s) for d, s in typed if d.strip()]
    return typed + [("", "medium")] * max(1, 5 - len(typed))


# ----------------------------------------------------------------------- the ticket


def _ticket_for(request: HttpRequest, pk: int) -> Ticket:
    require(request.user, READERS)
    return get_object_or_404(
        visible_tickets(request.user).select_related(
            "contract__vendor", "unit", "engineer", "original", "dispatch_message"
        ),
        pk=pk,
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
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
    user: Any = request.user
    now = timezone.now()
    ctx = {
        "t": ticket,
        "events": ticket.events.all(),
        "attachments": ticket.attachments.all(),
        "calls": ticket.calls.all(),  # shown (and read) only before dispatch
        "extensions": ticket.extensions.all(),
        "findings": ticket.findings.all(),
        "phone_deadline": services.phone_deadline(ticket),
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
        "sign_link": request.session.pop(f"sign_link_{ticket.pk}", ""),
        "draft": _draft(request, ticket),
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


# ----------------------------------------------------------------------- actions


def _keep_draft(request: HttpRequest, ticket: Ticket) -> None:
    """What a refused form held (a file type refused, a field missing): the ticket page
    shows it again in that form, so nothing typed is lost.  Files cannot come back:
    the message names the refused one."""
    match = request.resolver_match
    name = match.url_name if match else ""
    fields = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    request.session[f"ticket_draft_{ticket.pk}"] = {"form": name, "fields": fields}


def _draft(request: HttpRequest, ticket: Ticket) -> dict[str, dict[str, str]]:
    """{form name: its fields} for the form refused last, once."""
    kept = request.session.pop(f"ticket_draft_{ticket.pk}", None) or {}
    return {str(kept["form"]): dict(kept["fields"])} if kept.get("form") else {}

Action = Callable[[HttpRequest, Ticket], Any]


def _action(roles: frozenset[str], run: Action, done: str) -> Callable[..., HttpResponse]:
    """A POST-only ticket action: wrong role 403, out of scope 404, GET 405."""

    @login_required
    def view(request: HttpRequest, pk: int, **kw: Any) -> HttpResponse:
        require(request.user, roles)
        ticket = _ticket_for(request, pk)
        request.ticket_kwargs = kw  # type: ignore[attr-defined]
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            run(request, ticket)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            _keep_draft(request, ticket)
        else:
            messages.success(request, done)
        return redirect("tickets:detail", pk=ticket.pk)

    return view


def _p(request: HttpRequest, name: str) -> str:
    return str(request.POST.get(name, ""))


def _vendor_call(request: HttpRequest, t: Ticket) -> Any:
    return services.log_vendor_call(
        t,
        user=request.user,
        called_at=parse_dt(_p(request, "called_at")) or timezone.now(),
        person=_p(request, "person"),
        outcome=_p(request, "outcome"),
    )


def _work(request: HttpRequest, t: Ticket) -> Any:
    files = [(_p(request, "attachment_kind") or "other", f) for f in request.FILES.getlist("files")]
    return services.record_work(
        t,
        user=request.user,
        analysis=_p(request, "analysis"),
        steps=_p(request, "steps"),
        verification=_p(request, "verification"),
        attachments=files,
    )


def _form_upload(request: HttpRequest, t: Ticket) -> Any:
    f = request.FILES.get("form")
    if f is None:
        raise ValidationError(_("Choose a file."))
    return services.upload_external_form(t, user=request.user, upload=f)


def _extension(request: HttpRequest, t: Ticket) -> Any:
    to = parse_dt(_p(request, "requested_to"))
    if to is None:
        raise ValidationError(_("Give the new deadline."))
    return services.request_extension(
        t, user=request.user, requested_to=to, reason=_p(request, "reason")
    )


def _extension_decide(request: HttpRequest, t: Ticket) -> Any:
    ext = get_object_or_404(Extension, pk=request.ticket_kwargs["ext"], ticket=t)  # type: ignore[attr-defined]
    return services.decide_extension(
        ext,
        user=request.user,
        agree=_p(request, "decision") == "agree",
        agreed_to=parse_dt(_p(request, "agreed_to")),
        note=_p(request, "note"),
    )


def _finding_close(request: HttpRequest, t: Ticket) -> Any:
    f = get_object_or_404(Finding, pk=request.ticket_kwargs["finding"], ticket=t)  # type: ignore[attr-defined]
    return services.close_finding(
        f, user=request.user, evidence=request.FILES.get("evidence"), note=_p(request, "note")
    )


def _no_signature(request: HttpRequest, t: Ticket) -> Any:
    return services.record_no_signature(
        t,
        user=request.user,
        reason=_p(request, "reason"),
        evidence=request.FILES.getlist("evidence"),
    )


def _phone_confirm(request: HttpRequest, t: Ticket) -> Any:
    return services.confirm_by_phone(
        t,
        user=request.user,
        called_at=parse_dt(_p(request, "called_at")) or timezone.now(),
        person=_p(request, "person"),
        outcome=_p(request, "outcome"),
        satisfaction=_p(request, "satisfaction"),
    )


def _sign_link(request: HttpRequest, t: Ticket) -> Any:
    token = services.create_sign_link(t, user=request.user)
    url = request.build_absolute_uri(reverse("tickets:sign_token", args=[token]))
    request.session[f"sign_link_{t.pk}"] = url
    return url


vendor_call = _action(DESK, _vendor_call, _("Call recorded."))
phone_resolve = _action(
    DESK,
    lambda r, t: services.close_by_phone(t, user=r.user, note=_p(r, "note")),
    _("Closed: resolved by phone, no work order."),
)
dispatch = _action(
    DESK,
    lambda r, t: services.dispatch(t, user=r.user, priority=_p(r, "priority") or None),
    _("Work order mailed; the dispatch time is the mail server's receive time."),
)
acknowledge = _action(VENDOR, lambda r, t: services.acknowledge(t, user=r.user), _("Acknowledged."))
work = _action(VENDOR, _work, _("Ticket form saved."))
form_upload = _action(VENDOR, _form_upload, _("Form uploaded."))
extension_request = _action(VENDOR, _extension, _("Extension requested from the recipient."))
extension_decide = _action(RECIPIENT, _extension_decide, _("Decision recorded."))
finding_close = _action(VENDOR, _finding_close, _("Finding closed."))
resolve = _action(
    VENDOR, lambda r, t: services.resolve(t, user=r.user), _("Resolution mailed to the desk.")
)
no_signature = _action(
    VENDOR, _no_signature, _("Noted: the desk is notified by mail and will phone the recipient.")
)
phone_confirm = _action(DESK, _phone_confirm, _("Confirmation recorded."))
sign_link = _action(DESK, _sign_link, _("One-time signing link created."))
improper = _action(
    DESK,
    lambda r, t: services.mark_improper_archive(t, user=r.user, reason=_p(r, "reason")),
    _("Marked as archived improperly."),
)


# ----------------------------------------------------------------------- signing


def _png_from_data_url(value: str) -> bytes:
    prefix = "data:image/png;base64,"
    if not value.startswith(prefix):
        raise ValidationError({"signature": _("Draw your signature.")})
    try:
        return base64.b64decode(value[len(prefix) :], validate=True)
    except ValueError as exc:
        raise ValidationError({"signature": _("Draw your signature.")}) from exc


def _signing_page(
    request: HttpRequest,
    ticket: Ticket,
    submit: Callable[[bytes, str, str], Any],
    done: Callable[[], HttpResponse],
    **extra: Any,
) -> HttpResponse:
    """The signature pad and the rating; `submit(png, satisfaction, signer_name)`
    calls the service, `done()` answers a signature that was taken."""
    error = ""
    if request.method == "POST":
        try:
            submit(
                _png_from_data_url(_p(request, "signature")),
                _p(request, "satisfaction"),
                _p(request, "signer_name"),
            )
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            return done()
    ctx = {"t": ticket, "error": error, "satisfactions": Ticket.Satisfaction.choices}
    return render(request, "tickets/sign.html", {**ctx, **extra})


@login_required
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The recipient signs on a phone or tablet, through their login."""
    require(request.user, RECIPIENT)
    ticket = _ticket_for(request, pk)
    user: Any = request.user

    def submit(png: bytes, satisfaction: str, signer_name: str) -> Any:
        return services.sign(
            ticket,
            png=png,
            satisfaction=satisfaction,
            signer_name=signer_name or user.display_name,
            user=user,
            via="login",
        )

    def done() -> HttpResponse:
        messages.success(request, _("Thank you: signed and rated."))
        return redirect("tickets:detail", pk=ticket.pk)

    return _signing_page(request, ticket, submit, done, default_name=user.display_name)


@require_http_methods(["GET", "POST"])
def sign_token(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time link: no login; valid once, until it expires."""
    try:
        link = services.sign_link_for(token)
    except ValidationError as exc:
        return render(request, "tickets/sign_done.html", {"error": _error_text(exc)}, status=404)

    def submit(png: bytes, satisfaction: str, signer_name: str) -> Any:
        return services.sign_with_link(
            token, png=png, satisfaction=satisfaction, signer_name=signer_name
        )

    def done() -> HttpResponse:
        return render(request, "tickets/sign_done.html", {"t": link.ticket})

    return _signing_page(request, link.ticket, submit, done, anonymous=True)
