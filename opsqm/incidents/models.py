"""Incidents (第十一条–第十八条), quarterly evaluations (第十五条, 第十九条), praise
(第二十条) and service delays (合同 十.2): rules I1, I2, Q1, R1, D1."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsqm.contracts.models import Contract, Unit


class Incident(models.Model):
    class Level(models.IntegerChoices):
        ONE = 1, _("Level 1")
        TWO = 2, _("Level 2")
        THREE = 3, _("Level 3")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="incidents"
    )
    code = models.CharField(_("incident number"), max_length=32)
    title = models.CharField(_("title"), max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(_("final level"), choices=Level.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    reported_at = models.DateTimeField(_("analysis report submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = (
            "contract__code",
            "code",
        )
        constraints = (
            models.UniqueConstraint(fields=["contract", "code"], name="incident_code_per_contract"),
        )

    def __str__(self) -> str:
        return self.code


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
    comments = models.TextField(_("comments"), blank=True)

    class Meta:
        verbose_name = _("quarterly evaluation")
        verbose_name_plural = _("quarterly evaluations")
        ordering = (
            "contract__code",
            "quarter",
            "unit__name",
        )
        constraints = (
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
    description = models.TextField(_("description"), blank=True)

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
            models.UniqueConstraint(fields=["contract", "event", "level"], name="praise_once"),
        )

    def __str__(self) -> str:
        return self.event


class ServiceDelay(models.Model):
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="service_delays",
    )
    obligation = models.CharField(_("contracted service"), max_length=200)
    due = models.DateField(_("due"))
    delivered = models.DateField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("service delay")
        verbose_name_plural = _("service delays")
        ordering = (
            "contract__code",
            "due",
            "obligation",
        )
        constraints = (
            models.UniqueConstraint(fields=["contract", "obligation"], name="delay_once"),
        )

    def __str__(self) -> str:
        return self.obligation
