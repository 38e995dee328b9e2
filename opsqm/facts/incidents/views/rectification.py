"""Rectification notices (合同 六(一)2): issued, answered, verified."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.facts.incidents import forms, services
from opsqm.facts.incidents import rectification as mailing
from opsqm.facts.incidents.access import READERS, VENDOR_SIDE, contract_param, scoped, scoped_object
from opsqm.facts.incidents.models import RectificationNotice
from opsqm.facts.incidents.views.common import A, _contract_filter, _form_page, _role, _serve_file
from opsqm.facts.incidents.views.notices import mail_rows
from opsqm.infra.accounts.requests import AuthenticatedRequest
from opsqm.infra.core.access import require_role
from opsqm.infra.core.viewkit import run_service
from opsqm.pure.assessment.model import TZ


@login_required
def rectification_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *READERS)
    qs = scoped(request.user, RectificationNotice.objects.select_related("contract"))
    qs, contracts, contract = _contract_filter(request, qs)
    today = timezone.now().astimezone(TZ).date()
    rows = [{"n": n, "overdue": n.overdue(today)} for n in qs]
    return render(
        request,
        "incidents/rectifications.html",
        {
            "rows": rows,
            "contracts": contracts,
            "contract": contract,
            "can_edit": _role(request) == A,
        },
    )


@login_required
def rectification_create(request: AuthenticatedRequest) -> HttpResponse:
    require_role(request.user, A)
    contract = contract_param(request.user, request.GET.get("contract"))
    form = forms.RectificationForm(
        request.POST or None,
        request.FILES or None,
        instance=RectificationNotice(contract=contract),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = run_service(form, lambda: _issue(contract, d, request.user))
        if saved is not None:
            messages.success(request, _("Rectification notice %(c)s issued.") % {"c": saved})
            return redirect("incidents:rectification", pk=saved.pk)
    intro = _(
        "合同 六(一)2: the vendor rectifies within 5 days of receiving the notice. A notice "
        "sent by intranet mail is received at the mail server's receive time; a notice "
        "handed over on paper, on the day you give."
    )
    return _form_page(
        request, form, _("New rectification notice, %(c)s") % {"c": contract.code}, intro
    )


def _issue(contract: Any, d: dict[str, Any], user: Any) -> RectificationNotice:
    """By mail (the server's time starts the 5 days), linked to a mail sent otherwise,
    or on paper (the day given)."""
    track = d.get("track_delivery", False)
    if d.get("send_mail"):
        return mailing.send_rectification(contract, d, user, track_delivery=track)
    with transaction.atomic():
        if d.get("message_id"):
            notice = services.issue_rectification(contract, d, user, track_delivery=track)
            return mailing.link_rectification_mail(notice, d["message_id"], user)
        return services.issue_rectification(contract, d, user, track_delivery=track)


@login_required
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    n = scoped_object(
        request.user, RectificationNotice.objects.select_related("contract", "mail"), pk
    )
    today = timezone.now().astimezone(TZ).date()
    import datetime

    deadline = None
    if n.due is not None:
        deadline = datetime.datetime.combine(
            n.due + datetime.timedelta(days=1), datetime.time(0), TZ
        )
    return render(
        request,
        "incidents/rectification.html",
        {
            "n": n,
            "overdue": n.overdue(today),
            "deadline": deadline,
            "respond_form": forms.RespondForm() if _role(request) in VENDOR_SIDE else None,
            "verify_form": forms.VerifyForm() if _role(request) == A else None,
            "mails": mail_rows(n.mails.all()),
        },
    )


@login_required
def rectification_mail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Link a notice to the mail that delivered it (its server time becomes the start
    of the 5 days)."""
    n = scoped_object(request.user, RectificationNotice.objects.all(), pk, A)
    form = forms.MailLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        message_id = form.cleaned_data["message_id"]
        saved = run_service(
            form, lambda: mailing.link_rectification_mail(n, message_id, request.user)
        )
        if saved is not None:
            messages.success(request, _("The notice is linked to its mail."))
            return redirect("incidents:rectification", pk=n.pk)
    intro = _("第二十一条三: the mail server's receive time of that mail is the receipt.")
    return _form_page(request, form, _("Rectification %(c)s: delivering mail") % {"c": n}, intro)


@login_required
def rectification_respond(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    n = scoped_object(request.user, RectificationNotice.objects.all(), pk, *VENDOR_SIDE)
    form = forms.RespondForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = run_service(form, lambda: services.respond_rectification(n, d, request.user))
        if saved is not None:
            messages.success(request, _("Response recorded."))
            return redirect("incidents:rectification", pk=n.pk)
    return _form_page(request, form, _("Rectification %(c)s: response") % {"c": n})


@login_required
def rectification_verify(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    n = scoped_object(request.user, RectificationNotice.objects.all(), pk, A)
    form = forms.VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = run_service(
            form,
            lambda: services.verify_rectification(
                n, d["decision"] == "accept", d["verification_note"], request.user
            ),
        )
        if saved is not None:
            messages.success(request, _("Verification recorded."))
            return redirect("incidents:rectification", pk=n.pk)
    return _form_page(request, form, _("Rectification %(c)s: verification") % {"c": n})


@login_required
def rectification_file(request: HttpRequest, pk: int, field: str) -> FileResponse:
    fields = ("notice_file", "response_file")
    return _serve_file(request, RectificationNotice.objects.all(), pk, field, fields)
