"""Rectification notices (合同 六(一)2) and the staff lists the vendor submits (合同
六(二)1): the bureau's notices to the vendor and what it hands in against a contracted
delivery.  Imported by `opsqm.facts.incidents.models`, where the rest of the app's
models are."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsqm.facts.contracts.models import Contract
from opsqm.facts.incidents.models import ServiceDelay
from opsqm.infra.core.textlimits import NOTE, TEXT, limit_constraints, limited_text
from opsqm.infra.core.uploads import UploadValidator, upload_to

USER = settings.AUTH_USER_MODEL
DOCS = ("pdf", "docx", "png", "jpeg")  # as the other incident documents


class RectificationNotice(models.Model):
    """合同 六(一)2: the bureau's written suggestion; the vendor rectifies within 5
    days of receiving it; the bureau verifies."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESPONDED = "responded", _("Rectified, awaiting verification")
        VERIFIED = "verified", _("Verified")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("notice number"), max_length=32)
    subject = models.CharField(_("subject"), max_length=200)
    description = limited_text(_("what is to be rectified"), TEXT)
    # The day the vendor received it: the local day of the mail server's receive time
    # of `mail` when the notice went by intranet mail (第二十一条三), else typed (a
    # notice handed over on paper).  Empty while the mail's time is not known yet.
    received_on = models.DateField(_("received by the vendor on"), null=True, blank=True)
    due = models.DateField(_("rectify by"), null=True, blank=True)
    mail = models.ForeignKey(
        "mail.OutboundMessage",
        verbose_name=_("delivered by mail"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    received_at = models.DateTimeField(_("mail server receive time"), null=True, blank=True)
    # Tracked as a contracted delivery once the receive day is known (issue_rectification).
    tracked = models.BooleanField(_("track as a contracted delivery"), default=False)
    notice_file = models.FileField(
        _("written notice"),
        upload_to=upload_to("incidents/rectification"),
        validators=[UploadValidator(*DOCS)],
        blank=True,
    )
    issued_by = models.ForeignKey(
        USER, verbose_name=_("issued by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="open")
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    response = limited_text(_("vendor's response"), TEXT, blank=True)
    response_file = models.FileField(
        _("rectification evidence"),
        upload_to=upload_to("incidents/rectification"),
        validators=[UploadValidator("pdf", "docx", "png", "jpeg", "xlsx", "txt")],
        blank=True,
    )
    verified_by = models.ForeignKey(
        USER,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_note = limited_text(_("verification note"), NOTE, blank=True)
    delivery = models.OneToOneField(
        ServiceDelay,
        verbose_name=_("tracked as contracted delivery (D1)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rectification",
    )

    class Meta:
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")
        ordering = ("-received_on", "code")
        constraints = (
            *limit_constraints(
                "rectificationnotice",
                {"description": TEXT, "response": TEXT, "verification_note": NOTE},
            ),
            models.UniqueConstraint(fields=["contract", "code"], name="rectification_code_once"),
        )

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        from opsqm.facts.contracts.dates import check_model_dates

        if self.contract_id:
            check_model_dates(
                self, self.contract, ("received_on", "due"), order=(("received_on", "due"),)
            )

    def overdue(self, today: datetime.date) -> bool:
        """Late: rectified after the due day, or not rectified and the due day is past."""
        if self.due is None:
            return False  # not received yet: the 5 days have not started
        if self.rectified_at is not None:
            from opsqm.pure.assessment.model import TZ

            return self.rectified_at.astimezone(TZ).date() > self.due
        return today > self.due


class StaffListSubmission(models.Model):
    """合同 六(二)1: the staff list and contacts the vendor hands in (the contracted
    delivery of kind staff list), with the people it names, to be compared with the
    staff register."""

    delivery = models.ForeignKey(
        ServiceDelay,
        verbose_name=_("contracted delivery"),
        on_delete=models.PROTECT,
        related_name="staff_lists",
    )
    file = models.FileField(
        _("submitted list"),
        upload_to=upload_to("incidents/staff_lists"),
        validators=[UploadValidator("xlsx", "pdf", "png", "jpeg")],
        blank=True,
    )
    # [{"person": code or "", "name": …, "phone": …}], read from the workbook or typed.
    entries = models.JSONField(_("people on the list"), default=list)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        USER,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("submitted staff list")
        verbose_name_plural = _("submitted staff lists")
        ordering = ("-submitted_at", "-pk")

    def __str__(self) -> str:
        return f"{self.delivery} {self.submitted_at:%Y-%m-%d %H:%M}"
