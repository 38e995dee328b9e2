"""The acceptance package's manifests, and their check — pure Python, no Django, no
database: `opsqm verify-package PACKAGE.zip` runs it on any machine with the ZIP.

A package holds its files, `manifest.json` (per file: path, deliverable, version,
date, size, SHA-256) and `manifest.sha256` in `sha256sum` format (two spaces between
hash and path, one line per member except itself, manifest.json included), so
`unzip -d x PACKAGE.zip && cd x && sha256sum -c manifest.sha256` checks it too.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

SHA256_NAME = "manifest.sha256"
JSON_NAME = "manifest.json"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256sum_text(entries: Iterable[tuple[str, str]]) -> str:
    """`sha256sum` lines for (path, hex digest) pairs."""
    return "".join(f"{digest}  {path}\n" for path, digest in entries)


def parse_sha256sum(text: str) -> tuple[dict[str, str], list[str]]:
    """{path: digest} and the lines that could not be read."""
    out: dict[str, str] = {}
    bad: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        digest, sep, path = line.partition("  ")
        if not sep:  # binary-mode marker: "<hash> *<path>"
            digest, sep, path = line.partition(" *")
        digest = digest.strip().lower()
        if not sep or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            bad.append(line)
            continue
        out[path] = digest
    return out, bad


@dataclass
class Report:
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.altered or self.errors)

    def lines(self) -> list[str]:
        out = [f"error: {e}" for e in self.errors]
        out += [f"missing: {p}" for p in self.missing]
        out += [f"extra: {p}" for p in self.extra]
        out += [f"altered: {p}" for p in self.altered]
        return out


def verify_zip(path: str) -> Report:
    """Check every member of the package against manifest.sha256 (and manifest.json
    against it): missing, extra and altered files are all named."""
    report = Report()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        report.errors.append(f"cannot open {path}: {exc}")
        return report
    with archive:
        members = [i.filename for i in archive.infolist() if not i.is_dir()]
        if SHA256_NAME not in members:
            report.errors.append(f"{SHA256_NAME} is not in the package")
            return report
        try:
            listed, bad = parse_sha256sum(archive.read(SHA256_NAME).decode("utf-8"))
        except UnicodeDecodeError:
            report.errors.append(f"{SHA256_NAME} is not UTF-8 text")
            return report
        report.errors += [f"unreadable line in {SHA256_NAME}: {line!r}" for line in bad]
        present = set(members) - {SHA256_NAME}
        for name in sorted(set(listed) - present):
            report.missing.append(name)
        for name in sorted(present - set(listed)):
            report.extra.append(name)
        for name in sorted(set(listed) & present):
            report.checked += 1
            if sha256_hex(archive.read(name)) != listed[name]:
                report.altered.append(name)
        if JSON_NAME in present and JSON_NAME not in report.altered:
            _check_json(archive.read(JSON_NAME), listed, report)
    return report


def _check_json(raw: bytes, listed: dict[str, str], report: Report) -> None:
    try:
        data: Any = json.loads(raw)
        files = {f["path"]: f["sha256"] for f in data["files"]}
    except (ValueError, KeyError, TypeError):
        report.errors.append(f"{JSON_NAME} cannot be read")
        return
    expected = {p: d for p, d in listed.items() if p != JSON_NAME}
    for p in sorted(set(files) ^ set(expected)):
        report.errors.append(f"{JSON_NAME} and {SHA256_NAME} disagree on {p}")
    for p in sorted(set(files) & set(expected)):
        if files[p] != expected[p]:
            report.errors.append(f"{JSON_NAME} and {SHA256_NAME} disagree on {p}")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: opsqm verify-package PACKAGE.zip", file=sys.stderr)
        return 2
    report = verify_zip(args[0])
    for line in report.lines():
        print(line)
    if report.ok:
        print(f"OK: {report.checked} files match {SHA256_NAME}")
        return 0
    return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
