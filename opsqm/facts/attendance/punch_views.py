"""Confirming or withdrawing a makeup punch (补卡) from the day view."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.facts.attendance.makeup import confirm_makeup_punch, may_confirm
from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.staff.models import Punch
from opsqm.infra.core.viewkit import post_step, require_business


def _day_url(punch: Punch) -> str:
    day = timezone.localtime(punch.at).date().isoformat()
    return reverse("attendance:day", args=[punch.person_id, day])


def _set(request: HttpRequest, pk: int, confirmed: bool) -> HttpResponse:
    require_business(request.user)
    punch = get_object_or_404(
        Punch.objects.select_related("person__contract"),
        pk=pk,
        person__contract__in=visible_contracts(request.user),
    )
    if not may_confirm(request.user, punch):
        raise PermissionDenied
    ok = _("Makeup punch confirmed.") if confirmed else _("Confirmation withdrawn.")
    return post_step(
        request,
        lambda: confirm_makeup_punch(punch, request.user, confirmed=confirmed),
        ok,
        _day_url(punch),
    )


@login_required
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _set(request, pk, True)


@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _set(request, pk, False)
