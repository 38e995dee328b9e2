"""The evidence adapter, `opsqm export` and `opsqm import`."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from opsqm.derived.evidence.adapter import contract_evidence
from opsqm.derived.evidence.importer import import_evidence
from opsqm.facts.contracts.models import Contract, Vendor
from opsqm.facts.staff.models import Punch, StaffMember
from opsqm.facts.tickets.models import Ticket
from opsqm.infra.audit.models import AuditRecord
from opsqm.pure.assessment.evidence_log import read_evidence_log, write_evidence_log
from tests.web.fixtures_registers import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.django_db


def _export(tmp_path, name="out.jsonl", *args):
    path = tmp_path / name
    call_command("export", *args, "-o", str(path))
    return path


def _wipe():
    from opsqm.facts.incidents.models import Incident, Praise, QuarterlyEvaluation, ServiceDelay
    from opsqm.facts.staff.models import Replacement

    for model in (Punch, Replacement, Ticket, Incident, QuarterlyEvaluation, Praise, ServiceDelay):
        model.objects.all().delete()
    StaffMember.objects.all().delete()
    for c in Contract.objects.all():
        c.units.clear()
    Contract.objects.all().delete()


def test_adapter_maps_every_record(evidence_a):
    ev = contract_evidence(evidence_a)
    assert ev.contract.id == "BJJY-2025-001"
    assert [s.person for s in ev.staff] == ["S01", "S02"]
    assert ev.staff[0].verified_on is not None and ev.staff[1].verified_on is None
    assert ev.staff[0].left_on.isoformat() == "2025-03-03"  # the replacement set it
    assert len(ev.replacements) == len(ev.punches) // 2 == len(ev.leaves) == 1
    assert [t.id for t in ev.tickets] == ["GD-0001", "GD-0002"]
    assert ev.tickets[1].satisfaction is None and ev.tickets[1].resolved_at is None
    assert len(ev.incidents) == len(ev.evaluations) == len(ev.service_delays) == 1
    assert len(ev.praises) == 2


def test_adapter_query_count(evidence_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(11):
        contract_evidence(evidence_a)


def test_export_reads_back_equal_to_adapter(evidence_a, contract_b, tmp_path):
    path = _export(tmp_path)
    read = read_evidence_log(str(path))
    assert list(read) == ["BJJY-2025-001", "BJJY-2025-002"]
    assert read["BJJY-2025-001"] == contract_evidence(evidence_a)
    one = _export(tmp_path, "one.jsonl", "--contract", "BJJY-2025-002")
    assert list(read_evidence_log(str(one))) == ["BJJY-2025-002"]


def test_import_into_empty_db_then_export_is_byte_identical(evidence_a, tmp_path):
    first = _export(tmp_path, "first.jsonl").read_bytes()
    _wipe()
    assert not Contract.objects.exists()
    out = io.StringIO()
    call_command("import", str(tmp_path / "first.jsonl"), stdout=out)
    assert "created" in out.getvalue()
    second = _export(tmp_path, "second.jsonl").read_bytes()
    assert second == first


def test_import_twice_changes_nothing(evidence_a, tmp_path):
    path = _export(tmp_path)
    evidences = read_evidence_log(str(path))
    before_audit = AuditRecord.objects.count()
    result = import_evidence(evidences.values())
    assert not result.changed
    assert sum(result.unchanged.values()) > 10
    # One audit record per import, with the counts.
    assert AuditRecord.objects.count() == before_audit + 1
    rec = AuditRecord.objects.order_by("-seq").first()
    assert rec.action == "evidence.import"
    assert rec.after["counts"]["ticket"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert _export(tmp_path, "again.jsonl").read_bytes() == path.read_bytes()


def test_import_updates_a_changed_record(evidence_a, tmp_path):
    path = _export(tmp_path)
    text = path.read_text().replace('"level":2', '"level":1')
    path.write_text(text)
    result = import_evidence(read_evidence_log(str(path)).values())
    assert result.updated["incident"] == 1
    assert evidence_a.incidents.get().level == 1


def test_import_bad_file_lists_every_issue_and_stores_nothing(db, tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"type":"contract","id":"X-1","title":"t","vendor":"v","amount":"oops",'
        '"final_payment":"1.00","start":"2025-01-01","end":"2025-12-31"}\n'
        '{"type":"ticket","contract":"X-1","id":"GD-1","problem":"p","priority":"soon",'
        '"dispatched_at":"2025-01-02T10:00:00+08:00"}\n'
    )
    with pytest.raises(SystemExit) as exc:
        call_command("import", str(bad))
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "line 1" in err and "amount" in err
    assert "line 2" in err and "priority" in err
    assert not Contract.objects.exists() and not Vendor.objects.exists()


def test_import_is_all_or_nothing(db, tmp_path):
    """A contract whose rulebook is unknown fails the whole import."""
    log = tmp_path / "two.jsonl"
    log.write_text(
        '{"type":"contract","id":"X-1","title":"t","vendor":"v","amount":"10.00",'
        '"final_payment":"1.00","start":"2025-01-01","end":"2025-12-31"}\n'
        '{"type":"contract","id":"X-2","title":"t","vendor":"v","amount":"10.00",'
        '"final_payment":"1.00","start":"2025-01-01","end":"2025-12-31","rulebook":"nope"}\n'
    )
    with pytest.raises(SystemExit):
        call_command("import", str(log))
    assert not Contract.objects.exists()


def test_write_matches_command_output(evidence_a, tmp_path):
    buf = io.BytesIO()
    write_evidence_log([contract_evidence(evidence_a)], buf)
    path = _export(tmp_path, "a.jsonl", "--contract", evidence_a.code)
    assert path.read_bytes() == buf.getvalue()
