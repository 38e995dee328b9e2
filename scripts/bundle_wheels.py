"""Every dependency of requirements/opsqm.lock as a wheel in WHEELS, for `make bundle`.

A release with a wheel for this Python and platform is downloaded and checked against
the lock's hashes.  A release published only as source (python-ldap) is downloaded as
source, checked against the lock the same way, and built here into a wheel; the lock
the bundle installs with (OUT_LOCK) then pins that wheel by its own SHA-256, so the
offline `pip install --require-hashes` still checks every file it installs.

usage: bundle_wheels.py PYTHON LOCK WHEELS OUT_LOCK
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ENTRY = re.compile(r"^([A-Za-z0-9_.\-]+)==([^ ;\\]+)")


def entries(lock: str) -> list[tuple[str, str, str]]:
    """(name, version, the entry's text with its hash lines) of each pinned entry."""
    out, current = [], None
    for line in lock.splitlines(keepends=True):
        m = ENTRY.match(line)
        if m:
            current = [m[1], m[2], line]
            out.append(current)
        elif current is not None and line.startswith("    --hash="):
            current[2] += line
        else:
            current = None
    return [(n, v, t) for n, v, t in out]


def pip(python: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([python, "-m", "pip", *args], capture_output=True, text=True)


NO_WHEEL = re.compile(r"No matching distribution found for ([A-Za-z0-9_.\-]+)==")


def build_from_source(python: str, text: str, wheels: str) -> str | None:
    """Build one entry's wheel from its hash-checked source; its SHA-256, or None."""
    with tempfile.TemporaryDirectory() as tmp:
        req = Path(tmp) / "one.txt"
        req.write_text(text)
        src = pip(python, "download", "-q", "--no-deps", "--require-hashes",
                  "--no-binary=:all:", "-d", tmp, "-r", str(req))  # fmt: skip
        if src.returncode != 0:
            sys.stderr.write(src.stderr)
            return None
        sdist = next(p for p in Path(tmp).iterdir() if p.name != "one.txt")
        before = set(Path(wheels).glob("*.whl"))
        make = pip(python, "wheel", "-q", "--no-deps", "-w", wheels, str(sdist))
        if make.returncode != 0:
            sys.stderr.write(make.stderr)
            return None
        (wheel,) = set(Path(wheels).glob("*.whl")) - before
        print(f"== built {wheel.name} from source (its SHA-256 pinned in the bundle's lock)")
        return hashlib.sha256(wheel.read_bytes()).hexdigest()


def main() -> int:
    python, lock_path, wheels, out_lock = sys.argv[1:5]
    lock = Path(lock_path).read_text()
    by_name = {re.sub(r"[-_.]+", "-", n).lower(): t for n, _v, t in entries(lock)}
    rest, out = lock, lock
    with tempfile.TemporaryDirectory() as tmp:
        req = Path(tmp) / "rest.txt"
        for _ in range(len(by_name) + 1):
            req.write_text(rest)
            # --no-deps: the lock pins every dependency (one built from source is
            # taken out of the list, and must not be looked for again as a dependency).
            done = pip(python, "download", "-q", "--no-deps", "--require-hashes",
                       "--only-binary=:all:", "-d", wheels, "-r", str(req))  # fmt: skip
            if done.returncode == 0:
                Path(out_lock).write_text(out)
                return 0
            m = NO_WHEEL.search(done.stderr)
            text = by_name.get(re.sub(r"[-_.]+", "-", m[1]).lower()) if m else None
            digest = build_from_source(python, text, wheels) if text else None
            if text is None or digest is None:
                sys.stderr.write(done.stderr)
                return 1
            rest = rest.replace(text, "")
            pin = text.split("\\\n")[0].rstrip()
            out = out.replace(text, f"{pin} \\\n    --hash=sha256:{digest}\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
