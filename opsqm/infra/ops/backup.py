"""`opsqm backup` / `opsqm restore`: one consistent set, checked before it is used.

A backup directory holds:

    manifest.json   format, OpsQM version, database engine, audit chain head, job queue
    SHA256SUMS      the SHA-256 of every other file (`sha256sum -c SHA256SUMS` checks it)
    database.dump   PostgreSQL: pg_dump custom format, or
    database.sqlite3  SQLite: a copy made with SQLite's online backup API
    files/…         the data directory's uploads, raw stored mail among them (files/mail/)

Consistency: on PostgreSQL the dump, the audit head and the job queue's state are read
in one exported snapshot; on SQLite from the copy itself.  Files are copied after the
database, so every file a row names is there (a file written meanwhile is extra, and
harmless).  The set is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

FORMAT = "opsqm-backup/1"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
FILES = "files"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore refused: the message says what and why."""


@dataclass
class Outcome:
    path: Path
    manifest: dict[str, Any]
    problems: list[str] = field(default_factory=list)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- what the database says at the backup's instant ----------------------------

HEAD_SQL = "SELECT seq, hash FROM audit_audithead WHERE id = 1"
JOBS_SQL = "SELECT status, kind, COUNT(*) FROM jobs_job GROUP BY status, kind ORDER BY 1, 2"


def _state(cur: Any) -> dict[str, Any]:
    """The audit chain's head and the job queue's state, read through `cur`."""
    cur.execute(HEAD_SQL)
    row = cur.fetchone()
    head = {"seq": int(row[0]), "hash": str(row[1])} if row else {"seq": 0, "hash": ""}
    cur.execute(JOBS_SQL)
    jobs: dict[str, dict[str, int]] = {}
    for status, kind, count in cur.fetchall():
        jobs.setdefault(str(status), {})[str(kind)] = int(count)
    return {"audit_head": head, "jobs": jobs}


def _pg_args(cfg: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if cfg.get(key):
            args += [flag, str(cfg[key])]
    env = dict(os.environ)
    if cfg.get("PASSWORD"):
        env["PGPASSWORD"] = str(cfg["PASSWORD"])
    return args, env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    tool = cmd[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed: apt-get install postgresql-client")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip()[-2000:]}")


def _dump_postgresql(target: Path) -> dict[str, Any]:
    cfg = connection.settings_dict
    args, env = _pg_args(cfg)
    with transaction.atomic(), connection.cursor() as cur:
        # One snapshot for pg_dump and for the head and queue read here.
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cur.execute("SELECT pg_export_snapshot()")
        snapshot = cur.fetchone()[0]
        _run(
            [
                "pg_dump",
                *args,
                "-Fc",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                "-f",
                str(target / PG_DUMP),
                "-d",
                str(cfg["NAME"]),
            ],
            env,
        )
        state = _state(cur)
    return {"engine": "postgresql", "file": PG_DUMP, **state}


def _dump_sqlite(target: Path) -> dict[str, Any]:
    source = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=30)
    copy = sqlite3.connect(str(target / SQLITE_COPY))
    try:
        source.backup(copy)  # the online backup API: a consistent copy while others write
        state = _state(copy.cursor())
    finally:
        copy.close()
        source.close()
    return {"engine": "sqlite", "file": SQLITE_COPY, **state}


# --- writing a backup ------------------------------------------------------------


def _data_files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path


def _copy_files(media: Path, target: Path) -> dict[str, int]:
    counts = {"files": 0, "bytes": 0, "mail": 0}
    for path in _data_files(media):
        rel = path.relative_to(media)
        dest = target / FILES / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
        counts["files"] += 1
        counts["bytes"] += dest.stat().st_size
        counts["mail"] += rel.parts[0] == "mail"
    return counts


def _write_sums(target: Path) -> None:
    lines = [
        f"{sha256_file(p)}  {p.relative_to(target).as_posix()}"
        for p in sorted(target.rglob("*"))
        if p.is_file() and p.name != SUMS
    ]
    (target / SUMS).write_text("\n".join(lines) + "\n", encoding="utf-8")


