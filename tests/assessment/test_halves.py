"""`opsqm score` on two cores (opsqm.pure.assessment.halves): the same bytes as one
process reading the whole log, and the whole read whenever the halves could differ.

The halves fork, so they run here in fresh processes (a fork in pytest's threaded
worker is not what a user runs)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import orjson
import pytest

from opsqm import cli
from opsqm.pure.assessment import halves

ROOT = Path(__file__).parents[2]
AS_OF = "2026-12-31T18:00:00+08:00"


@pytest.fixture(scope="module")
def year(tmp_path_factory) -> Path:
    """A log of 12 contracts written contract by contract (about 5 MB)."""
    path = tmp_path_factory.mktemp("halves") / "year.jsonl"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--contracts", "12", "--out", path],
        check=True,
        capture_output=True,
    )
    assert path.stat().st_size > halves.MIN_BYTES
    return path


def score(path: Path, *extra: str) -> subprocess.CompletedProcess[bytes]:
    """`opsqm score` as a user runs it: a fresh process."""
    argv = [sys.executable, "-m", "opsqm.cli", "score", str(path), "--as-of", AS_OF, *extra]
    return subprocess.run(argv, capture_output=True, cwd=ROOT)


def whole(capsys, monkeypatch, path: Path, *extra: str) -> tuple[int, str, str]:
    """The same command in this process with the halves turned off: the whole read."""
    monkeypatch.setattr(halves, "cut", lambda path: None)
    capsys.readouterr()
    code = cli.main(["score", str(path), "--as-of", AS_OF, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def used_halves(path: Path) -> bool:
    """Whether score_in_halves gave parts for `path` (in a fresh process)."""
    code = (
        "import sys\n"
        "from opsqm.pure.assessment import halves\n"
        f"where = halves.cut({str(path)!r})\n"
        "parts = where and halves.score_in_halves("
        f"{str(path)!r}, where, lambda ev: orjson.dumps([c for c in ev]))\n"
        "print(where is not None, parts is not None)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import orjson\n" + code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout.split()
    return out == ["True", "True"]


def test_the_cut_is_a_contract_line_near_the_middle(year):
    where = halves.cut(str(year))
    assert where is not None
    offset, size = where
    assert size == year.stat().st_size
    assert size // 2 <= offset < size * 3 // 4
    data = year.read_bytes()
    assert data[offset - 1 : offset] == b"\n"
    assert data[offset:].startswith(b'{"type":"contract",')


def test_json_and_text_are_those_of_the_whole_read(capsys, monkeypatch, year):
    assert used_halves(year)
    for extra in (["--json"], []):
        run = score(year, *extra)
        code, out, err = whole(capsys, monkeypatch, year, *extra)
        assert (run.returncode, run.stderr.decode()) == (code, err) == (0, "")
        assert run.stdout.decode() == out


def test_a_log_with_a_bom_reads_as_the_whole_read_does(capsys, monkeypatch, year, tmp_path):
    log = tmp_path / "bom.jsonl"
    log.write_bytes(b"\xef\xbb\xbf" + year.read_bytes())
    assert used_halves(log)
    run = score(log, "--json")
    code, out, _ = whole(capsys, monkeypatch, log, "--json")
    assert run.returncode == code == 0
    assert run.stdout.decode() == out


def test_every_contract_once_in_log_order(year):
    ledgers = orjson.loads(score(year, "--json").stdout)
    assert [lg["contract"] for lg in ledgers] == [f"C-B{k:03}" for k in range(12)]


def test_a_bad_line_in_the_second_half_is_told_as_the_whole_read_tells_it(
    capsys, monkeypatch, year, tmp_path
):
    log = tmp_path / "bad.jsonl"
    log.write_bytes(year.read_bytes() + b'{"type":"punch","contract":"C-B011"}\n')
    run = score(log, "--json")
    code, out, err = whole(capsys, monkeypatch, log, "--json")
    assert run.returncode == code == cli.EXIT_BAD_LOG
    assert run.stdout == b"" and out == ""
    assert run.stderr.decode() == err
    assert "missing required field person" in err


def test_a_contract_named_in_both_halves_is_read_whole(capsys, monkeypatch, year, tmp_path):
    # A late punch of the first contract at the very end: far from the cut, so only
    # the halves' own check can see that they share a contract.
    log = tmp_path / "late.jsonl"
    late = b'{"type":"punch","contract":"C-B000","person":"S01","at":"2026-06-01T08:00:00+08:00"}'
    log.write_bytes(year.read_bytes() + late + b"\n")
    assert halves.cut(str(log)) is not None
    assert not used_halves(log)
    run = score(log, "--json")
    code, out, _ = whole(capsys, monkeypatch, log, "--json")
    assert run.returncode == code == 0
    assert run.stdout.decode() == out


def test_a_calendar_error_in_the_second_half_is_the_whole_reads(
    capsys, monkeypatch, year, tmp_path
):
    # A contract after every year chinese-calendar knows: the engine cannot assess it.
    log = tmp_path / "later.jsonl"
    log.write_bytes(
        year.read_bytes()
        + b'{"type":"contract","id":"C-2099","title":"t","vendor":"v","amount":"100.00",'
        b'"final_payment":"25.00","start":"2099-01-01","end":"2099-12-31","bond":false}\n'
        b'{"type":"staff","contract":"C-2099","person":"S01","name":"n","on_site":true,'
        b'"entered_on":"2099-01-01","verified_on":"2099-01-01","left_on":null}\n'
    )
    later = ("--json", "--as-of", "2100-01-01T00:00:00+08:00")  # the last --as-of counts
    run = score(log, *later)
    code, out, err = whole(capsys, monkeypatch, log, *later)
    assert run.returncode == code == cli.EXIT_USAGE
    assert run.stderr.decode() == err and "no workday calendar for 2099" in err
    assert run.stdout == b"" and out == ""


def test_an_interleaved_log_is_not_cut(tmp_path, year):
    # Lines sorted by their text mix every contract's punches: the ids either side of
    # the middle are the same, and the log is read whole at once (not twice).
    log = tmp_path / "mixed.jsonl"
    log.write_bytes(b"\n".join(sorted(year.read_bytes().splitlines())) + b"\n")
    assert halves.cut(str(log)) is None


def test_small_logs_and_one_core_read_whole(monkeypatch, year):
    assert halves.cut(str(ROOT / "examples" / "sample-year.jsonl")) is None
    monkeypatch.setattr(halves, "_cores", lambda: 1)
    assert halves.cut(str(year)) is None


@pytest.mark.parametrize(
    ("at", "end", "found"),
    [
        (0, 10**6, 1),  # the contract line's first byte, after its "\n"
        (halves._WINDOW - 5, 10**6, halves._WINDOW - 4),  # across two blocks: still found
        (0, 1, None),  # a contract line at or after `end` is not the cut
    ],
)
def test_the_next_contract_line_is_found_across_blocks(at, end, found):
    import io

    data = b"x" * at + b'\n{"type":"contract","id":"C"}' + b"y" * 100
    assert halves._next_contract(io.BytesIO(data), 0, end) == found


def test_a_threaded_caller_reads_whole(year):
    # A fork copies only the calling thread: a server or any threaded caller must not.
    where = halves.cut(str(year))
    assert where is not None
    stop = threading.Event()
    waiting = threading.Thread(target=stop.wait)
    waiting.start()
    try:
        assert halves.score_in_halves(str(year), where, lambda ev: b"[]") is None
    finally:
        stop.set()
        waiting.join()


@pytest.mark.parametrize(
    ("quota", "period", "cpus"),
    [("200000", "100000", 2.0), ("150000", "100000", 1.5), ("max", "100000", None),
     ("-1", "100000", None), ("0", "100000", None), ("x", "y", None)],
)  # fmt: skip
def test_a_cgroup_quota_is_read_as_cpus(quota, period, cpus):
    assert halves._quota(quota, period) == cpus


@pytest.mark.parametrize(("quota", "cores"), [(None, 2), (2.0, 2), (1.5, 1), (0.5, 1)])
def test_a_container_limited_to_one_cpu_reads_whole(monkeypatch, year, quota, cores):
    monkeypatch.setattr(halves.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(halves, "_cgroup_quota", lambda: quota)
    assert halves._cores() == cores
    assert (halves.cut(str(year)) is None) == (cores < 2)


def test_a_missing_log_is_not_cut(tmp_path):
    assert halves.cut(str(tmp_path / "nothing.jsonl")) is None


@pytest.mark.parametrize(
    "parts",
    [[], [[]], [[{"a": 1}]], [[{"a": 1}], []], [[], [{"b": [1, 2]}]], [[{"a": 1}], [{"b": 2}, 3]]],
)
def test_the_json_pieces_are_what_one_dumps_writes(parts):
    dumps = [orjson.dumps(p, option=orjson.OPT_INDENT_2) for p in parts]
    whole = orjson.dumps([x for p in parts for x in p], option=orjson.OPT_INDENT_2)
    assert b"".join(halves.json_pieces(dumps)) == whole
