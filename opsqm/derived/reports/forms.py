"""The assessor's form for a report schedule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opsqm.derived.reports.models import Frequency, ReportSchedule, ScheduledReport
from opsqm.derived.reports.schedules import RECEIVERS
from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.models import Contract
from opsqm.infra.accounts.models import User


class ScheduleForm(forms.Form):
    contract: forms.ModelChoiceField[Contract] = forms.ModelChoiceField(
        queryset=Contract.objects.none(), label=_("Contract")
    )
    report = forms.ChoiceField(label=_("Report"), choices=ScheduledReport.choices)
    frequency = forms.ChoiceField(
        label=_("Frequency"),
        choices=Frequency.choices,
        help_text=_(
            "The monthly attendance result is sent monthly (the month before), the "
            "quarterly report quarterly (the quarter before)."
        ),
    )
    day = forms.IntegerField(
        label=_("Day of the month"), min_value=1, max_value=28, help_text=_("Sent at 08:00.")
    )
    starts_on = forms.DateField(
        label=_("First run on or after"), widget=forms.DateInput(attrs={"type": "date"})
    )
    recipients = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        label=_("Recipients"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only people with an e-mail address who may see the contract."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, instance: ReportSchedule | None = None, **kw: Any):
        if instance is not None and instance.pk and "initial" not in kw:
            kw["initial"] = {
                "contract": instance.contract_id,
                "report": instance.report,
                "frequency": instance.frequency,
                "day": instance.day,
                "starts_on": instance.starts_on,
                "recipients": list(instance.recipients.values_list("pk", flat=True)),
                "active": instance.active,
            }
        super().__init__(*args, **kw)
        contract = self.fields["contract"]
        assert isinstance(contract, forms.ModelChoiceField)
        contract.queryset = visible_contracts(user).order_by("code")
        people = self.fields["recipients"]
        assert isinstance(people, forms.ModelMultipleChoiceField)
        people.queryset = User.objects.filter(is_active=True, role__in=RECEIVERS).order_by(
            "role", "username"
        )
        if instance is not None and instance.pk:
            contract.disabled = True  # a schedule stays with its contract
