"""`opsqm backup` / `opsqm restore` round trips, on SQLite and on PostgreSQL, through
the real command in separate processes: the restored installation has every table's
rows, every file's bytes and the audit chain of the original."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ops.conftest import base_env, opsqm, script

# Slow, and each starts processes of its own: one xdist worker runs them one after another.
pytestmark = [pytest.mark.slow_ops, pytest.mark.xdist_group("ops-processes")]


def _snapshot(env: dict[str, str]) -> dict:
    return json.loads(script(env, "snapshot.py").stdout)


def _round_trip(tmp_path: Path, url_a: str | None, url_b: str | None) -> Path:
    a = base_env(tmp_path / "a", url_a)
    b = base_env(tmp_path / "b", url_b)
    opsqm(a, "migrate", "-v0")
    script(a, "populate.py", "first")
    backup_dir = tmp_path / "backups" / "one"
    out = opsqm(a, "backup", "--to", str(backup_dir)).stdout
    assert "audit head #7" in out
    before = _snapshot(a)
    # The original moves on after the backup; the restore brings back the backup's instant.
    script(a, "populate.py", "later")

    done = opsqm(b, "restore", "--from", str(backup_dir))
    assert "audit chain intact up to #7" in done.stdout
    after = _snapshot(b)
    assert after["tables"].keys() == before["tables"].keys()
    for table, rows in before["tables"].items():
        assert after["tables"][table] == rows, f"table {table} differs after the restore"
    assert after["files"] == before["files"]
    assert any(name.startswith("mail/inbound/") for name in after["files"])
    assert after["chain"] == before["chain"] and len(after["chain"]) == 7
    opsqm(b, "audit", "verify")

    # Over existing data: refused, unless --force (which gives the backup's state back).
    refused = opsqm(b, "restore", "--from", str(backup_dir), check=False)
    assert refused.returncode == 1 and "refuses to overwrite existing data" in refused.stderr
    script(b, "populate.py", "meanwhile")
    opsqm(b, "restore", "--from", str(backup_dir), "--force")
    assert _snapshot(b) == before

    # A second backup into the same directory is refused; nothing is half-written.
    again = opsqm(a, "backup", "--to", str(backup_dir), check=False)
    assert again.returncode == 1 and "not empty" in again.stderr
    assert sorted(p.name for p in backup_dir.parent.iterdir()) == ["one"]
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["jobs"]["queued"]["mail.poll"] == 1
    return backup_dir


def test_round_trip_on_sqlite_and_a_damaged_backup(tmp_path: Path) -> None:
    good = _round_trip(tmp_path, None, None)
    _damaged(tmp_path, good)


def test_round_trip_on_postgresql(tmp_path: Path, pg_databases: Callable[[], str]) -> None:
    _round_trip(tmp_path, pg_databases(), pg_databases())


def _damaged(tmp_path: Path, good: Path) -> None:
    """A damaged backup is refused with the damaged file named, before anything is
    touched."""
    bad = tmp_path / "bad"
    shutil.copytree(good, bad)
    victim = next((bad / "files" / "staff").iterdir())
    data = bytearray(victim.read_bytes())
    data[100] ^= 0xFF
    victim.write_bytes(bytes(data))
    c = base_env(tmp_path / "c")
    refused = opsqm(c, "restore", "--from", str(bad), check=False)
    assert refused.returncode == 1
    assert f"files/staff/{victim.name}: SHA-256 differs" in refused.stderr
    # Nothing was restored: the data directory has no database tables, no files.
    assert not (tmp_path / "c" / "uploads").exists()
    assert _snapshot(c)["tables"] == {}

    (bad / "database.sqlite3").unlink()
    shutil.copy2(victim, bad / "stray.bin")
    refused = opsqm(c, "restore", "--from", str(bad), check=False)
    assert "database.sqlite3: missing" in refused.stderr
    assert "stray.bin: not in SHA256SUMS" in refused.stderr
