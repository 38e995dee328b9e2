"""Vendor staff and the personnel evidence of 第五条–第七条 (rules P1–P5).

Each model maps onto one record of the evidence log v1 (spec §3): StaffMember +
EntryVerification → ``staff``, Replacement → ``replacement``, Punch → ``punch``,
Leave → ``leave``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsqm.facts.contracts.evidence_version import bump_evidence
from opsqm.facts.contracts.models import Contract, Unit
from opsqm.infra.core.textlimits import NOTE, limit_constraints, limited_text
from opsqm.infra.core.uploads import UploadValidator, upload_to

UPLOAD_DIR = upload_to("staff/documents")
SCANS = UploadValidator("pdf", "png", "jpeg")


class StaffMember(models.Model):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="staff"
    )
    person = models.CharField(_("person code"), max_length=32)
    name = models.CharField(_("name"), max_length=64)
    on_site = models.BooleanField(_("on site"), default=True)
    entered_on = models.DateField(_("first day on site"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    id_number = models.CharField(_("ID card number"), max_length=32, blank=True)
    resume = models.FileField(
        _("résumé"),
        upload_to=UPLOAD_DIR,
        blank=True,
        validators=[UploadValidator("pdf", "png", "jpeg", "docx")],
    )
    degree_scan = models.FileField(
        _("degree certificate scan"), upload_to=UPLOAD_DIR, blank=True, validators=[SCANS]
    )
    certificate_scan = models.FileField(
        _("professional certificate scan"), upload_to=UPLOAD_DIR, blank=True, validators=[SCANS]
    )
    # 合同 七.2, 附件二: the person's signed 保密承诺书; entry verification (第五条)
    # needs it (opsqm.facts.staff.services.record_verification).
    pledge_scan = models.FileField(
        _("signed confidentiality pledge (保密承诺书)"),
        upload_to=UPLOAD_DIR,
        blank=True,
        validators=[SCANS],
    )
    pledge_signed_on = models.DateField(_("pledge signed on"), null=True, blank=True)
    # DingTalk attendance import (a later issue): the person's userId and 工号.
    dingtalk_user_id = models.CharField(_("DingTalk userId"), max_length=64, blank=True)
    employee_no = models.CharField(_("employee number"), max_length=32, blank=True)
    # The name DingTalk shows when it differs from `name` (remembered when an
    # unmatched import row is mapped to this person; docs/attendance.md).
    dingtalk_name = models.CharField(_("DingTalk name"), max_length=64, blank=True)
    # The platform account of this person (a vendor engineer asking for leave).
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_records",
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = (
            "contract__code",
            "person",
        )
        constraints = (
            models.UniqueConstraint(
                fields=["contract", "person"], name="staff_person_per_contract"
            ),
            models.CheckConstraint(
                name="staff_left_after_entry",
                condition=models.Q(left_on__isnull=True)
                | models.Q(left_on__gte=models.F("entered_on")),
            ),
        )

    def __str__(self) -> str:
        return f"{self.person} {self.name}"

    def clean(self) -> None:
        # The linked login must be one of this contract's vendor's people: it is how
        # an engineer asks for leave as this staff member.
        from django.core.exceptions import ValidationError

        from opsqm.facts.contracts.dates import check_staff_dates
        from opsqm.infra.core.roles import VENDOR_ROLES

        if self.contract_id:
            check_staff_dates(self, self.contract)
        acc = self.account
        if acc is not None and (
            acc.role not in VENDOR_ROLES or acc.vendor_id != self.contract.vendor_id
        ):
            raise ValidationError(
                {"account": _("The account must be a vendor account of this contract's vendor.")}
            )
        self._check_pledge()

    def _check_pledge(self) -> None:
        """The pledge's day makes sense, and comes with its scan."""
        from django.core.exceptions import ValidationError

        from opsqm.facts.contracts.dates import signing_errors

        day = self.pledge_signed_on
        label = str(StaffMember._meta.get_field("pledge_signed_on").verbose_name)
        errors = signing_errors(self.contract, "pledge_signed_on", label, day)
        if not errors and day is not None and self.left_on is not None and day > self.left_on:
            errors["pledge_signed_on"] = str(_("The pledge is signed after the person left."))
        if not errors and day is not None and not self.pledge_scan:
            errors["pledge_scan"] = str(_("Attach the signed pledge (scan)."))
        if not errors and self.pledge_scan and day is None:
            errors["pledge_signed_on"] = str(_("Give the day the pledge was signed."))
        if errors:
            raise ValidationError(errors)

    @property
    def has_pledge(self) -> bool:
        """合同 七.2: the signed 保密承诺书 is on file."""
        return bool(self.pledge_scan) and self.pledge_signed_on is not None

    @property
    def verified_on(self) -> datetime.date | None:
        v = getattr(self, "verification", None)
        return v.verified_on if v is not None else None


