"""`opsqm score` and `opsqm validate`: output, exit codes, error messages."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from opsqm import cli
from opsqm.pure.assessment.render_text import table, width

SAMPLE = Path(__file__).parents[1] / "examples" / "sample-year.jsonl"
AS_OF = "2026-10-25T00:00:00+08:00"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def score_json(capsys, *extra: str) -> list[dict]:
    capsys.readouterr()
    code = cli.main(["score", str(SAMPLE), "--as-of", AS_OF, "--json", *extra])
    assert code == 0
    # --json writes to the binary stdout buffer: capsys sees it through sys.stdout.
    return orjson.loads(capsys.readouterr().out)


def test_score_json_has_one_ledger_per_contract(capsys):
    ledgers = score_json(capsys)
    assert [lg["contract"] for lg in ledgers] == ["C-2025-001", "C-2025-002"]
    first = ledgers[0]
    assert set(first) >= {"contract", "as_of", "final", "score", "items", "totals", "fines"}
    assert first["final"] is True and first["as_of"] == AS_OF
    assert first["settlement"]["final_payment"] == "132500.00"
    assert len(first["totals"]) == 19


def test_score_leaves_the_garbage_collector_as_it_was(capsys):
    import gc

    assert gc.isenabled()
    score_json(capsys)
    assert gc.isenabled()


def test_score_json_contract_filter(capsys):
    ledgers = score_json(capsys, "--contract", "C-2025-002")
    assert [lg["contract"] for lg in ledgers] == ["C-2025-002"]
    assert ledgers[0]["flags"]["termination_right"] is True


def test_score_unknown_contract_is_a_usage_error(capsys):
    code, out, err = run(capsys, "score", str(SAMPLE), "--as-of", AS_OF, "--contract", "C-404")
    assert code == 2 and out == ""
    assert "no contract 'C-404'" in err and "C-2025-001" in err


@pytest.mark.parametrize(
    ("as_of", "words"),
    [("2026-10-25T00:00:00", "needs an offset"), ("tomorrow", "not an ISO instant")],
)
def test_score_as_of_must_be_an_aware_instant(capsys, as_of, words):
    code, _, err = run(capsys, "score", str(SAMPLE), "--as-of", as_of)
    assert code == 2 and words in err


def test_score_text_report(capsys):
    code, out, err = run(capsys, "score", str(SAMPLE), "--as-of", AS_OF)
    assert code == 0 and err == ""
    for words in ("合同", "供应商", "北京凯辉科技有限公司", "评估时点", "最终结果", "得分", "档次"):
        assert words in out
    for words in ("事故罚款", "重复超时罚款", "延期违约金", "年度考核罚款", "合计"):
        assert words in out
    for words in ("尾款", "扣除", "应付", "供应商另付", "保函索赔", "终止权"):
        assert words in out
    assert "T7 第十七条六(二) 重复超时  1 项  小计 -2.00 分  罚款 ¥5,300.00" in out
    assert "终止权：有" in out  # C-2025-002 delivered 21 days late


def test_score_text_agrees_with_json(capsys):
    ledgers = score_json(capsys, "--contract", "C-2025-001")
    _, out, _ = run(capsys, "score", str(SAMPLE), "--as-of", AS_OF, "--contract", "C-2025-001")
    assert f"得分       {ledgers[0]['score']}" in out


def test_provisional_result_is_marked(capsys):
    code, out, _ = run(capsys, "score", str(SAMPLE), "--as-of", "2026-03-01T00:00:00+08:00")
    assert code == 0 and "临时结果" in out


def test_score_bad_log_lists_every_issue_and_exits_1(capsys, tmp_path):
    bad = tmp_path / "bad.jsonl"
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    n = next(i for i, x in enumerate(lines) if '"punch"' in x)
    lines[n] = lines[n].replace("+08:00", "")
    lines.insert(10, "{broken")
    lines.append('{"type":"ticket","contract":"C-2025-001","id":"X"}')
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "score", str(bad), "--as-of", AS_OF, "--json")
    assert code == 1 and out == ""
    assert f"{bad}: line {n + 1}, field at: naive timestamp" in err
    assert f"{bad}: line 11: invalid JSON" in err
    assert "field problem: missing required field" in err
    assert "Traceback" not in err
    assert err.rstrip().endswith("problem(s)")


def test_score_missing_file_is_a_usage_error(capsys, tmp_path):
    code, _, err = run(capsys, "score", str(tmp_path / "none.jsonl"), "--as-of", AS_OF)
    assert code == 2 and "cannot read" in err


def test_score_unknown_rulebook_is_a_usage_error(capsys):
    code, _, err = run(capsys, "score", str(SAMPLE), "--as-of", AS_OF, "--rulebook", "nope")
    assert code == 2 and "unknown rulebook 'nope'" in err


def test_score_date_outside_the_calendar_is_a_usage_error(capsys, tmp_path):
    # A contract in 2031: no workday calendar covers it, and the rulebook lists none.
    log = tmp_path / "future.jsonl"
    contract = {"type": "contract", "id": "C-31", "title": "t", "vendor": "v", "amount": "1.00"}
    contract |= {"final_payment": "0.25", "start": "2031-01-01", "end": "2031-12-31"}
    staff = {"type": "staff", "contract": "C-31", "person": "S1", "name": "n", "on_site": True}
    staff |= {"entered_on": "2031-01-01", "verified_on": "2031-01-01"}
    log.write_bytes(orjson.dumps(contract) + b"\n" + orjson.dumps(staff) + b"\n")
    code, _, err = run(capsys, "score", str(log), "--as-of", "2032-01-01T00:00:00+08:00")
    assert code == 2, err
    assert "Traceback" not in err and err.startswith("opsqm: ")


def test_validate_ok_summary(capsys):
    code, out, err = run(capsys, "validate", str(SAMPLE))
    assert code == 0 and err == ""
    assert out.startswith(f"OK {SAMPLE}: 71 events (2 contract, 5 staff, 1 replacement, 35 punch")


def test_validate_reports_every_bad_line(capsys, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type":"nope"}\n\n[1]\n{"type":"punch","contract":"C"}\n', encoding="utf-8")
    code, out, err = run(capsys, "validate", str(bad))
    assert code == 1 and out == ""
    assert "line 1, field type: unknown type" in err
    assert "line 3: not a JSON object" in err
    assert "line 4, field person: missing required field" in err
    assert "line 4, field at: missing required field" in err
    assert 'line 4, field contract: contract "C" is never defined' in err


def test_no_command_prints_help_and_exits_2(capsys):
    code, _, err = run(capsys)
    assert code == 2 and "score" in err and "validate" in err


def test_help_exits_0(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "web platform" in out


def test_unknown_command_without_django_says_what_is_needed(capsys, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "django" else real(name, *a)
    )
    code, _, err = run(capsys, "web")
    assert code == 2
    assert "the web platform needs Python ≥ 3.12 and Django 6" in err


def test_unknown_command_is_delegated_to_django(capsys, monkeypatch):
    import types

    seen = []
    fake = types.ModuleType("opsqm.edges.web.manage")
    fake.run_django = lambda argv: seen.append(argv) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "opsqm.edges.web.manage", fake)
    if "django" not in sys.modules and __import__("importlib").util.find_spec("django") is None:
        pytest.skip("Django is not installed")
    assert cli.main(["worker", "--once"]) == 0
    assert seen == [["worker", "--once"]]


def test_display_width_counts_cjk_as_two_cells():
    assert width("合同") == 4 and width("C-1") == 3 and width("（）") == 4
    rows = table([["合同", "x"], ["C-2025-001", "y"], ["（一）", "z"]])
    # the second column starts at the same terminal cell on every row
    assert {width(r[: r.index(c)]) for r, c in zip(rows, "xyz", strict=True)} == {12}


def test_console_script_runs_in_a_fresh_process():
    script = shutil.which("opsqm", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the package is not installed (pip install -e .)")
    done = subprocess.run(
        [script, "score", str(SAMPLE), "--as-of", AS_OF, "--json"],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [lg["contract"] for lg in orjson.loads(done.stdout)] == ["C-2025-001", "C-2025-002"]
    assert (
        b"django"
        not in subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "opsqm.cli", "validate", str(SAMPLE)],
            capture_output=True,
            check=True,
        ).stderr
    )


@pytest.mark.parametrize("how", ["module", "script"])
def test_a_fresh_process_writes_all_its_output_before_it_ends(tmp_path, how):
    """`score` ends without the interpreter's teardown (cli.run): what it wrote to a
    pipe or a file must all be there, and its exit codes are those of main()."""
    if how == "module":
        prog = [sys.executable, "-m", "opsqm.cli"]
    elif script := shutil.which("opsqm", path=str(Path(sys.executable).parent)):
        prog = [script]
    else:
        pytest.skip("the package is not installed (pip install -e .)")
    expected = orjson.loads(
        subprocess.run([*prog, "score", str(SAMPLE), "--as-of", AS_OF, "--json"],
                       capture_output=True, check=True).stdout
    )  # fmt: skip
    assert [lg["contract"] for lg in expected] == ["C-2025-001", "C-2025-002"]
    out = tmp_path / "out.txt"
    with out.open("wb") as fh:
        done = subprocess.run(
            [*prog, "score", str(SAMPLE), "--as-of", AS_OF], stdout=fh, check=False
        )
    assert done.returncode == 0 and out.read_text(encoding="utf-8").count("C-2025-00") >= 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type":"nonsense"}\n', encoding="utf-8")
    done = subprocess.run(
        [*prog, "score", str(bad), "--as-of", AS_OF], capture_output=True, check=False
    )
    assert done.returncode == 1 and b"line 1" in done.stderr
    done = subprocess.run(
        [*prog, "score", str(SAMPLE), "--as-of", "yesterday"], capture_output=True
    )
    assert done.returncode == 2 and done.stderr.startswith(b"opsqm: ")
