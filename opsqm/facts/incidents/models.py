"""Incidents (第十一条–第十八条), quarterly evaluations (第十五条, 第十九条), praise
(第二十条) and service delays (合同 十.2): rules I1, I2, Q1, R1, D1."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsqm.facts.contracts.models import Contract, Unit
from opsqm.facts.incidents.classification import Facts, Proposal, classify
from opsqm.facts.incidents.classification import HumanError as FactHumanError
from opsqm.facts.incidents.classification import Scope as FactScope
from opsqm.infra.core.textlimits import NOTE, TEXT, limit_constraints, limited_text
from opsqm.infra.core.uploads import UploadValidator, upload_to

USER = settings.AUTH_USER_MODEL
DOCS = ("pdf", "docx", "png", "jpeg")


class Incident(models.Model):
    class Level(models.IntegerChoices):
        ONE = 1, _("Level 1")
        TWO = 2, _("Level 2")
        THREE = 3, _("Level 3")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="incidents"
    )

    class Scope(models.TextChoices):
        CORE_PARALYSED = (
            FactScope.CORE_PARALYSED.value,
            _("Core system paralysed / whole network down"),
        )
        PARTIAL_FUNCTION = FactScope.PARTIAL_FUNCTION.value, _("Part of the functions failed")
        NON_CORE = FactScope.NON_CORE.value, _("Non-core service abnormal")
        NONE = FactScope.NONE.value, _("No outage")

    class HumanError(models.TextChoices):
        NONE = FactHumanError.NONE.value, _("No operation mistake")
        DELETED_CORE_DATA = (
            FactHumanError.DELETED_CORE_DATA.value,
            _("Core data deleted by mistake"),
        )
        WRONG_COMMAND = (
            FactHumanError.WRONG_COMMAND_PARTIAL_OUTAGE.value,
            _("Wrong command brought part of the systems down"),
        )
        VIDEO_CONFERENCE = (
            FactHumanError.VIDEO_CONFERENCE_OPERATION.value,
            _("Operation mistake during video-conference support"),
        )

    code = models.CharField(_("incident number"), max_length=32)
    title = models.CharField(_("title"), max_length=200, blank=True)
    # The final level of 第十四条五; null while the incident awaits determination
    # (it does not count in I1/I2 and is not exported until then).
    level = models.PositiveSmallIntegerField(
        _("final level"), choices=Level.choices, null=True, blank=True
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    # = the upload time of the analysis report (第十三条 提交); editable by the assessor
    # for a report submitted otherwise (then: the mail server's receive time).
    reported_at = models.DateTimeField(_("analysis report submitted at"), null=True, blank=True)
    # The decision that excuses it (合同 十一 force majeure, 十.1 agreed delay), e.g.
    # "force_majeure:FM-2026-01"; blank when none (spec §2 `excused`).  Set only
    # through opsqm.facts.incidents.excusal.set_excused (audited).
    excused = models.CharField(_("excused by decision"), max_length=120, blank=True)
    # The facts of 第十一条.
    systems = models.CharField(_("systems affected"), max_length=300, blank=True)
    impact = limited_text(_("impact"), TEXT, blank=True)
    scope = models.CharField(
        _("what stopped working"), max_length=20, choices=Scope.choices, default=Scope.NONE
    )
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)
    core_data_lost = models.BooleanField(_("core data lost or damaged"), default=False)
    sensitive_data_leaked = models.BooleanField(_("sensitive core data leaked"), default=False)
    major_security_event = models.BooleanField(
        _("major security event from a known unfixed vulnerability"), default=False
    )
    video_conference_fault = models.BooleanField(
        _("video-conference fault (howling, echo/noise, picture out of sync)"), default=False
    )
    human_error = models.CharField(
        _("operation mistake"), max_length=20, choices=HumanError.choices, blank=True, default=""
    )
    core_business_affected = models.BooleanField(
        _("core business functions affected"), default=False
    )
    report = models.FileField(
        _("incident analysis report"),
        upload_to=upload_to("incidents/reports"),
        validators=[UploadValidator(*DOCS)],
        blank=True,
    )
    registered_by = models.ForeignKey(
        USER,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = (
            "contract__code",
            "code",
        )
        constraints = (
            models.UniqueConstraint(fields=["contract", "code"], name="incident_code_per_contract"),
            *limit_constraints("incident", {"impact": TEXT}),
        )

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        # restored after it occurred, the report after the event (issue 12)
        from opsqm.facts.contracts.dates import check_model_dates

        if self.contract_id:
            check_model_dates(
                self,
                self.contract,
                ("occurred_at", "restored_at", "reported_at"),
                order=(("occurred_at", "restored_at"), ("occurred_at", "reported_at")),
            )

    def facts(self, now: datetime.datetime) -> Facts:
        from opsqm.facts.incidents.classification import minutes_between

        minutes = None
        if self.scope != FactScope.NONE:
            minutes = minutes_between(self.occurred_at, self.restored_at or now)
        return Facts(
            scope=FactScope(self.scope),
            outage_minutes=minutes,
            core_data_lost=self.core_data_lost,
            sensitive_data_leaked=self.sensitive_data_leaked,
            major_security_event=self.major_security_event,
            video_conference_fault=self.video_conference_fault,
            human_error=FactHumanError(self.human_error or ""),
            core_business_affected=self.core_business_affected,
        )

    def proposal(self, now: datetime.datetime) -> Proposal:
        return classify(self.facts(now))


class DeterminationStep(models.Model):
    """One step of the determination procedure of 第十四条."""

    class Step(models.IntegerChoices):
        GATHERING = 1, _("一 Information gathering")
        PRELIMINARY = 2, _("二 Preliminary judgement")
        ANALYSIS = 3, _("三 Detailed analysis")
        SPECIAL = 4, _("四 Special cases")
        FINAL = 5, _("五 Final rating")

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="steps"
    )
    step = models.PositiveSmallIntegerField(_("step"), choices=Step.choices)
    notes = limited_text(_("notes"), NOTE, blank=True)
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Incident.Level.choices, null=True, blank=True
    )
    # Step 五: {"it": …, "vendor": …, "supervisor": …, "experts": …} (names).
    participants = models.JSONField(_("participants"), default=dict, blank=True)
    conclusion = limited_text(_("written conclusion"), TEXT, blank=True)
    conclusion_scan = models.FileField(
        _("signed conclusion (scan)"),
        upload_to=upload_to("incidents/conclusions"),
        validators=[UploadValidator(*DOCS)],
        blank=True,
    )
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("determination step")
        verbose_name_plural = _("determination steps")
        ordering = ("incident", "step")
        constraints = (
            *limit_constraints("determinationstep", {"notes": NOTE, "conclusion": TEXT}),
            models.UniqueConstraint(fields=["incident", "step"], name="determination_step_once"),
        )

    def __str__(self) -> str:
        return f"{self.incident} {self.get_step_display()}"


class IncidentEvidence(models.Model):
    """The records 第十四条六 requires to be kept."""

    class Kind(models.TextChoices):
        USER_FEEDBACK = "user_feedback", _("Original record of the user's feedback")
        DISPATCH_MAIL = "dispatch_mail", _("Ticket dispatch mail and the server's receive time")
        VENDOR_LOG = "vendor_log", _("Vendor's handling log (with screenshots of the steps)")
        SIGNED_TICKET = "signed_ticket", _("Ticket signed by the service recipient")

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField(
        _("file"),
        upload_to=upload_to("incidents/evidence"),
        validators=[UploadValidator("pdf", "docx", "png", "jpeg", "txt", "xlsx")],
        blank=True,
    )
    received_at = models.DateTimeField(_("mail server receive time"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    added_by = models.ForeignKey(
        USER, verbose_name=_("added by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("incident evidence")
        verbose_name_plural = _("incident evidence")
        ordering = ("incident", "kind", "added_at")

    def __str__(self) -> str:
        return f"{self.incident} {self.get_kind_display()}"


class EvaluationCampaign(models.Model):
    """A quarter's evaluation by the service units (第十五条): opened and closed by
    the IT department; the units × vendors serving them are fixed when it opens."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    quarter = models.CharField(
        _("quarter"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{4}Q[1-4]$", _("A quarter like 2026Q1."))],
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default="open")
    opened_by = models.ForeignKey(
        USER, verbose_name=_("opened by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("evaluation campaign")
        verbose_name_plural = _("evaluation campaigns")
        ordering = ("-quarter",)

    def __str__(self) -> str:
        return self.quarter


class CampaignEntry(models.Model):
    campaign = models.ForeignKey(
        EvaluationCampaign, on_delete=models.CASCADE, related_name="entries"
    )
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("campaign entry")
        verbose_name_plural = _("campaign entries")
        ordering = ("unit__name", "contract__code")
        constraints = (
            models.UniqueConstraint(
                fields=["campaign", "contract", "unit"], name="campaign_entry_once"
            ),
        )

    def __str__(self) -> str:
        return f"{self.campaign} {self.unit} {self.contract}"


class QuarterlyEvaluation(models.Model):
    class Result(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        UNSATISFIED = "unsatisfied", _("Unsatisfied")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="evaluations"
    )
    quarter = models.CharField(
        _("quarter"),
        max_length=6,
        validators=[RegexValidator(r"^\d{4}Q[1-4]$", _("A quarter like 2026Q1."))],
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="evaluations"
    )
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    comments = limited_text(_("comments"), NOTE, blank=True)
    rated_by = models.ForeignKey(
        USER,
        verbose_name=_("rated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("quarterly evaluation")
        verbose_name_plural = _("quarterly evaluations")
        ordering = (
            "contract__code",
            "quarter",
            "unit__name",
        )
        constraints = (
            *limit_constraints("quarterlyevaluation", {"comments": NOTE}),
            models.UniqueConstraint(
                fields=["contract", "quarter", "unit"], name="evaluation_once_per_quarter"
            ),
        )

    def __str__(self) -> str:
        return f"{self.quarter} {self.unit}"


class Praise(models.Model):
    class Level(models.TextChoices):
        MAIN_LEADER = "main_leader", _("Bureau main leader")
        LEADER_IN_CHARGE = "leader_in_charge", _("Bureau leader in charge")
        SERVICE_UNIT = "service_unit", _("Service unit")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="praises"
    )
    event = models.CharField(_("event"), max_length=64)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    at = models.DateTimeField(_("praised at"))
    description = limited_text(_("description"), TEXT, blank=True)
    # How the IT department confirmed it (第二十条): verified with the leader, or the
    # service unit's stamped confirmation.
    verified_with = models.CharField(_("verified with (leader)"), max_length=100, blank=True)
    confirmed_by = models.ForeignKey(
        USER,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("praise")
        verbose_name_plural = _("praises")
        ordering = (
            "contract__code",
            "at",
            "event",
        )
        # One event may be praised at several levels; the engine counts the highest.
        constraints = (
            *limit_constraints("praise", {"description": TEXT}),
            models.UniqueConstraint(fields=["contract", "event", "level"], name="praise_once"),
        )

    def __str__(self) -> str:
        return self.event


class ServiceDelay(models.Model):
    """A contracted delivery with its due date (the obligation register); a late or
    missing delivery is D1 (合同 十.2).  Exported as the `service_delay` record."""

    class Kind(models.TextChoices):
        STAFF_LIST = "staff_list", _("Staff list and contacts (within 1 day of signing)")
        REPLACEMENT = "replacement", _("Replacement of listed staff (within 3 days of a demand)")
        REPORT = "report", _("Report")
        ACCEPTANCE = "acceptance", _("Acceptance materials (合同 八)")
        RECTIFICATION = "rectification", _("Rectification (within 5 days)")
        OTHER = "other", _("Other contracted service")

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="service_delays",
    )
    obligation = models.CharField(_("contracted service"), max_length=200)
    due = models.DateField(_("due"))
    delivered = models.DateField(_("delivered"), null=True, blank=True)
    # The decision that excuses it (合同 十一 force majeure, 十.1 agreed delay), e.g.
    # "force_majeure:FM-2026-01"; blank when none (spec §2 `excused`).  Set only
    # through opsqm.facts.incidents.excusal.set_excused (audited).
    excused = models.CharField(_("excused by decision"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default="other")
    clause = models.CharField(_("clause"), max_length=64, blank=True)
    basis_on = models.DateField(
        _("counted from"), null=True, blank=True, help_text=_("Signing date, date of the demand…")
    )
    notes = limited_text(_("notes"), NOTE, blank=True)
    delivery_file = models.FileField(
        _("delivery (file)"),
        upload_to=upload_to("incidents/deliveries"),
        validators=[UploadValidator("pdf", "docx", "xlsx", "png", "jpeg")],
        blank=True,
    )

    class Meta:
        verbose_name = _("contracted delivery")
        verbose_name_plural = _("contracted deliveries")
        ordering = (
            "contract__code",
            "due",
            "obligation",
        )
        constraints = (
            *limit_constraints("servicedelay", {"notes": NOTE}),
            models.UniqueConstraint(fields=["contract", "obligation"], name="delay_once"),
        )

    def __str__(self) -> str:
        return self.obligation

    def clean(self) -> None:
        from opsqm.facts.contracts.dates import check_model_dates

        if self.contract_id:
            bounds: object = self.contract
            if self.kind == self.Kind.STAFF_LIST:
                # counted from the signing day, which may come before the service period
                from types import SimpleNamespace

                from opsqm.facts.contracts.dates import SIGNED_BEFORE_START

                start = self.contract.start - SIGNED_BEFORE_START
                bounds = SimpleNamespace(start=start, end=self.contract.end)
            check_model_dates(
                self, bounds, ("basis_on", "due", "delivered"), order=(("basis_on", "due"),)
            )


class PraiseApplication(models.Model):
    """第二十条: the vendor applies; the IT department verifies with the leader, or
    receives the service unit's stamped confirmation, and confirms (→ a Praise)."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="+"
    )
    event = models.CharField(_("event"), max_length=64)
    level = models.CharField(_("level claimed"), max_length=20, choices=Praise.Level.choices)
    # 第二十条: a service unit's praise is applied for by the unit itself (its
    # recipient), with its seal on `stamped_scan`; a leader's praise by the vendor.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("service unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    praised_on = models.DateField(_("praised on"))
    description = limited_text(_("description"), TEXT)
    evidence = models.FileField(
        _("evidence"),
        upload_to=upload_to("incidents/praise"),
        validators=[UploadValidator(*DOCS)],
        blank=True,
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="applied")
    applied_by = models.ForeignKey(
        USER, verbose_name=_("applied by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"))
    verified_with = models.CharField(_("verified with (leader)"), max_length=100, blank=True)
    stamped_scan = models.FileField(
        _("unit's sealed application (scan)"),
        upload_to=upload_to("incidents/praise"),
        validators=[UploadValidator("pdf", "png", "jpeg")],
        blank=True,
    )
    decided_by = models.ForeignKey(
        USER,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = limited_text(_("decision note"), NOTE, blank=True)
    praise = models.OneToOneField(
        Praise, on_delete=models.SET_NULL, null=True, blank=True, related_name="application"
    )

    class Meta:
        verbose_name = _("praise application")
        verbose_name_plural = _("praise applications")
        ordering = ("-applied_at",)
        constraints = (
            *limit_constraints("praiseapplication", {"description": TEXT, "decision_note": NOTE}),
        )

    def __str__(self) -> str:
        return f"{self.event} ({self.get_level_display()})"


# 合同 六: what the vendor is notified to do or hand in (a module of its own for size).
# 第二十一条's mail (change notices, instructions, manager copies): its own module.
from opsqm.facts.incidents.mailmodels import ChangeNotice, NoticeMail, NoticeReply  # noqa
from opsqm.facts.incidents.models_notices import (  # noqa: E402
    RectificationNotice,
    StaffListSubmission,
)

# The remedies (第十二条, 合同 十一, 十.1) are models of this app too.
from opsqm.facts.incidents.remedy_models import DelayAgreement, ForceMajeure, Liability  # noqa

__all__ = [
    "CampaignEntry",
    "ChangeNotice",
    "DelayAgreement",
    "DeterminationStep",
    "EvaluationCampaign",
    "ForceMajeure",
    "Incident",
    "IncidentEvidence",
    "Liability",
    "NoticeMail",
    "NoticeReply",
    "Praise",
    "PraiseApplication",
    "QuarterlyEvaluation",
    "RectificationNotice",
    "ServiceDelay",
    "StaffListSubmission",
]