def backup(to: Path) -> Outcome:
    """Write a complete backup set into the new directory `to`."""
    from opsqm import __version__

    to = Path(to).resolve()
    if to.exists() and (not to.is_dir() or any(to.iterdir())):
        raise BackupError(f"{to} already exists and is not empty: back up into a new directory")
    to.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{to.name}.partial-", dir=to.parent))
    try:
        started = timezone.now()
        if connection.vendor == "postgresql":
            database = _dump_postgresql(work)
        elif connection.vendor == "sqlite":
            database = _dump_sqlite(work)
        else:
            raise BackupError(f"backups of a {connection.vendor} database are not supported")
        files = _copy_files(Path(settings.MEDIA_ROOT), work)
        manifest = {
            "format": FORMAT,
            "opsqm_version": __version__,
            "created_at": started.isoformat(),
            "database": {"engine": database["engine"], "file": database["file"]},
            "audit_head": database["audit_head"],
            "jobs": database["jobs"],
            "files": files,
        }
        (work / MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        _write_sums(work)
        if to.exists():
            to.rmdir()
        work.rename(to)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Outcome(to, manifest)


# --- checking a backup -----------------------------------------------------------


def verify_set(src: Path) -> dict[str, Any]:
    """Check every file against SHA256SUMS (and no file unlisted); the manifest."""
    src = Path(src).resolve()
    sums_file = src / SUMS
    if not sums_file.is_file():
        raise BackupError(f"{src} is not an OpsQM backup: {SUMS} is missing")
    listed: dict[str, str] = {}
    for number, line in enumerate(sums_file.read_text(encoding="utf-8").splitlines(), 1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not name or ".." in Path(name).parts:
            raise BackupError(f"{SUMS} line {number} is malformed: {line[:80]!r}")
        listed[name] = digest
    present = {
        p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file() and p.name != SUMS
    }
    problems = [f"{name}: missing" for name in sorted(set(listed) - present)]
    problems += [f"{name}: not in {SUMS}" for name in sorted(present - set(listed))]
    for name in sorted(set(listed) & present):
        if sha256_file(src / name) != listed[name]:
            problems.append(f"{name}: SHA-256 differs from {SUMS} (the file is damaged)")
    if problems:
        raise BackupError(f"the backup {src} is damaged: " + "; ".join(problems))
    manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{MANIFEST}: format {manifest.get('format')!r}, expected {FORMAT}")
    return dict(manifest)


# --- restoring -----------------------------------------------------------------


def _existing_tables() -> list[str]:
    return sorted(connection.introspection.table_names())


def _refuse_existing(force: bool) -> None:
    if force:
        return
    media = Path(settings.MEDIA_ROOT)
    tables = _existing_tables()
    files = next(_data_files(media), None)
    found = []
    if tables:
        found.append(f"the database has {len(tables)} table(s) ({', '.join(tables[:3])} …)")
    if files is not None:
        found.append(f"{media} holds files ({files.relative_to(media)} …)")
    if found:
        raise BackupError(
            "restore refuses to overwrite existing data: "
            + "; ".join(found)
            + ". Restore into an empty database and data directory, or add --force"
        )


def _restore_postgresql(src: Path, force: bool) -> None:
    cfg = connection.settings_dict
    if force:
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA IF EXISTS public CASCADE")
            cur.execute("CREATE SCHEMA public")
    connection.close()
    args, env = _pg_args(cfg)
    _run(
        [
            "pg_restore",
            *args,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "-d",
            str(cfg["NAME"]),
            str(src / PG_DUMP),
        ],
        env,
    )


def _restore_sqlite(src: Path) -> None:
    target = Path(str(connection.settings_dict["NAME"]))
    connection.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(str(src / SQLITE_COPY))
    dest = sqlite3.connect(str(target), timeout=30)
    try:
        source.backup(dest)  # replaces every page of the target, WAL included
    finally:
        dest.close()
        source.close()


def _restore_files(src: Path, force: bool) -> int:
    media = Path(settings.MEDIA_ROOT)
    if force and media.is_dir():
        for child in media.iterdir():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    count = 0
    for path in _data_files(src / FILES):
        dest = media / path.relative_to(src / FILES)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
        count += 1
    return count


def verify_audit(head: dict[str, Any]) -> list[str]:
    """`audit verify` on the restored chain, against the head the backup recorded."""
    from opsqm.infra.audit.models import AuditRecord
    from opsqm.infra.audit.services import verify_chain

    report = verify_chain()
    problems = [f"audit #{p.seq} {p.kind}: {p.detail}" for p in report.problems]
    seq, digest = int(head.get("seq") or 0), str(head.get("hash") or "")
    if seq:
        rec = AuditRecord.objects.filter(seq=seq).values_list("hash", flat=True).first()
        if rec is None:
            problems.append(f"audit #{seq}: the recorded head is missing")
        elif rec != digest:
            problems.append(f"audit #{seq}: the hash differs from the recorded head")
    if (report.head_seq or 0) != seq:
        problems.append(f"audit chain ends at #{report.head_seq or 0}, the backup recorded #{seq}")
    return problems


def restore(src: Path, *, force: bool = False) -> Outcome:
    """Restore a verified backup set into this installation's database and data
    directory; refused over existing data unless `force`."""
    src = Path(src).resolve()
    manifest = verify_set(src)
    engine = manifest["database"]["engine"]
    if engine != connection.vendor:
        raise BackupError(
            f"the backup holds a {engine} database; this installation uses {connection.vendor}"
        )
    _refuse_existing(force)
    if engine == "postgresql":
        _restore_postgresql(src, force)
    else:
        _restore_sqlite(src)
    _restore_files(src, force)
    return Outcome(src, manifest, verify_audit(manifest["audit_head"]))


# --- the nightly backup ----------------------------------------------------------

NAME_FORMAT = "opsqm-%Y%m%d-%H%M%S"


def rotate(root: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` backups made by `nightly` under `root`."""
    ours = sorted(p for p in root.glob("opsqm-*") if p.is_dir() and (p / MANIFEST).is_file())
    removed = ours[: max(0, len(ours) - keep)]
    for path in removed:
        shutil.rmtree(path)
    return removed


def nightly(root: Path, keep: int, now: datetime.datetime | None = None) -> Outcome:
    local = timezone.localtime(now or timezone.now())
    outcome = backup(Path(root) / local.strftime(NAME_FORMAT))
    rotate(Path(root), keep)
    return outcome
