"""Forms of the remedy pages (第十二条, 合同 十一, 十.1).  They parse; the services in
`remedies.py` validate and write."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opsqm.facts.contracts.forms import DATE, DATETIME
from opsqm.facts.incidents import remedies
from opsqm.facts.incidents.models import (
    DelayAgreement,
    ForceMajeure,
    Incident,
    Liability,
    ServiceDelay,
)
from opsqm.facts.tickets.models import Ticket
from opsqm.pure.assessment.model import TZ

CANDIDATE_DAYS = 30  # facts beginning this long after the event may still be named


class LiabilityForm(forms.ModelForm):
    class Meta:
        model = Liability
        fields = remedies.LIABILITY_FIELDS
        widgets = {
            "decided_on": DATE,
            "decision": forms.Textarea(attrs={"rows": 3}),
            "evidence": forms.FileInput,
        }


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ForceMajeureForm(forms.ModelForm):
    class Meta:
        model = ForceMajeure
        fields = remedies.FM_FIELDS
        widgets = {
            "occurred_on": DATE,
            "notified_at": DATETIME,
            "event": forms.Textarea(attrs={"rows": 3}),
        }


class ExplanationForm(forms.Form):
    explanation_received_on = forms.DateField(
        label=_("written explanation received on"), widget=DATE
    )
    explanation = forms.FileField(label=_("written explanation"), required=False)


class DecisionForm(forms.Form):
    """The bureau's decision and the facts of the contract it excuses."""

    decided_on = forms.DateField(label=_("decided on"), widget=DATE)
    decision = forms.CharField(
        label=_("the bureau's decision"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    tickets = forms.ModelMultipleChoiceField(
        Ticket.objects.none(), label=_("tickets excused"), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    incidents = forms.ModelMultipleChoiceField(
        Incident.objects.none(), label=_("incidents excused"), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    deliveries = forms.ModelMultipleChoiceField(
        ServiceDelay.objects.none(), label=_("deliveries excused"), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, fm: ForceMajeure, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, qs in candidates(fm).items():
            self.fields[name].queryset = qs  # type: ignore[attr-defined]


def candidates(fm: ForceMajeure) -> dict[str, Any]:
    """The facts a decision may name: those of the contract still running when the
    event occurred (and any it already excuses), not the whole year's tickets."""
    c, since, ref = fm.contract, fm.occurred_on, fm.reference
    start = datetime.datetime.combine(since, datetime.time(), tzinfo=TZ)
    window = start + datetime.timedelta(days=CANDIDATE_DAYS)
    open_then = Q(resolved_at__isnull=True) | Q(resolved_at__gte=start)
    return {
        "tickets": Ticket.objects.filter(
            Q(contract=c, dispatched_at__lt=window) & open_then | Q(contract=c, excused=ref)
        ).order_by("pk"),
        "incidents": Incident.objects.filter(
            Q(
                contract=c,
                occurred_at__gte=start - datetime.timedelta(days=1),
                occurred_at__lt=window,
            )
            | Q(contract=c, excused=ref)
        ),
        "deliveries": ServiceDelay.objects.filter(
            Q(contract=c, delivered__isnull=True)
            | Q(contract=c, delivered__gte=since)
            | Q(contract=c, excused=ref)
        ),
    }


class DelayAgreementForm(forms.ModelForm):
    class Meta:
        model = DelayAgreement
        fields = remedies.AGREEMENT_FIELDS
        widgets = {
            "requested_on": DATE,
            "agreed_on": DATE,
            "new_due": DATE,
            "reason": forms.Textarea(attrs={"rows": 2}),
            "document": forms.FileInput,
        }
