"""Every write of evidence bumps its contract's evidence version: the models the
adapter reads all have receivers, and every signal-less bulk write in the source
calls `bump_evidence` (docs/ledger.md)."""

from __future__ import annotations

import ast
import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.test.utils import CaptureQueriesContext

from opsqm.derived.evidence.adapter import contract_evidence
from opsqm.derived.ledger.evidence_signals import evidence_models
from opsqm.derived.ledger.services import contract_rulebook
from opsqm.facts.contracts.evidence_version import evidence_versions
from tests.web.fixtures_registers import *  # noqa: F403  (fixtures)

ROOT = Path(__file__).resolve().parents[2] / "opsqm"
BULK = {"bulk_create", "bulk_update", "update"}
# Signal-less writes whose bump is elsewhere in the same transaction.
BUMPED_ELSEWHERE = {
    ("derived/evidence/importer.py", "flush"): "import_evidence bumps every imported contract",
}


def _tables_read(contract: Any) -> set[str]:
    with CaptureQueriesContext(connection) as ctx:
        ev = contract_evidence(contract)
        contract_rulebook(ev.contract)
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    return set(re.findall(r'(?:FROM|JOIN)\s+"?(\w+)"?', sql))


@pytest.mark.django_db
def test_every_model_the_evidence_reads_bumps_the_version(evidence_a: Any) -> None:
    tables = _tables_read(evidence_a)
    by_table = {m._meta.db_table: m for m in apps.get_models()}
    read = {by_table[t] for t in tables if t in by_table}
    read -= {apps.get_model("contracts", "EvidenceVersion")}
    assert len(read) >= 12  # the walk found the adapter's queries
    covered = set(evidence_models())
    assert read - covered == set(), "evidence models without a version bump"
    for model in covered:
        assert post_save.has_listeners(model) and post_delete.has_listeners(model), model


def _root(node: ast.AST) -> tuple[str | None, list[str]]:
    """The name a call chain starts from and the attributes along it."""
    attrs = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id, attrs
        else:
            return None, attrs


def _manager_bumps(model: Any) -> bool:
    """Does the model's manager bump in its own bulk_create (Punch)?"""
    import inspect

    own = type(model._default_manager).__dict__.get("bulk_create")
    return own is not None and "bump_evidence(" in inspect.getsource(own)


def test_every_bulk_write_of_evidence_bumps_the_version() -> None:
    names = {m.__name__ for m in evidence_models()}
    self_bumping = {m.__name__ for m in evidence_models() if _manager_bumps(m)}
    assert "Punch" in self_bumping
    offenders = []
    seen = 0
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts or "tests" in path.parts:
            continue
        rel = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            bumps = any(
                isinstance(n, ast.Name | ast.Attribute)
                and (getattr(n, "id", None) or getattr(n, "attr", None)) == "bump_evidence"
                for n in ast.walk(fn)
            )
            for call in ast.walk(fn):
                if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
                    continue
                if call.func.attr not in BULK:
                    continue
                root, attrs = _root(call.func.value)
                if root not in names and "_default_manager" not in attrs:
                    continue
                seen += 1
                if call.func.attr == "bulk_create" and root in self_bumping:
                    continue
                if not bumps and (rel, fn.name) not in BUMPED_ELSEWHERE:
                    offenders.append(f"{rel}:{call.lineno} {fn.name}")
    assert seen >= 4  # the walk found the known bulk writes (punches, the import)
    assert offenders == []


@pytest.mark.django_db
def test_bulk_punches_and_the_import_bump(evidence_a: Any, tmp_path: Any) -> None:
    from django.core.management import call_command

    from opsqm.facts.staff import services as st
    from opsqm.pure.assessment.model import TZ

    v0 = evidence_versions([evidence_a.pk])[evidence_a.pk]
    person = evidence_a.staff.get(person="S01")
    st.record_punches(person, [datetime.datetime(2025, 1, 3, 8, 55, tzinfo=TZ)], "dingtalk")
    v1 = evidence_versions([evidence_a.pk])[evidence_a.pk]
    assert v1 > v0
    path = tmp_path / "a.jsonl"
    call_command("export", "--contract", evidence_a.code, "-o", str(path))
    call_command("import", str(path))
    assert evidence_versions([evidence_a.pk])[evidence_a.pk] > v1
