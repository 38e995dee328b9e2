"""Appending to the audit log.  Every state-changing service calls `log_action`
inside its own transaction, so a change and its audit record commit together."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from opsqm.audit.chain import GENESIS, link_hash
from opsqm.audit.models import AuditRecord
from opsqm.core.request_context import current

# Any constant; PostgreSQL advisory lock that serialises appends across processes.
_CHAIN_LOCK_KEY = 7_150_3_2025


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite: transactions are IMMEDIATE (settings), so writers are already serial.


def log_action(
    action: str,
    *,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor: Any = None,
    ip: str | None = None,
) -> AuditRecord:
    """Append one record.  `actor`/`ip` default to the current request's."""
    ctx = current.get()
    if actor is None:
        actor = ctx.user if getattr(ctx.user, "is_authenticated", False) else None
    if ip is None:
        ip = ctx.ip
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    with transaction.atomic():
        _lock_chain()
        last = AuditRecord.objects.order_by("-seq").values("seq", "hash").first()
        seq = (last["seq"] + 1) if last else 1
        prev_hash = last["hash"] if last else GENESIS
        fields: dict[str, Any] = {
            "seq": seq,
            "at": timezone.now().isoformat(),
            "actor_id": actor.pk if actor is not None else None,
            "actor_name": actor.get_username() if actor is not None else "",
            "actor_role": getattr(actor, "role", "") if actor is not None else "",
            "ip": ip,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "summary": summary[:255],
            "before": before,
            "after": after,
        }
        return AuditRecord.objects.create(
            **{k: v for k, v in fields.items() if k != "at"},
            at=fields["at"],
            prev_hash=prev_hash,
            hash=link_hash(prev_hash, fields),
        )
