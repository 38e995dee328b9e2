"""Two-process scoring gives the single-process answer, or declines."""

from __future__ import annotations

import importlib.util
import os
import sys
from datetime import datetime
from pathlib import Path

import pytest

from opsqm.assessment.engine import assess
from opsqm.assessment.evidence_log import read_evidence_log
from opsqm.assessment.model import TZ
from opsqm.assessment.parallel import score_in_halves, split_point
from opsqm.assessment.rulebook import load_rulebook, rulebook_for

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")

ROOT = Path(__file__).parents[2]
AS_OF = datetime(2026, 12, 31, 18, 0, tzinfo=TZ)
RULEBOOK = load_rulebook()


def score(evidence):
    return [assess(ev, AS_OF, rulebook_for(ev.contract, RULEBOOK)) for ev in evidence.values()]


@pytest.fixture(scope="module")
def small_year(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    out = tmp_path_factory.mktemp("year") / "year.jsonl"
    argv = ["--contracts", "6", "--tickets", "40", "--staff", "2", "--seed", "3", "--out", str(out)]
    assert generate.main(argv) == 0
    return out


def test_halves_agree_with_one_process(small_year):
    serial = read_evidence_log(small_year)
    halves = score_in_halves(small_year, score, min_bytes=0)
    assert halves is not None
    assert [c.id for c, _ in halves] == list(serial)
    assert [lg for _, lg in halves] == score(serial)
    # line numbers of the second half are the file's, not the half's
    last_items = [i for i in halves[-1][1].items if i.line]
    assert last_items and max(i.line for i in last_items) > split_point(small_year, 0)[1]


def test_small_logs_are_not_split(small_year):
    assert split_point(small_year) is None
    assert score_in_halves(small_year, score) is None


def test_a_contract_in_both_halves_declines(small_year, tmp_path):
    lines = small_year.read_bytes().splitlines(keepends=True)
    # move the first contract's last line to the end: that contract is now in both halves
    moved = tmp_path / "moved.jsonl"
    first_contract_end = next(
        i for i, x in enumerate(lines[1:], 1) if x.startswith(b'{"type":"contract"')
    )
    lines.append(lines.pop(first_contract_end - 1))
    moved.write_bytes(b"".join(lines))
    assert read_evidence_log(moved)  # still a valid log
    assert score_in_halves(moved, score, min_bytes=0) is None


@pytest.mark.parametrize("where", ["first", "second"])
def test_a_bad_line_in_either_half_declines(small_year, tmp_path, where):
    lines = small_year.read_bytes().splitlines(keepends=True)
    at = 3 if where == "first" else len(lines) - 1
    lines.insert(at, b"{oops\n")
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"".join(lines))
    assert score_in_halves(bad, score, min_bytes=0) is None


def test_a_failing_scorer_declines(small_year):
    def broken(evidence):
        raise RuntimeError("boom")

    assert score_in_halves(small_year, broken, min_bytes=0) is None
    assert sys.stdout is not None  # the child never came back into pytest
