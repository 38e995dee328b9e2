"""Register forms.  They parse and show errors; the services validate and write.

A ModelForm's fields are the service's field list (`services.*_FIELDS`), so that a
page offers exactly what the service takes.  The date widgets here are shared by the
forms of the staff and incident pages."""

from __future__ import annotations

import copy
import json
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsqm.facts.contracts.models import Contract, SignedAgreement, Unit, Vendor
from opsqm.facts.contracts.rulebooks import shipped_rulebooks
from opsqm.facts.contracts.services import (
    AGREEMENT_FIELDS,
    CONTRACT_FIELDS,
    UNIT_FIELDS,
    VENDOR_FIELDS,
    VENDOR_MAILBOXES,
)

# An <input type="date"> / "datetime-local" and the formats the browser sends and shows.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def detached(obj: models.Model) -> models.Model:
    """A copy for a ModelForm to write into, so that the service still sees the
    stored values as `before`."""
    return copy.copy(obj)


class VendorForm(forms.ModelForm):
    class Meta:
        model = Vendor
        fields = VENDOR_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in VENDOR_MAILBOXES:
            self.fields[name].required = True


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = UNIT_FIELDS


class OverridesField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3, "placeholder": '{"tickets.ack_window_hours": 2}'})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False) if value else ""
        return value

    def to_python(self, value: Any) -> Any:
        text = (value or "").strip()
        if not text:
            return {}
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(
                _("Not valid JSON: %(error)s"), params={"error": exc}
            ) from exc
        if not isinstance(data, dict):
            raise forms.ValidationError(_("Overrides must be a JSON object."))
        return data


class ContractForm(forms.ModelForm):
    rulebook = forms.ChoiceField(label=_("rulebook"), required=False)
    rulebook_overrides = OverridesField(label=_("rulebook parameter overrides"), required=False)

    class Meta:
        model = Contract
        fields = (*CONTRACT_FIELDS, "units")  # units: the services' `units` argument
        widgets = {
            "start": DATE,
            "end": DATE,
            "units": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            ("", _("default")),
            *((n, n) for n in shipped_rulebooks()),
        ]
        self.fields["rulebook"].choices = choices  # type: ignore[attr-defined]


class ContractCreateForm(ContractForm):
    """A new contract also gives its signing day (十四.3), which starts the payment
    plan and the staff list due the next day (合同 六(二)1)."""

    signed_on = forms.DateField(
        label=_("contract signed on"),
        widget=DATE,
        help_text=_("The later of the two signatures (十四.3)."),
    )


class AgreementForm(forms.ModelForm):
    class Meta:
        model = SignedAgreement
        fields = AGREEMENT_FIELDS
        widgets = {"signed_on": DATE, "scan": forms.FileInput}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # a correction of the day keeps the stored scan
        self.fields["scan"].required = not self.instance.pk
