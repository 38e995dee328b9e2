"""Forms of the incident pages.  They parse and show errors; the services validate
and write.  A ModelForm's fields are its service's field list (`services.*_FIELDS`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from opsqm.facts.contracts.forms import DATE, DATETIME
from opsqm.facts.incidents import mailing, services
from opsqm.facts.incidents.models import (
    ChangeNotice,
    DeterminationStep,
    Incident,
    IncidentEvidence,
    PraiseApplication,
    RectificationNotice,
    ServiceDelay,
)
from opsqm.infra.core.uploads import UploadValidator


class IncidentForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = services.INCIDENT_FACT_FIELDS  # the final level: step 五
        widgets = {
            "occurred_at": DATETIME,
            "reported_at": DATETIME,
            "restored_at": DATETIME,
            "impact": forms.Textarea(attrs={"rows": 3}),
        }


class ReportForm(forms.Form):
    report = forms.FileField(label=_("Incident analysis report (PDF, DOCX or scan)"))


class StepForm(forms.ModelForm):
    it = forms.CharField(label=_("IT department (participants)"), required=False)
    vendor = forms.CharField(label=_("Vendor (participants)"), required=False)
    supervisor = forms.CharField(label=_("Supervisor (participants)"), required=False)
    experts = forms.CharField(label=_("External experts (if any)"), required=False)

    class Meta:
        model = DeterminationStep
        fields = services.STEP_FIELDS
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 4}),
            "conclusion": forms.Textarea(attrs={"rows": 4}),
            "conclusion_scan": forms.FileInput,
        }

    def __init__(self, *args: Any, step: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        if step != DeterminationStep.Step.FINAL:
            for name in (*services.PARTICIPANTS, "conclusion", "conclusion_scan"):
                del self.fields[name]
            if step not in (DeterminationStep.Step.PRELIMINARY, DeterminationStep.Step.SPECIAL):
                del self.fields["level"]
        else:
            self.fields["level"].label = _("Final level")
            people = (self.instance.participants or {}) if self.instance.pk else {}
            for k in services.PARTICIPANTS:
                self.fields[k].initial = people.get(k, "")

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k in services.STEP_FIELDS}
        if self.step == DeterminationStep.Step.FINAL:
            data["participants"] = {k: self.cleaned_data.get(k, "") for k in services.PARTICIPANTS}
            if not data.get("conclusion_scan"):
                data.pop("conclusion_scan", None)
        return data


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = IncidentEvidence
        fields = services.EVIDENCE_FIELDS
        widgets = {"received_at": DATETIME, "file": forms.FileInput}

    def __init__(self, *args: Any, contract: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from opsqm.facts.tickets.models import Ticket

        self.fields["ticket"].queryset = Ticket.objects.filter(  # type: ignore[attr-defined]
            contract=contract
        ).order_by("-number")


class CampaignForm(forms.Form):
    quarter = forms.RegexField(
        regex=r"^\d{4}Q[1-4]$",
        label=_("Quarter"),
        help_text=_("like 2026Q1"),
        error_messages={"invalid": _("A quarter like 2026Q1.")},
    )


class RateForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=(("satisfied", _("Satisfied")), ("unsatisfied", _("Unsatisfied"))),
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PraiseApplyForm(forms.ModelForm):
    class Meta:
        model = PraiseApplication
        fields = services.PRAISE_APPLICATION_FIELDS
        widgets = {
            "praised_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "evidence": forms.FileInput,
            "stamped_scan": forms.FileInput,
        }

    def __init__(self, *args: Any, levels: tuple[str, ...], **kwargs: Any) -> None:
        """`levels`: those the user may apply for (access.praise_levels_for)."""
        super().__init__(*args, **kwargs)
        field = self.fields["level"]
        field.choices = [c for c in field.choices if c[0] in levels]  # type: ignore[attr-defined]
        if "service_unit" in levels:
            self.fields["stamped_scan"].required = True
        else:
            del self.fields["stamped_scan"]


class PraiseDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=(("confirm", _("Confirm")), ("reject", _("Reject"))),
        widget=forms.RadioSelect,
    )
    verified_with = forms.CharField(
        label=_("Verified with (leader's name, for a leader's praise)"), required=False
    )
    stamped_scan = forms.FileField(
        label=_("Service unit's sealed application (scan), if the unit's was missing"),
        required=False,
    )
    decision_note = forms.CharField(
        label=_("Note (reason, if rejected)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RectificationForm(forms.ModelForm):
    track_delivery = forms.BooleanField(
        label=_("Also track as a contracted delivery (D1 delay damages if late)"), required=False
    )
    send_mail = forms.BooleanField(
        label=_(
            "Mail it to the vendor's intranet mailbox: received at the mail server's time "
            "(第二十一条三)"
        ),
        required=False,
    )
    message_id = forms.CharField(
        label=_("Or: the Message-ID of the OpsQM mail that delivered it"),
        required=False,
        max_length=512,
    )

    class Meta:
        model = RectificationNotice
        fields = services.RECTIFICATION_FIELDS
        widgets = {
            "received_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "notice_file": forms.FileInput,
        }


class MailLinkForm(forms.Form):
    message_id = forms.CharField(
        label=_("Message-ID of the OpsQM mail that delivered the notice"), max_length=512
    )


class RespondForm(forms.Form):
    response = forms.CharField(
        label=_("What was rectified"), widget=forms.Textarea(attrs={"rows": 3})
    )
    response_file = forms.FileField(label=_("Evidence"), required=False)


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=(("accept", _("Rectified")), ("return", _("Not rectified: return"))),
        widget=forms.RadioSelect,
    )
    verification_note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeliveryForm(forms.ModelForm):
    class Meta:
        model = ServiceDelay
        fields = services.DELIVERY_FIELDS
        widgets = {
            "basis_on": DATE,
            "due": DATE,
            "delivered": DATE,
            "notes": forms.Textarea(attrs={"rows": 2}),
            "delivery_file": forms.FileInput,
        }
        help_texts = {
            "due": _(
                "Leave empty for the staff list (1 day after signing), a replacement "
                "(3 days after the demand) or a rectification (5 days): computed from "
                "'counted from'."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            services.delivery_due(data.get("kind", ""), data.get("basis_on"), data.get("due"))
        except ValidationError as exc:
            self.add_error(None, exc)  # keyed by field: on `due`
        return data


class ContractChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.vendor.name}"


class ChangeNoticeForm(forms.ModelForm):
    """A system change notice (第二十一条) and the contracts whose vendors are told."""

    contracts: forms.ModelMultipleChoiceField = ContractChoice(
        label=_("Contracts concerned (their vendors are mailed)"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ChangeNotice
        fields = mailing.CHANGE_FIELDS
        widgets = {
            "window_start": DATETIME,
            "window_end": DATETIME,
            "impact": forms.Textarea(attrs={"rows": 3}),
            "text": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, contracts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["contracts"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = contracts.select_related("vendor").order_by("code")

    def _post_clean(self) -> None:
        # The service checks the window (against each contract chosen) and writes.
        pass


class InstructionForm(forms.Form):
    text = forms.CharField(
        label=_("Instruction"), widget=forms.Textarea(attrs={"rows": 6}), max_length=4000
    )


class StaffListForm(forms.Form):
    file = forms.FileField(
        label=_("The list (XLSX with a 姓名 column, or a scan)"),
        required=False,
        validators=[UploadValidator("xlsx", "pdf", "png", "jpeg")],
    )
    lines = forms.CharField(
        label=_("People on the list, one a line: code name phone (for a scan)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
