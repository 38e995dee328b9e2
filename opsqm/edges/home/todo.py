"""The assessor's and the supervisor's next steps on the home page: each a count,
the first few items with their own link, and a link to the page that lists them all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
    key: str, title: str, qs: QuerySet[Any], row: Callable[[Any], dict[str, Any]], more: str
) -> dict[str, Any]:
    items = list(qs[:SHOWN])
    return {
        "key": key,
        "title": title,
        "count": qs.count() if len(items) == SHOWN else len(items),
        "rows": [row(i) for i in items],
        "more": more,
    }


def _pending_determinations(contracts: Any) -> dict[str, Any]:
    from opsqm.facts.incidents.models import Incident

    qs = Incident.objects.filter(contract__in=contracts, level__isnull=True).select_related(
        "contract"
    )
    return _task(
        "determinations",
        _("Incidents awaiting determination"),
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
    qs = contracts.filter(wanted).select_related("vendor").order_by("end", "code")
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
    """The next steps of the assessor or the supervisor over `contracts`."""
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
