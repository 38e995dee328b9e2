"""Register forms.  They parse and show errors; the services validate and write."""

from __future__ import annotations

import copy
import json
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsqm.contracts.models import Contract, Unit, Vendor
from opsqm.contracts.rulebooks import shipped_rulebooks


def detached(obj: models.Model) -> models.Model:
    """A copy for a ModelForm to write into, so that the service still sees the
    stored values as `before`."""
    return copy.copy(obj)


class VendorForm(forms.ModelForm):
    class Meta:
        model = Vendor
        fields = ("name", "intranet_mailbox", "manager_mailbox", "contact", "phone")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["intranet_mailbox"].required = True
        self.fields["manager_mailbox"].required = True


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ("name", "head", "phone")


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
        fields = (
            "code",
            "title",
            "vendor",
            "amount",
            "final_payment",
            "start",
            "end",
            "bond",
            "rulebook",
            "rulebook_overrides",
            "units",
        )
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "units": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            ("", _("default")),
            *((n, n) for n in shipped_rulebooks()),
        ]
        self.fields["rulebook"].choices = choices  # type: ignore[attr-defined]