class EntryVerification(models.Model):
    """第五条: the originals checked at the contracting party on first entry."""

    staff = models.OneToOneField(
        StaffMember,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="verification",
    )
    verified_on = models.DateField(_("verified on"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    id_card_checked = models.BooleanField(_("ID card checked"), default=False)
    resume_checked = models.BooleanField(_("résumé checked"), default=False)
    degree_or_certificate_checked = models.BooleanField(
        _("degree or professional certificate checked"), default=False
    )
    remarks = limited_text(_("remarks"), NOTE, blank=True)

    class Meta:
        verbose_name = _("entry verification")
        verbose_name_plural = _("entry verifications")
        constraints = (*limit_constraints("entryverification", {"remarks": NOTE}),)

    def __str__(self) -> str:
        return f"{self.staff} {self.verified_on}"

    def clean(self) -> None:
        # Not after today; it may precede the contract (people carried over were
        # checked under the previous one).
        from opsqm.facts.contracts.dates import check_not_future

        check_not_future(self, "verified_on")


class Replacement(models.Model):
    """第六条: a person replaced during the service period."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="replacements"
    )
    person_out = models.ForeignKey(
        StaffMember, verbose_name=_("leaving"), on_delete=models.PROTECT, related_name="+"
    )
    person_in = models.ForeignKey(
        StaffMember, verbose_name=_("arriving"), on_delete=models.PROTECT, related_name="+"
    )
    replaced_at = models.DateTimeField(_("replaced at"))
    notified_at = models.DateTimeField(_("service unit notified at"), null=True, blank=True)
    emergency = models.BooleanField(_("emergency replacement"), default=False)
    materials_at = models.DateTimeField(
        _("verification materials submitted at"), null=True, blank=True
    )
    reason = limited_text(_("written reason"), NOTE, blank=True)

    class Meta:
        verbose_name = _("replacement")
        verbose_name_plural = _("replacements")
        ordering = ("-replaced_at",)
        constraints = (
            *limit_constraints("replacement", {"reason": NOTE}),
            models.UniqueConstraint(fields=["person_out", "person_in"], name="replacement_pair"),
            models.CheckConstraint(
                name="replacement_two_people",
                condition=~models.Q(person_out=models.F("person_in")),
            ),
        )

    def __str__(self) -> str:
        return f"{self.person_out} → {self.person_in}"

    def clean(self) -> None:
        from opsqm.facts.contracts.dates import check_model_dates

        if self.contract_id:
            check_model_dates(self, self.contract, ("replaced_at", "notified_at", "materials_at"))


def punch_minute(at: datetime.datetime) -> datetime.datetime:
    """The identity instant of a punch: `at` with the seconds dropped
    (`opsqm.pure.attendance_import.punch_key`, assessment.md §1: minute precision)."""
    return at.replace(second=0, microsecond=0)


class PunchKind(models.TextChoices):
    NORMAL = "normal", _("Normal")
    FIELD = "field", _("Field punch (外勤)")
    MAKEUP = "makeup", _("Makeup punch (补卡)")


class PunchManager(models.Manager["Punch"]):
    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Punch]:
        objs = list(objs)
        for obj in objs:
            obj.minute = punch_minute(obj.at)
        created = super().bulk_create(objs, *args, **kwargs)
        # bulk_create sends no signals: the evidence versions move here (the caller's
        # transaction holds both).
        people = {o.person_id for o in objs}
        bump_evidence(
            StaffMember.objects.filter(pk__in=people).values_list("contract_id", flat=True)
        )
        return created


class Punch(models.Model):
    class Source(models.TextChoices):
        DINGTALK = "dingtalk", _("DingTalk")
        MANUAL = "manual", _("Manual entry")
        IMPORT = "import", _("Evidence log import")

    person = models.ForeignKey(
        StaffMember,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="punches",
    )
    at = models.DateTimeField(_("punched at"))
    # `at` without seconds: one punch per person and minute (a unique index), so
    # that the raw records and the daily statistics of one day do not double it.
    minute = models.DateTimeField(_("minute"), editable=False)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default="manual")
    # spec §3: 外勤 counts as a punch; a 补卡 (added afterwards by an approval in DingTalk,
    # which the vendor runs itself) counts once the bureau confirmed it.
    kind = models.CharField(
        _("kind of punch"), max_length=8, choices=PunchKind.choices, default=PunchKind.NORMAL
    )
    confirmed = models.BooleanField(_("confirmed by the bureau"), default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    objects = PunchManager()

    class Meta:
        verbose_name = _("punch")
        verbose_name_plural = _("punches")
        ordering = (
            "person",
            "at",
        )
        constraints = (
            models.UniqueConstraint(fields=["person", "minute"], name="punch_once_a_minute"),
        )

    def __str__(self) -> str:
        return f"{self.person.person} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.minute = punch_minute(self.at)
        super().save(*args, **kwargs)

    def clean_fields(self, exclude: Any = None) -> None:
        if self.at is not None and not isinstance(self.at, str):
            self.minute = punch_minute(self.at)
        super().clean_fields(exclude)


class Leave(models.Model):
    """第七条二: leave or comp time, asked of the service unit's head."""

    class Kind(models.TextChoices):
        LEAVE = "leave", _("Leave")
        COMP_TIME = "comp_time", _("Comp time")

    person = models.ForeignKey(
        StaffMember, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="leaves"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default="leave")
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    requested_at = models.DateTimeField(_("requested at"))
    emergency = models.BooleanField(_("emergency"), default=False)
    approved = models.BooleanField(_("approved"), default=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The request workflow (docs/attendance.md).  `pending`: asked, not decided yet
    # (exported as approved=false: it excuses nothing until the head approves it).
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("service unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = limited_text(_("reason"), NOTE, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pending = models.BooleanField(_("awaiting decision"), default=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = limited_text(_("decision note"), NOTE, blank=True)

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leaves")
        ordering = (
            "person",
            "start",
        )
        constraints = (
            *limit_constraints("leave", {"reason": NOTE, "decision_note": NOTE}),
            models.UniqueConstraint(fields=["person", "start"], name="leave_once"),
            models.CheckConstraint(
                name="leave_ordered", condition=models.Q(start__lt=models.F("end"))
            ),
            models.CheckConstraint(
                name="leave_pending_not_approved",
                condition=models.Q(pending=False) | models.Q(approved=False),
            ),
        )

    def __str__(self) -> str:
        return f"{self.person.person} {self.start:%Y-%m-%d}"

    def clean(self) -> None:
        from opsqm.facts.contracts.dates import check_model_dates

        if self.person_id:
            check_model_dates(
                self,
                self.person.contract,
                ("start", "end", "requested_at"),
                order=(("start", "end"),),
            )

    @property
    def state(self) -> str:
        if self.pending:
            return "pending"
        return "approved" if self.approved else "rejected"


class ReplacementDemand(models.Model):
    """合同 六(二)1: the bureau asks the vendor to replace a listed person; the vendor
    has 3 days from the notice."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        StaffMember, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+"
    )
    demanded_at = models.DateTimeField(_("demanded at"))
    due = models.DateTimeField(_("due"))
    reason = models.TextField(_("reason"), max_length=NOTE, validators=[MaxLengthValidator(NOTE)])
    demanded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demanded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    fulfilled_by = models.OneToOneField(
        Replacement,
        verbose_name=_("fulfilled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="demand",
    )

    class Meta:
        verbose_name = _("replacement demand")
        verbose_name_plural = _("replacement demands")
        ordering = ("-demanded_at",)
        constraints = (
            *limit_constraints("replacementdemand", {"reason": NOTE}),
            models.CheckConstraint(
                name="demand_due_after", condition=models.Q(due__gte=models.F("demanded_at"))
            ),
        )

    def __str__(self) -> str:
        return f"{self.person} {self.demanded_at:%Y-%m-%d}"
