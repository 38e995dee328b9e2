from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from opsqm.infra.core.roles import Role


class Source(models.TextChoices):
    """Where an account's identity is proven: OpsQM's own password, or the bureau's
    directory (LDAP/AD) or single sign-on (OIDC) platform (opsqm.infra.accounts.identity)."""

    LOCAL = "local", _("Local password")
    LDAP = "ldap", _("Directory (LDAP/AD)")
    OIDC = "oidc", _("Single sign-on (OIDC)")


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
    source = models.CharField(
        _("sign-in source"), max_length=8, choices=Source.choices, default=Source.LOCAL
    )
    # The directory's name for the person: the entry's DN (LDAP) or the subject (OIDC).
    external_id = models.CharField(_("directory identity"), max_length=255, blank=True)
    # Raised to end every session of the account at once (password reset, lock,
    # deactivation): it is part of the session's authentication hash.
    session_epoch = models.PositiveIntegerField(_("session epoch"), default=0, editable=False)
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

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django's hash covers the password only; the epoch lets OpsQM end the
        # sessions of an account whose password did not change (a lock, a
        # deactivation, an account without a password: directory and sign-on).
        return salted_hmac(
            "opsqm.accounts.User.session",
            f"{self.password}\x00{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class ApiToken(models.Model):
    """A program's key to the API.  Only a SHA-256 of the secret is kept (the secret
    is shown once, at creation): a copy of the database gives no working key.  The
    secret is 160 random bits, so an unsalted fast hash is enough to look it up."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=8, editable=False)
    name = models.CharField(_("name"), max_length=64, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"))
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.prefix}…"


class AdminRequest(models.Model):
    """A change that gives 三员 powers (a new administrator account, a move into an
    administrator role) or takes over an administrator's account (a password reset):
    asked by one administrator, applied only when a second, different one approves
    (opsqm.infra.accounts.approvals).  A password travels as its hash, never in clear."""

    class Kind(models.TextChoices):
        CREATE = "create", _("Open an administrator account")
        ROLE = "role", _("Move into an administrator role")
        RESET = "reset", _("Reset an administrator's password")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    # The account concerned (for a new account: set once it is opened).
    target = models.ForeignKey(
        User,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="admin_requests",
    )
    username = models.CharField(_("username"), max_length=150)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    # create: full_name, phone, password (hash); reset: password (hash).
    payload = models.JSONField(default=dict, editable=False)
    requested_by = models.ForeignKey(
        User, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("administrator request")
        verbose_name_plural = _("administrator requests")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                name="admin_request_decided_by_another",
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("requested_by")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.username}"


class InboxRead(models.Model):
    """That a user has read one item of their inbox.  The item is named by a string
    the inbox gives it (e.g. `ticket-dispatched:42:dispatched`): the state it is in
    is part of the name, so an item that comes back in a new state is unread again.
    The items themselves are the home page's to-do lists (opsqm.edges.home.todo)."""

    user = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="+"
    )
    item = models.CharField(_("item"), max_length=200)
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inbox item read")
        verbose_name_plural = _("inbox items read")
        constraints = [models.UniqueConstraint(fields=["user", "item"], name="inbox_read_once")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.item}"
