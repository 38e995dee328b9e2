"""Assembling the acceptance package: every deliverable's accepted (else latest)
version, the reports OpsQM generates, an index (PDF, Chinese) and the manifests
(`manifest.sha256` in sha256sum format, `manifest.json`).  Runs in the worker
(`acceptance.package`, see tasks.py) with progress."""

from __future__ import annotations

import datetime
import io
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.derived.acceptance import services
from opsqm.derived.acceptance.manifest import JSON_NAME, SHA256_NAME, sha256_hex, sha256sum_text
from opsqm.derived.acceptance.models import Kind, Package
from opsqm.derived.acceptance.printing import index_pdf
from opsqm.pure.assessment.model import TZ

INDEX_NAME = "00-索引.pdf"
# The reports a package always carries (generated at assembly time).
GENERATED: tuple[tuple[str, str], ...] = (
    ("annual", "pdf"),
    ("quarterly", "pdf"),
    ("workorders", "pdf"),
    ("patches", "pdf"),
    ("attendance", "xlsx"),
)


@dataclass(frozen=True)
class ReportSource:
    """What the package asks of the reports app (which stands above acceptance, since
    its reports read the deliverables' periods): registered by its AppConfig.ready."""

    periods: Callable[[Any, str], list[str]]  # (contract, kind) -> labels
    generate: Callable[[Any, str, str, str], tuple[bytes, str, str]]  # -> data, name, type
    title: Callable[[str], str]  # the kind's deliverable name
    whole_period: str  # the label of the whole service period


_reports: list[ReportSource] = []


def provide_reports(source: ReportSource) -> None:
    _reports[:] = [source]


def _report_source() -> ReportSource:
    if not _reports:
        raise RuntimeError("no report source: the reports app (opsqm.derived.reports) provides it")
    return _reports[0]


def _safe(name: str) -> str:
    return "".join(c if c not in '/\\:*?"<>|' else "_" for c in name).strip() or "file"


Progress = Callable[[float, str], None]
Entry = tuple[str, bytes, dict[str, Any]]  # (path in the ZIP, data, manifest fields)


def assemble(pkg: Package, progress: Progress = lambda pct, note: None) -> tuple[bytes, int]:
    """The package's ZIP and its number of files: the deliverables, the generated
    reports, the index, then the manifests."""
    reports = _report_source()
    contract = pkg.contract
    built_at = timezone.now()
    files = _deliverables(contract, progress)
    files += _generated(reports, contract, built_at, progress)
    entries = [
        {"path": name, "sha256": sha256_hex(data), "size": len(data), **meta}
        for name, data, meta in files
    ]
    index = index_pdf(contract, entries, built_at)
    entries.insert(
        0,
        {
            "path": INDEX_NAME,
            "sha256": sha256_hex(index),
            "size": len(index),
            "deliverable": _("Index"),
            "kind": "index",
            "period": "",
            "version": 0,
            "status": "generated",
            "date": built_at.astimezone(TZ).isoformat(),
            "source": "generated",
        },
    )
    files.insert(0, (INDEX_NAME, index, {}))
    progress(90, _("Manifest"))
    return _zip(contract, built_at, files, entries), len(files) + 2


def _deliverables(contract: Any, progress: Progress) -> list[Entry]:
    """Every deliverable's accepted (else latest) version (progress 5 → 40 %)."""
    files: list[Entry] = []
    docs = list(services.deliverables(contract))
    for n, d in enumerate(docs):
        v = services.package_version(d)
        if v is None:
            continue
        with v.file.open("rb") as f:
            data = f.read()
        ext = os.path.splitext(v.name)[1].lower() or os.path.splitext(v.file.name or "")[1]
        stem = f"{Kind.values.index(d.kind) + 1:02d}-{d.get_kind_display()}"
        name = f"deliverables/{_safe(stem)}{'-' + d.period if d.period else ''}-v{v.number}{ext}"
        files.append(
            (
                name,
                data,
                {
                    "deliverable": str(d.get_kind_display()),
                    "kind": d.kind,
                    "period": d.period,
                    "version": v.number,
                    "status": d.state,
                    "date": v.uploaded_at.astimezone(TZ).isoformat(),
                    "source": v.source,
                },
            )
        )
        progress(5 + 35 * (n + 1) / max(len(docs), 1), _("Deliverables: %(n)d") % {"n": n + 1})
    return files


def _generated(
    reports: ReportSource, contract: Any, built_at: datetime.datetime, progress: Progress
) -> list[Entry]:
    """The reports OpsQM generates for the package (progress 40 → 85 %)."""
    files: list[Entry] = []
    jobs = [(k, label, fmt) for k, fmt in GENERATED for label in reports.periods(contract, k)]
    for n, (kind, label, fmt) in enumerate(jobs):
        data, name, _ctype = reports.generate(contract, kind, label, fmt)
        files.append(
            (
                f"generated/{name}",
                data,
                {
                    "deliverable": reports.title(kind),
                    "kind": kind,
                    "period": "" if label == reports.whole_period else label,
                    "version": 0,
                    "status": "generated",
                    "date": built_at.astimezone(TZ).isoformat(),
                    "source": "generated",
                },
            )
        )
        progress(
            40 + 45 * (n + 1) / len(jobs),
            _("Reports: %(n)d of %(t)d") % {"n": n + 1, "t": len(jobs)},
        )
    return files


def _zip(
    contract: Any, built_at: datetime.datetime, files: list[Entry], entries: list[dict[str, Any]]
) -> bytes:
    """The files with `manifest.json` and `manifest.sha256` (which also sums the JSON)."""
    manifest = json.dumps(
        {
            "format": "opsqm-acceptance-package/1",
            "contract": contract.code,
            "title": contract.title,
            "vendor": contract.vendor.name,
            "built_at": built_at.astimezone(TZ).isoformat(),
            "acceptance_state": services.acceptance_file(contract).state,
            "files": entries,
        },
        ensure_ascii=False,
        indent=1,
        sort_keys=True,
    ).encode()
    sums = [(e["path"], e["sha256"]) for e in entries] + [(JSON_NAME, sha256_hex(manifest))]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, _meta in files:
            z.writestr(name, data)
        z.writestr(JSON_NAME, manifest)
        z.writestr(SHA256_NAME, sha256sum_text(sums))
    return out.getvalue()
