"""The audit key: the secret of the keyed hash (HMAC-SHA-256) of every audit record.

It lives in a file outside the database (settings.OPSQM_AUDIT_KEY_FILE, by default
`audit.key` in the data directory), so that database rights alone are not enough
to forge, append or re-hash records.  One key a line, ``<key id> <hex secret>``;
the last line is the key new records are signed with, the earlier lines are old
keys, kept only to verify the records signed with them (rotation: `opsqm audit
rotate-key` appends a line; nothing is ever removed).  The file is created with
mode 0600 at the first record (or by `opsqm audit init-key`)."""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import secrets
from pathlib import Path

from django.conf import settings

KEY_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class AuditKeyError(Exception):
    """The key file is missing where it must exist, or unreadable, or malformed."""


_cache: dict[str, tuple[tuple[int, int], dict[str, bytes]]] = {}


def key_path() -> Path:
    return Path(settings.OPSQM_AUDIT_KEY_FILE)


def _parse(text: str, path: Path) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key_id, _, secret = line.partition(" ")
        try:
            value = bytes.fromhex(secret.strip())
        except ValueError:
            value = b""
        if not KEY_ID_RE.match(key_id) or len(value) < 32 or key_id in keys:
            raise AuditKeyError(f"{path}, line {number}: expected '<key id> <64+ hex digits>'")
        keys[key_id] = value
    return keys


def load_keys(*, create: bool = False) -> dict[str, bytes]:
    """Every key in the file, oldest first (the last is the current one).  A missing
    file is created with a first key when `create`; otherwise it gives no keys."""
    path = key_path()
    if create and not path.exists():
        with contextlib.suppress(FileExistsError):  # another process was quicker
            _append_key(path, first=True)
    try:
        st = path.stat()
    except FileNotFoundError:
        return {}
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _cache.get(str(path))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        keys = _parse(path.read_text(encoding="ascii"), path)
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditKeyError(f"cannot read the audit key file {path}: {exc}") from exc
    _cache[str(path)] = (stamp, keys)
    return keys


def current_key() -> tuple[str, bytes]:
    """The key id and secret that new records are signed with (created at first use)."""
    keys = load_keys(create=True)
    if not keys:
        raise AuditKeyError(f"the audit key file {key_path()} holds no key")
    key_id = next(reversed(keys))
    return key_id, keys[key_id]


def _append_key(path: Path, *, first: bool = False) -> str:
    """Append a new random key under a new id; `first`: create the file (0600),
    refusing (FileExistsError) if another process was quicker."""
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = {} if first else _parse(path.read_text(encoding="ascii"), path)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S")
    key_id = f"k{len(existing) + 1}-{stamp}"
    line = f"{key_id} {secrets.token_hex(32)}\n"
    flags = os.O_WRONLY | os.O_APPEND | (os.O_CREAT | os.O_EXCL if first else 0)
    fd = os.open(path, flags, 0o600)
    try:
        if first:
            os.write(fd, b"# OpsQM audit keys: the last line signs new records; keep the rest.\n")
        os.write(fd, line.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    _cache.pop(str(path), None)
    return key_id


def rotate_key() -> str:
    """Start signing with a new key; the old ones stay in the file for verification."""
    path = key_path()
    if not path.exists():
        raise AuditKeyError(f"there is no audit key file {path} to rotate (init-key creates it)")
    return _append_key(path)
