"""合同 六(二)1: the staff list the vendor submits, beside the staff register."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from opsqm.facts.incidents import forms
from opsqm.facts.incidents.access import VENDOR_SIDE, scoped_object
from opsqm.facts.incidents.models import ServiceDelay, StaffListSubmission
from opsqm.facts.incidents.stafflist import compare_staff_list, submit_staff_list
from opsqm.facts.incidents.views.common import _role, _serve_file
from opsqm.infra.core.access import require_role
from opsqm.infra.core.viewkit import run_service


@login_required
def staff_list(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the submitted lists, the latest compared with the register; POST (the
    vendor, or the assessor for it): a list submitted."""
    delivery = scoped_object(
        request.user, ServiceDelay.objects.filter(kind=ServiceDelay.Kind.STAFF_LIST), pk
    )
    can_submit = _role(request) in VENDOR_SIDE
    form = forms.StaffListForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        require_role(request.user, *VENDOR_SIDE)
        if form.is_valid():
            d = form.cleaned_data
            saved = run_service(form, lambda: submit_staff_list(delivery, d, request.user))
            if saved is not None:
                messages.success(request, _("Staff list submitted."))
                return redirect("incidents:staff_list", pk=delivery.pk)
    submissions = list(delivery.staff_lists.all())
    return render(
        request,
        "incidents/staff_list.html",
        {
            "d": delivery,
            "submissions": submissions,
            "comparison": compare_staff_list(submissions[0]) if submissions else None,
            "form": form if can_submit else None,
        },
    )


@login_required
def staff_list_file(request: HttpRequest, pk: int) -> FileResponse:
    return _serve_file(
        request, StaffListSubmission.objects.all(), pk, "file", contract="delivery__contract"
    )
