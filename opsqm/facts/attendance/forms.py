"""Attendance forms."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opsqm.facts.attendance.models import CalendarDay
from opsqm.facts.contracts.models import Contract, Unit
from opsqm.facts.staff.models import Leave, StaffMember
from opsqm.pure.assessment.model import TZ

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

# Half-day presets (第七条三: 09:00–17:30; lunch 12:00–13:00).
PRESETS = {
    "full": (time(9, 0), time(17, 30)),
    "morning": (time(9, 0), time(12, 0)),
    "afternoon": (time(13, 0), time(17, 30)),
}


class UploadForm(forms.Form):
    contract = forms.ModelChoiceField(
        Contract.objects.none(),
        label=_("Contract"),
        required=False,
        empty_label=_("All my contracts"),
        help_text=_("Rows are matched to the staff of this contract (or of all yours)."),
    )
    file = forms.FileField(
        label=_("DingTalk export (.xlsx: 原始记录 or 每日统计)"),
        widget=forms.FileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args: Any, contracts: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts  # type: ignore[attr-defined]


class MapForm(forms.Form):
    staff = forms.ModelChoiceField(StaffMember.objects.none(), label=_("Staff member"))

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff  # type: ignore[attr-defined]


class LeaveRequestForm(forms.Form):
    staff = forms.ModelChoiceField(StaffMember.objects.none(), label=_("Staff member"))
    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("Service unit (its head decides)"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Leave.Kind.choices)
    day = forms.DateField(label=_("Day"), widget=DATE, required=False)
    part = forms.ChoiceField(
        label=_("Time"),
        choices=[
            ("full", _("Whole day 09:00–17:30")),
            ("morning", _("Morning 09:00–12:00")),
            ("afternoon", _("Afternoon 13:00–17:30")),
            ("custom", _("Other: from/until below")),
        ],
    )
    start = forms.DateTimeField(label=_("From"), widget=DATETIME, required=False)
    end = forms.DateTimeField(label=_("Until"), widget=DATETIME, required=False)
    emergency = forms.BooleanField(
        label=_("Emergency (asked within 2 hours after the start)"), required=False
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, staff: Any = None, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        part = data.get("part")
        if part in PRESETS:
            day = data.get("day")
            if day is None:
                self.add_error("day", _("Choose the day."))
                return data
            lo, hi = PRESETS[part]
            data["start"] = datetime.combine(day, lo, TZ)
            data["end"] = datetime.combine(day, hi, TZ)
        else:
            if not data.get("start") or not data.get("end"):
                self.add_error("start", _("Give the start and the end."))
                return data
        if data.get("start") and data.get("end") and data["start"] >= data["end"]:
            self.add_error("end", _("The end must be after the start."))
        staff = data.get("staff")
        unit = data.get("unit")
        if staff and unit and not staff.contract.units.filter(pk=unit.pk).exists():
            self.add_error("unit", _("Choose a service unit of this contract."))
        return data


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), required=False)


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    notes = forms.CharField(
        label=_("Source (State Council notice)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CalendarDayForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DATE)
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(label=_("Name"), required=False, max_length=64)


class UnitHeadForm(forms.Form):
    unit = forms.ModelChoiceField(Unit.objects.all(), label=_("Unit"))
    user = forms.ModelChoiceField(Unit.objects.none(), label=_("Account"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from opsqm.infra.accounts.models import User
        from opsqm.infra.core.roles import Role

        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            role=Role.RECIPIENT, is_active=True
        ).order_by("username")


class DemandForm(forms.Form):
    staff = forms.ModelChoiceField(StaffMember.objects.none(), label=_("Staff member"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff  # type: ignore[attr-defined]
