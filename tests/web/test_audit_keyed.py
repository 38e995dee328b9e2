"""The audit chain beyond the database's reach: keyed hashes (HMAC-SHA-256 with a
key file outside the database), key rotation, and the checkpoints of the head in a
file and in the audit administrators' mail.  A database superuser's attacks (wipe,
cut the tail, forge an append, re-hash the tail) are each named without
--expect-head."""

from __future__ import annotations

import io
import json
import stat
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from opsqm.infra.audit.chain import link_hash
from opsqm.infra.audit.keys import key_path, load_keys
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.audit.services import log_action, record_content, verify_chain, write_checkpoint
from opsqm.infra.jobs.models import Job
from opsqm.infra.mail.models import OutboundMessage

pytestmark = pytest.mark.django_db


def raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])


def superuser_mode() -> None:
    """What a database superuser can do: drop the append-only triggers."""
    for trigger, table in [
        ("audit_auditrecord_no_update", "audit_auditrecord"),
        ("audit_auditrecord_no_delete", "audit_auditrecord"),
        ("audit_audithead_forward", "audit_audithead"),
        ("audit_audithead_no_delete", "audit_audithead"),
    ]:
        if connection.vendor == "postgresql":
            raw(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        else:
            raw(f"DROP TRIGGER IF EXISTS {trigger}")


def chain(n: int) -> list[AuditRecord]:
    return [log_action(f"test.a{i}", summary=f"change {i}", after={"n": i}) for i in range(n)]


def verify_output() -> tuple[bool, str]:
    out = io.StringIO()
    try:
        call_command("audit", "verify", stdout=out)
    except CommandError:
        return False, out.getvalue()
    return True, out.getvalue()


def test_records_carry_a_keyed_hash_and_the_key_file_is_private() -> None:
    rec = chain(1)[0]
    assert rec.key_id in load_keys()
    assert stat.S_IMODE(key_path().stat().st_mode) == 0o600
    content = record_content(rec)
    assert link_hash(rec.prev_hash, content) != rec.hash  # not the plain SHA-256
    assert link_hash(rec.prev_hash, content, load_keys()[rec.key_id]) == rec.hash


def test_wiped_log_with_checkpoints_is_named() -> None:
    chain(3)
    assert write_checkpoint() is not None
    superuser_mode()
    raw("DELETE FROM audit_auditrecord")
    raw("DELETE FROM audit_audithead")
    ok, out = verify_output()
    assert not ok and "the log is empty, but the checkpoint" in out


def test_shortened_tail_with_the_anchor_moved_back_is_named() -> None:
    recs = chain(5)
    write_checkpoint()
    superuser_mode()
    raw("DELETE FROM audit_auditrecord WHERE seq > 3")
    raw("UPDATE audit_audithead SET seq = 3, hash = %s", [recs[2].hash])
    found = {(p.seq, p.kind, p.reason) for p in verify_chain().problems}
    assert found == {(4, "deleted", "checkpoint_tail")}
    ok, out = verify_output()
    assert not ok and "records #4–#5 are missing" in out


def test_forged_append_with_the_anchor_moved_forward_is_named() -> None:
    recs = chain(3)
    superuser_mode()
    for key_id in ("", recs[-1].key_id):  # unkeyed, or under the key's id with a guess
        content = record_content(recs[-1]) | {"seq": 4, "summary": "forged", "key_id": key_id}
        forged = link_hash(recs[-1].hash, content)
        raw("DELETE FROM audit_auditrecord WHERE seq = 4")
        AuditRecord.objects.create(
            seq=4, at=recs[-1].at, action=content["action"], summary="forged",
            after=content["after"], key_id=key_id, prev_hash=recs[-1].hash, hash=forged,
        )  # fmt: skip
        raw("UPDATE audit_audithead SET seq = 4, hash = %s", [forged])
        reasons = {(p.seq, p.reason) for p in verify_chain().problems}
        assert reasons == {(4, "unkeyed" if not key_id else "hmac_mismatch")}
        assert not verify_output()[0]


def test_rehashed_tail_is_named() -> None:
    recs = chain(4)
    write_checkpoint()
    superuser_mode()
    # Rewrite #3 and #4 and re-hash them (the attacker has no key: plain SHA-256),
    # moving the anchor along.
    prev = recs[1].hash
    for rec in recs[2:]:
        content = record_content(rec) | {"summary": "nothing happened", "key_id": ""}
        new = link_hash(prev, content)
        raw(
            "UPDATE audit_auditrecord SET summary = %s, key_id = '', prev_hash = %s, hash = %s "
            "WHERE seq = %s",
            ["nothing happened", prev, new, rec.seq],
        )
        prev = new
    raw("UPDATE audit_audithead SET seq = 4, hash = %s", [prev])
    found = {(p.seq, p.reason) for p in verify_chain().problems}
    assert {(3, "unkeyed"), (4, "unkeyed"), (4, "checkpoint_hash")} <= found


def test_old_unkeyed_records_still_verify() -> None:
    """Records from before the key (key_id empty: version 1) keep verifying; the
    keyed ones follow them."""
    recs = chain(2)
    superuser_mode()
    prev = "0" * 64
    for rec in recs:  # as an older OpsQM wrote them
        new = link_hash(prev, record_content(rec) | {"key_id": ""})
        raw(
            "UPDATE audit_auditrecord SET key_id = '', prev_hash = %s, hash = %s WHERE seq = %s",
            [prev, new, rec.seq],
        )
        prev = new
    raw("UPDATE audit_audithead SET seq = 2, hash = %s", [prev])
    rec = log_action("test.after", summary="after the upgrade")
    assert rec.key_id and rec.prev_hash == prev
    assert verify_chain().ok


def test_key_rotation_keeps_old_records_verifiable(settings: Any, tmp_path: Any) -> None:
    settings.OPSQM_AUDIT_KEY_FILE = tmp_path / "audit.key"  # not the session's key file
    first = chain(2)
    write_checkpoint()
    old_id = first[0].key_id
    call_command("audit", "rotate-key", stdout=io.StringIO())
    new_id = next(reversed(load_keys()))
    assert new_id != old_id and old_id in load_keys()
    later = chain(2)
    assert {r.key_id for r in later} == {new_id}
    assert write_checkpoint() is not None
    assert verify_chain().ok
    # An old key removed from the file: its records can no longer be checked.
    path = key_path()
    path.write_text("\n".join(line for line in path.read_text().splitlines() if old_id not in line))
    reasons = {p.reason for p in verify_chain().problems}
    assert "key_unknown" in reasons and "checkpoint_forged" in reasons


def test_edited_checkpoint_line_is_named(settings: Any) -> None:
    chain(2)
    write_checkpoint()
    cp_file = settings.OPSQM_AUDIT_CHECKPOINT_FILE
    data = json.loads(cp_file.read_text())
    cp_file.write_text(json.dumps(data | {"seq": 1}) + "\n")
    assert {p.reason for p in verify_chain().problems} == {"checkpoint_forged"}


def test_checkpoint_job_writes_the_file_and_mails_the_audit_admins(
    audit_admin: Any, settings: Any
) -> None:
    from opsqm.infra.mail.tasks import audit_checkpoint

    audit_admin.email = "audit@bureau.example"
    audit_admin.save()
    recs = chain(2)
    head = AuditRecord.objects.order_by("-seq").first()
    assert head is not None and head.seq >= recs[-1].seq
    result = audit_checkpoint(Job(kind="audit.checkpoint", payload={}))
    assert result["mailed_to"] == ["audit@bureau.example"]
    line = settings.OPSQM_AUDIT_CHECKPOINT_FILE.read_text().strip()
    assert json.loads(line)["seq"] == result["seq"]
    mail = OutboundMessage.objects.get(subject__contains=f"#{result['seq']}")
    assert mail.to == ["audit@bureau.example"]
    # The mailed lines check the log on their own (--checkpoints).
    mailed = settings.OPSQM_AUDIT_CHECKPOINT_FILE.parent / "from-mail.jsonl"
    mailed.write_text(line + "\n")
    call_command("audit", "verify", "--checkpoints", str(mailed), stdout=io.StringIO())


def test_the_checkpoint_schedule_is_at_least_hourly() -> None:
    from opsqm.infra.jobs.registry import periodics

    spec = next(p for p in periodics() if p.name == "audit.checkpoint")
    assert spec.interval() <= 3600
