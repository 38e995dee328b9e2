from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsqm.infra.core.roles import Role


class User(AbstractUser):
    """A person who logs in.  One role per account: the role field is single-valued
    on purpose, so that no account can hold two of the 三员 roles."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set when an administrator chose the password; cleared by the user's own."),
    )
    vendor = models.ForeignKey(
        "contracts.Vendor",
        verbose_name=_("vendor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("Required for vendor managers and engineers."),
    )
    unit = models.ForeignKey(
        "contracts.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("Required for service recipients."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="vendor_roles_have_vendor",
                # A fixed order (VENDOR_ROLES is a set): stable migrations.
                condition=~models.Q(
                    role__in=[Role.VENDOR_MANAGER.value, Role.VENDOR_ENGINEER.value]
                )
                | models.Q(vendor__isnull=False),
            ),
            models.CheckConstraint(
                name="recipient_has_unit",
                condition=~models.Q(role=Role.RECIPIENT) | models.Q(unit__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username
