"""Ledger pages: one engine, one answer — the page equals `opsqm score` on the export."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from django.core.management import call_command

from opsqm.cli import main as cli_main
from tests.web.fixtures_registers import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.django_db
AS_OF = "2025-09-30T12:00:00+08:00"


def _cli_json(path) -> list[dict]:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8")
    with contextlib.redirect_stdout(out):
        code = cli_main(["score", str(path), "--as-of", AS_OF, "--json"])
        out.flush()
    assert code in (0, None)
    return json.loads(raw.getvalue())


def test_ledger_json_equals_cli_on_export(evidence_a, assessor, login, tmp_path):
    path = tmp_path / "a.jsonl"
    call_command("export", "--contract", evidence_a.code, "-o", str(path))
    [cli] = _cli_json(path)
    resp = login(assessor).get(f"/ledger/{evidence_a.code}.json", {"as_of": AS_OF})
    assert resp.status_code == 200
    page = resp.json()
    # The API adds one label to the engine's ledger: a provisional tier is projected.
    assert page.pop("tier_projected") is (not cli["final"])
    assert page == cli
    # The evidence moved the score: P2 (late notice), I1, Q1, R1 (highest level once), D1.
    rules = {i["rule"] for i in page["items"]}
    assert {"P2", "I1", "Q1", "R1", "D1"} <= rules
    assert page["totals"]["R1"] == "10.00"


def test_ledger_page_shows_items_totals_and_settlement(evidence_a, supervisor, login):
    resp = login(supervisor).get(f"/ledger/{evidence_a.code}/", {"as_of": AS_OF})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "第十六条二" in html and "S01→S02" in html
    assert f'href="/staff/{evidence_a.staff.get(person="S01").pk}/"' in html
    assert "132,500.00" not in html  # contract A's final payment is ¥300,000.00
    assert "¥300,000.00" in html


def test_ledger_index_lists_contracts_in_scope(evidence_a, contract_b, vendor_manager, login):
    resp = login(vendor_manager).get("/ledger/", {"as_of": "2025-09-30"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert evidence_a.code in html and contract_b.code not in html


def test_ledger_scope_and_roles(evidence_a, contract_b, login, users, other_vendor_manager):
    assert login(other_vendor_manager).get(f"/ledger/{evidence_a.code}/").status_code == 404
    assert login(users["vendor_manager"]).get(f"/ledger/{contract_b.code}.json").status_code == 404
    for role in ("system_admin", "security_admin", "audit_admin", "recipient"):
        assert login(users[role]).get(f"/ledger/{evidence_a.code}/").status_code == 403
    assert login(None).get("/ledger/").status_code == 302


def test_bad_as_of_is_400(evidence_a, assessor, login):
    resp = login(assessor).get(f"/ledger/{evidence_a.code}.json", {"as_of": "yesterday"})
    assert resp.status_code == 400
    assert "as_of" in resp.json()


def test_ledger_page_and_settlement_group_items_alike(evidence_a):
    """The ledger page groups the engine's items, the settlement a ledger dict: one
    grouping (opsqm.derived.ledger.services.rule_groups), the same rules, points and fines."""
    import datetime
    from decimal import Decimal

    from opsqm.derived.ledger.services import contract_ledger, item_groups
    from opsqm.derived.settlement.exports import groups
    from opsqm.pure.assessment.ledger_json import ledger_to_dict
    from opsqm.pure.assessment.model import RULE_IDS

    ledger = contract_ledger(evidence_a, datetime.datetime.fromisoformat(AS_OF))
    page, statement = item_groups(ledger), groups(ledger_to_dict(ledger))
    assert [g["rule"] for g in page] == [g["rule"] for g in statement]
    # In rule order, the rules with items only.
    assert [g["rule"] for g in page] == [r for r in RULE_IDS if r in {i.rule for i in ledger.items}]
    for p, s in zip(page, statement, strict=True):
        assert len(p["items"]) == len(s["items"]) and p["clause"] == s["clause"]
        assert str(p["points"]) == s["points"]
        assert p["fine"] == s["fine"] == sum((i.fine for i in p["items"]), Decimal(0))
    i1 = next(g for g in page if g["rule"] == "I1")
    assert i1["fine"] > 0 and i1["points"] < 0
