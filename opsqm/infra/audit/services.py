"""Appending to the audit log.  Every state-changing service calls `log_action`
inside its own transaction, so a change and its audit record commit together."""

from __future__ import annotations

import datetime
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from opsqm.infra.audit.chain import GENESIS, ChainProblem, Head, check_anchor, link_hash, verify
from opsqm.infra.audit.checkpoints import (
    Checkpoint,
    append_checkpoint,
    check_checkpoints,
    make_checkpoint,
    read_checkpoints,
)
from opsqm.infra.audit.keys import current_key, load_keys
from opsqm.infra.audit.models import AuditHead, AuditRecord
from opsqm.infra.core.request_context import current

# Any constant; PostgreSQL advisory lock that serialises appends across processes.
_CHAIN_LOCK_KEY = 7_150_3_2025


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite: transactions are IMMEDIATE (settings), so writers are already serial.


def normalize_ip(ip: Any) -> str | None:
    """The one spelling of an address that is hashed and compared: Python's
    (PostgreSQL's inet prints some IPv6 forms differently)."""
    if not ip:
        return None
    try:
        addr = ipaddress.ip_address(str(ip).strip())
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return str(addr.ipv4_mapped)
    return str(addr)


def format_at(at: datetime.datetime) -> str:
    """The hashed spelling of a record's time: ISO 8601 in UTC, microseconds kept."""
    return at.astimezone(datetime.UTC).isoformat()


def _json_safe(value: dict[str, Any] | None) -> Any:
    """What the JSON column will give back: hash exactly that (dates, decimals → str)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _field_max(name: str) -> int:
    return int(getattr(AuditRecord._meta.get_field(name), "max_length", 0) or 0)


def _clip(name: str, value: Any) -> str:
    return str(value or "")[: _field_max(name)]


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
        user = ctx.acting_user()
        actor = user if getattr(user, "is_authenticated", False) else None
    if ip is None:
        ip = ctx.ip
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    key_id, key = current_key()  # outside the database: created at the first record
    with transaction.atomic():
        _lock_chain()
        head = AuditHead.objects.filter(pk=1).values("seq", "hash").first()
        last = AuditRecord.objects.order_by("-seq").values("seq", "hash").first()
        # Link to the anchor, not to whatever record is last in the table: if the
        # newest records were removed, the new record keeps the gap visible (verify
        # names the missing records) instead of closing it.  Without an anchor (the
        # first record, or an anchor that went missing) link to the last record.
        seq = max(head["seq"] if head else 0, last["seq"] if last else 0) + 1
        linked = head or last
        prev_hash = linked["hash"] if linked else GENESIS
        at = timezone.now().astimezone(datetime.UTC)
        fields: dict[str, Any] = {
            "seq": seq,
            "at": format_at(at),
            "actor_id": actor.pk if actor is not None else None,
            "actor_name": _clip("actor_name", actor.get_username() if actor is not None else ""),
            "actor_role": _clip("actor_role", getattr(actor, "role", "") if actor else ""),
            "ip": normalize_ip(ip),
            "action": _clip("action", action),
            "object_type": _clip("object_type", object_type),
            "object_id": _clip("object_id", object_id),
            "summary": _clip("summary", summary),
            "before": _json_safe(before),
            "after": _json_safe(after),
            "key_id": key_id,
        }
        record = AuditRecord.objects.create(
            **{k: v for k, v in fields.items() if k != "at"},
            at=at,
            prev_hash=prev_hash,
            hash=link_hash(prev_hash, fields, key),
        )
        if head is None:
            AuditHead.objects.create(pk=1, seq=record.seq, hash=record.hash)
        else:
            AuditHead.objects.filter(pk=1).update(seq=record.seq, hash=record.hash)
        return record


def record_content(rec: AuditRecord) -> dict[str, Any]:
    """A stored record as the chain hashes it (see `log_action`)."""
    return {
        "seq": rec.seq,
        "at": format_at(rec.at),
        "actor_id": rec.actor_id,
        "actor_name": rec.actor_name,
        "actor_role": rec.actor_role,
        "ip": normalize_ip(rec.ip),
        "action": rec.action,
        "object_type": rec.object_type,
        "object_id": rec.object_id,
        "summary": rec.summary,
        "before": rec.before,
        "after": rec.after,
        "key_id": rec.key_id,
        "prev_hash": rec.prev_hash,
        "hash": rec.hash,
    }


def iter_chain() -> Iterator[dict[str, Any]]:
    for rec in AuditRecord.objects.order_by("seq").iterator(chunk_size=2000):
        yield record_content(rec)


def read_anchor() -> Head | None:
    row = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    return (int(row[0]), str(row[1])) if row else None


@dataclass(frozen=True)
class ChainReport:
    count: int
    head_seq: int | None
    head_hash: str | None
    problems: list[ChainProblem]
    anchor_seq: int | None = None
    anchor_hash: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(checkpoints: list[Checkpoint] | None = None) -> ChainReport:
    """Verify the whole audit log in the database with the audit keys, its end
    against the anchor, and the records against every checkpoint (those of the
    checkpoint file unless `checkpoints` are given).

    Appends may run while the records are read; the anchor is read before and
    after, so that they are neither "deleted" nor "inserted" (no lock is held)."""
    keys = load_keys()
    unreadable: list[ChainProblem] = []
    if checkpoints is None:
        checkpoints, unreadable = read_checkpoints()
    before = read_anchor()
    records = list(iter_chain())
    after = read_anchor()
    found = (
        verify(records, keys)
        + check_anchor(records, before, after)
        + check_checkpoints(records, checkpoints, keys)
        + unreadable
    )
    unique = {(p.seq, p.kind): p for p in reversed(found)}  # the chain's own detail wins
    problems = sorted(unique.values(), key=lambda p: (p.seq, p.kind))
    head = records[-1] if records else None
    return ChainReport(
        count=len(records),
        head_seq=int(head["seq"]) if head else None,
        head_hash=str(head["hash"]) if head else None,
        problems=problems,
        anchor_seq=after[0] if after else None,
        anchor_hash=after[1] if after else None,
    )


def write_checkpoint() -> Checkpoint | None:
    """Append a checkpoint of the head anchor to the checkpoint file (None: the log
    is empty).  The worker calls it at least hourly (opsqm.infra.mail.tasks)."""
    head = read_anchor()
    if head is None:
        return None
    key_id, key = current_key()
    cp = make_checkpoint(head[0], head[1], key_id, key)
    append_checkpoint(cp)
    return cp
