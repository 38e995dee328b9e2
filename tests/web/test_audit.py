"""The audit log: append-only (model and database), hash chain verification that
names edited / inserted / deleted records, the audit administrator's pages."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import importlib
import io
import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from opsqm.infra.audit import services as audit_services
from opsqm.infra.audit.chain import GENESIS, NAMED_PER_GAP, check_anchor, link_hash
from opsqm.infra.audit.keys import load_keys
from opsqm.infra.audit.models import AppendOnlyError, AuditHead, AuditRecord
from opsqm.infra.audit.services import log_action, record_content, verify_chain
from opsqm.infra.core.roles import Role
from tests.scope import client_for
from tests.threads import run_together

pytestmark = pytest.mark.django_db


def make_chain(n: int = 5) -> list[AuditRecord]:
    return [
        log_action(
            f"test.action{i}",
            object_type="tests.thing",
            object_id=str(i),
            summary=f"change {i}",
            before={"n": i - 1},
            after={"n": i, "when": datetime.date(2025, 1, i + 1), "amount": "1.50"},
            ip="192.168.0.9",
        )
        for i in range(1, n + 1)
    ]


def sign(prev_hash: str, content: dict[str, Any]) -> str:
    """The keyed hash an insider holding the audit key would compute: the chain's
    links must still show what such a record did."""
    return link_hash(prev_hash, content, load_keys()[content["key_id"]])


def drop_triggers() -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("DROP TRIGGER audit_auditrecord_no_update ON audit_auditrecord")
            cur.execute("DROP TRIGGER audit_auditrecord_no_delete ON audit_auditrecord")
        else:
            cur.execute("DROP TRIGGER audit_auditrecord_no_update")
            cur.execute("DROP TRIGGER audit_auditrecord_no_delete")


def raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])


def problems() -> set[tuple[int, str]]:
    return {(p.seq, p.kind) for p in verify_chain().problems}


# --- append-only ---------------------------------------------------------------


def test_model_refuses_update_and_delete() -> None:
    rec = make_chain(1)[0]
    rec.summary = "changed"
    with pytest.raises(AppendOnlyError):
        rec.save()
    with pytest.raises(AppendOnlyError):
        rec.delete()
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.filter(pk=rec.pk).update(summary="x")
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.all().delete()


def test_database_triggers_refuse_update_and_delete() -> None:
    rec = make_chain(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("UPDATE audit_auditrecord SET summary = 'x' WHERE id = %s", [rec.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("DELETE FROM audit_auditrecord WHERE id = %s", [rec.pk])
    assert AuditRecord.objects.get(pk=rec.pk).summary == "change 1"


# --- the chain -----------------------------------------------------------------


@pytest.mark.parametrize("micro", [0, 1, 123456, 999999])
def test_time_reads_back_as_the_hashed_string(monkeypatch: Any, micro: int) -> None:
    fixed = datetime.datetime(2025, 3, 1, 8, 30, 15, micro, tzinfo=datetime.UTC)
    monkeypatch.setattr(audit_services.timezone, "now", lambda: fixed)
    rec = log_action("test.time", summary="t", ip="::ffff:10.0.0.1")
    stored = AuditRecord.objects.get(pk=rec.pk)
    assert record_content(stored)["at"] == fixed.isoformat()
    assert stored.ip == "10.0.0.1"
    assert sign(stored.prev_hash, record_content(stored)) == stored.hash
    assert stored.key_id and link_hash(stored.prev_hash, record_content(stored)) != stored.hash
    assert verify_chain().ok


def test_intact_chain_verifies() -> None:
    make_chain(5)
    report = verify_chain()
    assert report.ok and report.count == 5 and report.head_seq == 5
    call_command("audit", "verify", stdout=io.StringIO())


def test_edit_is_named() -> None:
    make_chain(5)
    drop_triggers()
    raw("UPDATE audit_auditrecord SET summary = 'nothing happened' WHERE seq = 3")
    assert problems() == {(3, "edited")}


def test_edit_with_recomputed_hash_is_named() -> None:
    recs = make_chain(5)
    drop_triggers()
    forged = record_content(recs[1]) | {"summary": "rewritten"}
    raw(
        "UPDATE audit_auditrecord SET summary = %s, hash = %s WHERE seq = 2",
        ["rewritten", sign(recs[1].prev_hash, forged)],
    )
    assert problems() == {(2, "edited")}


def test_delete_is_named() -> None:
    make_chain(5)
    drop_triggers()
    raw("DELETE FROM audit_auditrecord WHERE seq = 3")
    assert problems() == {(3, "deleted")}


def test_insert_is_named() -> None:
    recs = make_chain(4)
    drop_triggers()
    # Make room after #2 (renumbering edits the later records) and insert a
    # record that links correctly to #2.
    for seq in (4, 3):
        raw("UPDATE audit_auditrecord SET seq = seq + 1 WHERE seq = %s", [seq])
    content = record_content(recs[0]) | {
        "seq": 3,
        "summary": "forged",
        "action": "test.forged",
        "before": None,
        "after": None,
    }
    AuditRecord.objects.create(
        seq=3,
        at=recs[0].at,
        actor_id=None,
        actor_name="",
        actor_role="",
        ip="192.168.0.9",
        action="test.forged",
        object_type="tests.thing",
        object_id="1",
        summary="forged",
        before=None,
        after=None,
        prev_hash=recs[1].hash,
        hash=sign(recs[1].hash, content),
        key_id=content["key_id"],
    )
    found = problems()
    assert (3, "inserted") in found
    assert {(4, "edited"), (5, "edited")} <= found  # renumbered
    assert all(seq >= 3 for seq, _ in found)


def test_insert_of_a_bad_record_is_named() -> None:
    recs = make_chain(3)
    drop_triggers()
    raw("UPDATE audit_auditrecord SET seq = 4 WHERE seq = 3")
    AuditRecord.objects.create(
        seq=3,
        at=recs[0].at,
        action="test.forged",
        prev_hash="f" * 64,
        hash="e" * 64,
    )
    found = problems()
    assert (3, "inserted") in found and (4, "edited") in found


def test_verify_command_names_problems_and_fails() -> None:
    make_chain(5)
    drop_triggers()
    raw("UPDATE audit_auditrecord SET summary = 'x' WHERE seq = 2")
    raw("DELETE FROM audit_auditrecord WHERE seq = 4")
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify", stdout=out)
    assert exc.value.returncode == 1
    text = out.getvalue()
    assert "#2\tedited" in text and "#4\tdeleted" in text


def test_verify_command_detects_removed_head() -> None:
    recs = make_chain(3)
    head = f"{recs[-1].seq}:{recs[-1].hash}"
    call_command("audit", "verify", "--expect-head", head, stdout=io.StringIO())
    drop_triggers()
    raw("DELETE FROM audit_auditrecord WHERE seq = 3")
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--expect-head", head, stdout=io.StringIO())


# --- the head anchor ---------------------------------------------------------------


def anchor() -> tuple[int, str] | None:
    return audit_services.read_anchor()


def drop_anchor_triggers() -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("DROP TRIGGER audit_audithead_forward ON audit_audithead")
        else:
            cur.execute("DROP TRIGGER audit_audithead_forward")
            cur.execute("DROP TRIGGER audit_audithead_no_delete")


def test_anchor_follows_every_append() -> None:
    assert anchor() is None
    recs = make_chain(3)
    assert anchor() == (3, recs[-1].hash)
    rec = log_action("test.more", summary="more")
    assert anchor() == (4, rec.hash)
    report = verify_chain()
    assert report.ok and (report.anchor_seq, report.anchor_hash) == (4, rec.hash)


def test_tail_deletion_is_named_without_expect_head() -> None:
    make_chain(5)
    drop_triggers()
    raw("DELETE FROM audit_auditrecord WHERE seq >= 4")
    assert problems() == {(4, "deleted"), (5, "deleted")}
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify", stdout=out)
    assert exc.value.returncode == 1
    assert "#4\tdeleted" in out.getvalue() and "#5\tdeleted" in out.getvalue()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["anchor"]["seq"] == 5 and data["head"]["seq"] == 3
    assert [(p["seq"], p["kind"]) for p in data["problems"]] == [(4, "deleted"), (5, "deleted")]


def test_deleting_the_whole_log_is_named() -> None:
    make_chain(3)
    drop_triggers()
    raw("DELETE FROM audit_auditrecord")
    assert problems() == {(1, "deleted"), (2, "deleted"), (3, "deleted")}


def test_an_append_after_tail_deletion_keeps_the_gap() -> None:
    recs = make_chain(5)
    drop_triggers()
    raw("DELETE FROM audit_auditrecord WHERE seq >= 4")
    rec = log_action("test.after", summary="after the deletion")
    # Linked to the anchor (the removed #5), not to #3: the gap stays in the chain.
    assert rec.seq == 6 and rec.prev_hash == recs[-1].hash
    assert problems() == {(4, "deleted"), (5, "deleted")}
    assert anchor() == (6, rec.hash)


def test_records_beyond_the_anchor_are_named() -> None:
    recs = make_chain(3)
    # Appended without the application (no anchor move), correctly linked.
    content = record_content(recs[-1]) | {"seq": 4, "summary": "forged", "action": "test.forged"}
    AuditRecord.objects.create(
        seq=4,
        at=recs[-1].at,
        ip="192.168.0.9",
        action="test.forged",
        object_type="tests.thing",
        object_id="3",
        summary="forged",
        before=content["before"],
        after=content["after"],
        prev_hash=recs[-1].hash,
        hash=sign(recs[-1].hash, content),
        key_id=content["key_id"],
    )
    assert problems() == {(4, "inserted")}
    # The next append links to the anchor: the forged record stays named.
    rec = log_action("test.after", summary="after")
    assert rec.seq == 5 and rec.prev_hash == recs[-1].hash
    assert problems() == {(4, "inserted")}


def test_the_record_at_the_anchor_must_match_it() -> None:
    recs = make_chain(3)
    drop_triggers()
    forged = record_content(recs[-1]) | {"summary": "rewritten"}
    raw(
        "UPDATE audit_auditrecord SET summary = %s, hash = %s WHERE seq = 3",
        ["rewritten", sign(recs[-1].prev_hash, forged)],
    )
    # The newest record rewritten with a recomputed hash: no later record shows it,
    # the anchor does.
    assert problems() == {(3, "edited")}


def test_anchor_refuses_moving_back_and_deletion() -> None:
    make_chain(3)
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("UPDATE audit_audithead SET seq = 2")
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("UPDATE audit_audithead SET seq = 3, hash = %s", ["0" * 64])
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("DELETE FROM audit_audithead")
    with pytest.raises(AppendOnlyError):
        AuditHead.objects.get().delete()
    with pytest.raises(AppendOnlyError):
        AuditHead.objects.all().delete()
    assert verify_chain().ok


def test_a_missing_anchor_is_named() -> None:
    make_chain(3)
    drop_anchor_triggers()
    raw("DELETE FROM audit_audithead")
    assert problems() == {(3, "anchor")}
    # The next append anchors the log again at its end.
    rec = log_action("test.after", summary="after")
    assert rec.seq == 4 and anchor() == (4, rec.hash) and verify_chain().ok


def test_migration_anchors_an_existing_log() -> None:
    from django.apps import apps

    migration = importlib.import_module("opsqm.infra.audit.migrations.0003_head_anchor")
    recs = make_chain(3)
    drop_anchor_triggers()
    raw("DELETE FROM audit_audithead")
    migration.anchor_existing_log(apps, SimpleNamespace(connection=connection))
    assert anchor() == (3, recs[-1].hash)


def test_check_anchor_tolerates_appends_while_verifying() -> None:
    recs = [record_content(r) for r in make_chain(5)]
    h = {r["seq"]: r["hash"] for r in recs}
    # #5 was appended after the anchor was first read (#4), before it was read again.
    assert check_anchor(recs, (4, h[4]), (5, h[5])) == []
    # #6 was appended after the records were read.
    assert check_anchor(recs, (5, h[5]), (6, "f" * 64)) == []
    # Read before the records: the anchor said #5, so #5 must be there.
    found = check_anchor(recs[:3], (5, h[5]), (6, "f" * 64))
    assert [(p.seq, p.kind) for p in found] == [(4, "deleted"), (5, "deleted")]


def test_a_huge_gap_is_named_as_a_range() -> None:
    recs = [record_content(r) for r in make_chain(2)]
    found = check_anchor(recs, (10**9, "f" * 64), (10**9, "f" * 64))
    assert len(found) == NAMED_PER_GAP + 1
    assert found[0].seq == 3 and found[-1].seq == 3 + NAMED_PER_GAP
    assert f"#{10**9}" in found[-1].detail


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_stay_one_chain() -> None:
    """Several processes' appends are serialised (PostgreSQL: advisory lock), each
    moving the anchor; real threads with their own connections."""
    if connection.vendor != "postgresql":
        pytest.skip("threads on the in-memory SQLite test database serialise on table locks")
    n, each = 4, 15

    def append(i: int) -> None:
        for k in range(each):
            with transaction.atomic():
                log_action(f"test.thread{i}", object_id=str(k), summary=f"{i}/{k}")

    errors = run_together(n, append)
    assert errors == []
    report = verify_chain()
    assert report.ok and report.count == n * each
    assert list(AuditRecord.objects.values_list("seq", flat=True)) == list(range(1, n * each + 1))
    assert (report.anchor_seq, report.anchor_hash) == (report.head_seq, report.head_hash)


# --- pages -----------------------------------------------------------------------


def test_only_the_audit_admin_sees_the_log(users: dict[str, Any]) -> None:
    make_chain(2)
    for role in Role:
        r = client_for(users[role]).get(reverse("audit:list"))
        assert r.status_code == (200 if role == Role.AUDIT_ADMIN else 403), role


def test_list_filters(users: dict[str, Any]) -> None:
    make_chain(5)
    c = client_for(users[Role.AUDIT_ADMIN])

    def seqs(**params: str) -> list[int]:
        return [r.seq for r in c.get(reverse("audit:list"), params).context["page"]]

    assert seqs(object_type="tests.thing", object_id="2") == [2]
    assert seqs(action="test.action3") == [3]
    assert seqs(q="change 4") == [4]
    today = timezone.localdate()
    assert len(seqs(date_from=str(today), date_to=str(today))) == AuditRecord.objects.count()
    assert seqs(date_to=str(today - datetime.timedelta(days=1))) == []
    r = c.get(reverse("audit:list"), {"date_from": "not-a-date"})
    assert r.status_code == 200 and r.context["form"].errors


def test_detail_shows_the_diff(users: dict[str, Any]) -> None:
    make_chain(2)
    r = client_for(users[Role.AUDIT_ADMIN]).get(reverse("audit:detail", args=[2]))
    assert r.status_code == 200
    assert ("n", 1, 2) in r.context["diff"]
    assert client_for(users[Role.AUDIT_ADMIN]).get("/audit/999/").status_code == 404


def test_exports_guard_formulas(users: dict[str, Any]) -> None:
    log_action("test.evil", summary='=HYPERLINK("http://x","click")', object_id="@SUM(A1)")
    c = client_for(users[Role.AUDIT_ADMIN])
    r = c.get(reverse("audit:export_csv"))
    assert r["Content-Disposition"].startswith("attachment;")
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    evil = next(row for row in rows if "test.evil" in row)
    assert '\'=HYPERLINK("http://x","click")' in evil and "'@SUM(A1)" in evil

    from openpyxl import load_workbook

    r = c.get(reverse("audit:export_xlsx"))
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    cells = [cell for row in ws.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    assert '\'=HYPERLINK("http://x","click")' in [cell.value for cell in cells]
    assert AuditRecord.objects.filter(action="audit.export").count() == 2


def test_verify_button(users: dict[str, Any]) -> None:
    make_chain(3)
    c = client_for(users[Role.AUDIT_ADMIN])
    r = c.get(reverse("audit:verify"), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and r.context["report"].ok
    assert b"<html" not in r.content
    drop_triggers()
    raw("UPDATE audit_auditrecord SET summary = 'x' WHERE seq = 2")
    r = c.get(reverse("audit:verify"))
    assert not r.context["report"].ok
    assert (2, "edited") in {(p.seq, p.kind) for p in r.context["report"].problems}


def test_every_chain_problem_reads_in_the_readers_language() -> None:
    """Each reason the chain check gives has a translated sentence with its numbers;
    the English detail stays for the command line and the API."""
    from django.utils import translation

    from opsqm.infra.audit.chain import missing_range, verify
    from opsqm.infra.audit.checkpoints import check_checkpoints, make_checkpoint, parse_checkpoints
    from opsqm.infra.audit.labels import PROBLEM_REASONS, problem_detail_label

    recs = [record_content(r) for r in make_chain(6)]
    keys = load_keys()
    edited = dict(recs[1], summary="forged")
    rehashed = dict(edited, hash=sign(edited["prev_hash"], edited))
    inserted = dict(recs[2], seq=2)
    problems = [
        *verify([recs[0], recs[2], *recs[3:]], keys),  # #2 deleted
        *verify([recs[0], edited, *recs[2:]], keys),  # #2 edited
        *verify([recs[0], rehashed, *recs[2:]], keys),  # #2 rewritten, hash recomputed
        *verify([recs[0], recs[1], recs[2], inserted, *recs[3:]], keys),  # out of order
        *verify([recs[0], dict(recs[3], seq=2)], keys),  # broken link
        *missing_range(3, 3 + NAMED_PER_GAP, "before #5000", next=5000),
        *check_anchor(recs, (8, "f" * 64), (8, "f" * 64)),  # tail deleted
        *check_anchor(recs, (6 + NAMED_PER_GAP + 2, "f" * 64), (6 + NAMED_PER_GAP + 2, "f" * 64)),
        *check_anchor(recs, (4, recs[3]["hash"]), (4, recs[3]["hash"])),  # beyond the anchor
        *check_anchor(recs, (6, "0" * 64), (6, "0" * 64)),  # the newest record edited
        *check_anchor(recs, None, None),  # no anchor
    ]
    old = dict(recs[0], key_id="", prev_hash=GENESIS, hash=link_hash(GENESIS, recs[0]))
    old2 = dict(recs[1], key_id="", prev_hash=recs[0]["hash"])
    old2["hash"] = link_hash(old2["prev_hash"], old2)
    problems += verify([dict(old, summary="forged")], keys)  # an old record edited
    problems += verify([recs[0], old2], keys)  # unkeyed after keyed
    problems += verify(recs[:1], {})  # key not in the key file
    _, unreadable = parse_checkpoints("not json\n")
    key_id, key = next(iter(keys.items()))
    good = make_checkpoint(6, recs[5]["hash"], key_id, key)
    bad = make_checkpoint(6, "f" * 64, key_id, key)
    problems += unreadable + check_checkpoints([], [good], keys)  # wiped
    problems += check_checkpoints(recs[:4], [good], keys)  # tail cut
    problems += check_checkpoints(recs, [bad], keys)  # re-hashed
    problems += check_checkpoints(recs, [dataclasses.replace(good, mac="0" * 64)], keys)
    big = [dict(recs[0], seq=i) for i in range(1, NAMED_PER_GAP + 8)]
    problems += check_anchor(big, (1, recs[0]["hash"]), (1, recs[0]["hash"]))
    assert {p.reason for p in problems} == set(PROBLEM_REASONS)
    with translation.override("zh-hans"):
        for p in problems:
            text = problem_detail_label(p)
            assert "%(" not in text and text != p.detail, (p.reason, text)
        gap = problems[0]  # the first verify: #2 missing before #3
        assert (gap.reason, gap.seq) == ("missing_before", 2)
        assert "#2" in problem_detail_label(gap) and "#3" in problem_detail_label(gap)
