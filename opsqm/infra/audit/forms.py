from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsqm.infra.audit.models import AuditRecord


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    action = forms.CharField(label=_("Action"), required=False, max_length=64)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=64)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label=_("Text"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("placeholder", str(field.label))
            field.widget.attrs.setdefault("aria-label", str(field.label))
            field.widget.attrs.setdefault("id", f"id_f_{name}")

    def filter(self, qs: QuerySet[AuditRecord]) -> QuerySet[AuditRecord]:
        """`qs` narrowed by the valid filters (call after is_valid())."""
        d = getattr(self, "cleaned_data", {})
        if d.get("actor"):
            qs = qs.filter(actor_name__icontains=d["actor"].strip())
        if d.get("action"):
            qs = qs.filter(action__istartswith=d["action"].strip())
        if d.get("object_type"):
            qs = qs.filter(object_type__iexact=d["object_type"].strip())
        if d.get("object_id"):
            qs = qs.filter(object_id=d["object_id"].strip())
        tz = timezone.get_current_timezone()
        if d.get("date_from"):
            start = datetime.datetime.combine(d["date_from"], datetime.time.min, tzinfo=tz)
            qs = qs.filter(at__gte=start)
        if d.get("date_to"):
            end = datetime.datetime.combine(
                d["date_to"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
            )
            qs = qs.filter(at__lt=end)
        if d.get("q"):
            q = d["q"].strip()
            qs = qs.filter(
                Q(summary__icontains=q)
                | Q(actor_name__icontains=q)
                | Q(action__icontains=q)
                | Q(object_id__icontains=q)
            )
        return qs
