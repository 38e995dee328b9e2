"""Staff register forms: the fields are the services' field lists."""

from __future__ import annotations

from typing import Any

from django import forms

from opsqm.facts.contracts.forms import DATE, DATETIME
from opsqm.facts.staff.models import EntryVerification, Replacement, StaffMember
from opsqm.facts.staff.services import REPLACEMENT_FIELDS, STAFF_FIELDS, VERIFICATION_FIELDS


class StaffForm(forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = STAFF_FIELDS
        # FileInput, not ClearableFileInput: uploads have no public URL to show.
        widgets = {
            "entered_on": DATE,
            "left_on": DATE,
            "resume": forms.FileInput,
            "degree_scan": forms.FileInput,
            "certificate_scan": forms.FileInput,
            "pledge_scan": forms.FileInput,
            "pledge_signed_on": DATE,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        from opsqm.infra.core.roles import VENDOR_ROLES

        # Offer only the logins of this contract's vendor (the model checks it too).
        vendor_id = self.instance.contract.vendor_id
        account = self.fields["account"]
        assert isinstance(account, forms.ModelChoiceField)
        account.queryset = get_user_model().objects.filter(
            vendor_id=vendor_id, role__in=[r.value for r in VENDOR_ROLES], is_active=True
        )


class VerificationForm(forms.ModelForm):
    class Meta:
        model = EntryVerification
        fields = VERIFICATION_FIELDS
        widgets = {"verified_on": DATE, "remarks": forms.Textarea(attrs={"rows": 2})}


class ReplacementForm(forms.ModelForm):
    class Meta:
        model = Replacement
        fields = REPLACEMENT_FIELDS
        widgets = {
            "replaced_at": DATETIME,
            "notified_at": DATETIME,
            "materials_at": DATETIME,
            "reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, contract: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if contract is not None:
            qs = StaffMember.objects.filter(contract=contract).order_by("person")
            self.fields["person_out"].queryset = qs  # type: ignore[attr-defined]
            self.fields["person_in"].queryset = qs  # type: ignore[attr-defined]
