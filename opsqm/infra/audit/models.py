from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit record."""


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AppendOnlyError("the audit log is append-only")


class AuditQuerySet(models.QuerySet["AuditRecord"]):
    """Bulk changes are refused as well (the database triggers refuse them too)."""

    update = _refuse
    delete = _refuse
    bulk_update = _refuse


class AuditRecord(models.Model):
    """One entry of the append-only, hash-chained audit log.

    `hash` = HMAC-SHA-256, under the audit key `key_id` (a file outside the
    database), over the previous record's hash and this record's canonical content
    (see opsqm.infra.audit.chain; old records: plain SHA-256, `key_id` empty);
    editing, inserting or deleting any record breaks the chain at that point, which
    `opsqm audit verify` reports.
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        # Never touch audit rows when a user goes away (accounts are deactivated,
        # not deleted); the actor's name and role are kept in the record anyway.
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    actor_role = models.CharField(_("actor role"), max_length=32, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    summary = models.CharField(_("summary"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    # The hash's version marker: empty for the unkeyed SHA-256 of old records, else
    # the id of the audit key whose HMAC-SHA-256 `hash` is (opsqm.infra.audit.keys).
    key_id = models.CharField(_("key id"), max_length=32, blank=True, default="")
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("the audit log is append-only: records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the audit log is append-only: records cannot be deleted")

    def diff(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for every key that differs between before and after."""
        before = self.before if isinstance(self.before, dict) else {}
        after = self.after if isinstance(self.after, dict) else {}
        keys = list(dict.fromkeys([*before, *after]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class AuditHeadQuerySet(models.QuerySet["AuditHead"]):
    delete = _refuse


class AuditHead(models.Model):
    """The head anchor: the sequence number and hash of the newest record, rewritten
    in the same transaction as every append (opsqm.infra.audit.services.log_action).

    The chain alone cannot show that its newest records were removed; the anchor
    can: `verify` names every record between the chain's end and the anchor. One
    row; database triggers refuse deleting it and moving it backwards."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(_("sequence"))
    hash = models.CharField(_("hash"), max_length=64)

    objects = AuditHeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit head anchor")
        verbose_name_plural = _("audit head anchors")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_one_row")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash}"

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the audit head anchor cannot be deleted")
