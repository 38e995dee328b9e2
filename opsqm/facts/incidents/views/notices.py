"""第二十一条's mail pages: system change notices (list, new, detail with each
recipient's server time and replies), and the incident's instruction and minutes mail."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.incidents import forms, mailing
from opsqm.facts.incidents.access import READERS, scoped_object
from opsqm.facts.incidents.models import ChangeNotice, Incident, NoticeMail
from opsqm.facts.incidents.views.common import A, _form_page, _role
from opsqm.infra.accounts.requests import AuthenticatedRequest
from opsqm.infra.core.access import require_role
from opsqm.infra.core.roles import BUREAU_ROLES
from opsqm.infra.core.viewkit import post_step, run_service


def visible_notices(user: Any) -> QuerySet[ChangeNotice]:
    """Bureau roles: every notice; vendor roles: those sent for their contracts."""
    return ChangeNotice.objects.filter(contracts__in=visible_contracts(user)).distinct()


def mail_rows(mails: QuerySet[NoticeMail]) -> list[dict[str, Any]]:
    """Each mail with its message (recipients, not-delivered state) and its replies."""
    rows = []
    for m in mails.select_related("contract__vendor", "outbound"):
        replies = list(m.replies.select_related("inbound"))
        for r in replies:
            r.reason_text = mailing.NOT_COUNTED.get(r.reason, r.reason)  # type: ignore[attr-defined]
        rows.append({"mail": m, "out": m.outbound, "replies": replies})
    return rows


@login_required
def change_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *READERS)
    from django.db.models import Prefetch

    # Only the reader's own contracts are named (another vendor's are not its business).
    mine = Prefetch("contracts", visible_contracts(request.user).order_by("code"))
    notices = visible_notices(request.user).prefetch_related(mine)
    return render(
        request,
        "incidents/changes.html",
        {"notices": notices, "can_write": _role(request) in mailing.WRITERS},
    )


@login_required
def change_create(request: AuthenticatedRequest) -> HttpResponse:
    require_role(request.user, *mailing.WRITERS)
    form = forms.ChangeNoticeForm(request.POST or None, contracts=visible_contracts(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            form, lambda: mailing.issue_change_notice(data, data["contracts"], request.user)
        )
        if saved is not None:
            messages.success(request, _("Change notice %(n)s sent.") % {"n": saved})
            return redirect("incidents:change", pk=saved.pk)
    intro = _(
        "第二十一条: the notice is mailed to the intranet O&M mailbox of each vendor "
        "concerned, a copy to its manager; the mail server's receive time and the "
        "vendors' replies are recorded."
    )
    return _form_page(request, form, _("New system change notice"), intro)


@login_required
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, *READERS)
    notice = get_object_or_404(visible_notices(request.user), pk=pk)
    mails = notice.mails.filter(contract__in=visible_contracts(request.user))
    return render(
        request,
        "incidents/change.html",
        {
            "notice": notice,
            "rows": mail_rows(mails),
            "bureau": _role(request) in BUREAU_ROLES,
        },
    )


@login_required
def incident_instruction(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    qs = Incident.objects.select_related("contract")
    inc = scoped_object(request.user, qs, pk, *mailing.WRITERS)
    form = forms.InstructionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        saved = run_service(form, lambda: mailing.send_instruction(inc, text, request.user))
        if saved is not None:
            messages.success(request, _("Instruction sent to the vendor's intranet mailbox."))
            return redirect("incidents:detail", pk=inc.pk)
    intro = _(
        "第二十一条: sent to the vendor's intranet O&M mailbox, a copy to its manager; "
        "the mail server's receive time is on the incident's timeline."
    )
    return _form_page(request, form, _("Emergency instruction, incident %(c)s") % {"c": inc}, intro)


@login_required
def incident_minutes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    inc = scoped_object(request.user, Incident.objects.select_related("contract"), pk, A)
    return post_step(
        request,
        lambda: mailing.send_minutes(inc, request.user),
        _("Minutes sent to the vendor's intranet mailbox."),
        reverse("incidents:detail", args=[inc.pk]),
    )
