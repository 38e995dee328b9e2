from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsqm.infra.core.uploads import UploadValidator, upload_to


class Vendor(models.Model):
    """An O&M company.  第二十一条: the bureau opens it an intranet mailbox and the
    contract names its manager's mailbox."""

    name = models.CharField(_("name"), max_length=128, unique=True)
    # Nullable only so that a vendor known from an imported evidence log (which names
    # it, nothing more) can exist before the assessor fills the mailboxes in; the
    # register form requires both.
    intranet_mailbox = models.EmailField(
        _("intranet O&M mailbox"), unique=True, null=True, blank=True
    )
    manager_mailbox = models.EmailField(_("manager's mailbox"), blank=True)
    contact = models.CharField(_("contact person"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A service unit of the bureau (a prison, a department) whose people are the
    service recipients (服务对象)."""

    name = models.CharField(_("name"), max_length=128, unique=True)
    head = models.CharField(_("head of unit"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    code = models.CharField(_("contract number"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="contracts"
    )
    units = models.ManyToManyField(
        Unit, verbose_name=_("units served"), related_name="contracts", blank=True
    )
    amount = models.DecimalField(
        _("contract amount (yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    final_payment = models.DecimalField(
        _("final payment (yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    start = models.DateField(_("service period start"))
    end = models.DateField(_("service period end"))
    bond = models.BooleanField(_("performance bond"), default=False)
    rulebook = models.CharField(_("rulebook"), max_length=64, blank=True)
    rulebook_overrides = models.JSONField(
        _("rulebook parameter overrides"), default=dict, blank=True
    )

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = (
            "-start",
            "code",
        )
        constraints = (
            models.CheckConstraint(
                name="contract_period_ordered", condition=models.Q(start__lte=models.F("end"))
            ),
            models.CheckConstraint(
                name="final_payment_within_amount",
                condition=models.Q(final_payment__lte=models.F("amount")),
            ),
        )

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self) -> None:
        """The rulebook must be a shipped one and the overrides must load."""
        from opsqm.facts.contracts.rulebooks import rulebook_problem

        problem = rulebook_problem(self.rulebook, self.rulebook_overrides, self.code)
        if problem is not None:
            raise ValidationError(problem)


class EvidenceVersion(models.Model):
    """A counter per contract that moves with every change of its evidence (in the
    same transaction: `opsqm.facts.contracts.evidence_version.bump_evidence`), so a
    ledger kept with the version it was computed from is known current without
    reading the evidence again.  A row of its own, not a field of Contract: a
    contract saved from a stale copy must not move it back."""

    # No database constraint: evidence deleted along with its contract still bumps
    # (signals), and a counter left behind by a deleted contract harms nothing.
    contract = models.OneToOneField(
        Contract,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="evidence_version",
    )
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.contract_id}@{self.version}"


class SignedAgreement(models.Model):
    """合同 七: the agreements signed with the contract (附件一 保密协议, 附件三 廉洁协议),
    each as its signed scan and signing day.  One per contract and kind; recording
    again replaces it (audited)."""

    class Kind(models.TextChoices):
        CONFIDENTIALITY = "confidentiality", _("Confidentiality agreement (保密协议, 附件一)")
        INTEGRITY = "integrity", _("Integrity agreement (廉洁协议, 附件三)")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="agreements"
    )
    kind = models.CharField(_("agreement"), max_length=16, choices=Kind.choices)
    signed_on = models.DateField(_("signed on"))
    scan = models.FileField(
        _("signed scan"),
        upload_to=upload_to("contracts/agreements"),
        validators=[UploadValidator("pdf", "png", "jpeg")],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("signed agreement")
        verbose_name_plural = _("signed agreements")
        ordering = ("contract__code", "kind")
        constraints = (models.UniqueConstraint(fields=["contract", "kind"], name="agreement_once"),)

    def __str__(self) -> str:
        return f"{self.contract.code} {self.get_kind_display()}"

    def clean(self) -> None:
        from opsqm.facts.contracts.dates import signing_errors

        if self.contract_id:
            label = str(SignedAgreement._meta.get_field("signed_on").verbose_name)
            errors = signing_errors(self.contract, "signed_on", label, self.signed_on)
            if errors:
                raise ValidationError(errors)
