"""Printed documents of the acceptance app: the month's inspection record and the
package index (both through opsqm.infra.documents: A4, Chinese fonts embedded)."""

from __future__ import annotations

import base64
from typing import Any

from django.utils import timezone

from opsqm.derived.acceptance.models import Inspection
from opsqm.infra.documents.pdf import render_pdf

MAX_PHOTO_BYTES = 2 * 1024 * 1024


def _photo_uri(result: Any) -> str:
    if not result.photo:
        return ""
    try:
        with result.photo.open("rb") as f:
            data = f.read(MAX_PHOTO_BYTES + 1)
    except OSError:
        return ""
    if len(data) > MAX_PHOTO_BYTES:
        return ""
    mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def inspection_pdf(insp: Inspection) -> bytes:
    results = list(insp.results.select_related("ticket"))
    rows = [{"r": r, "photo": _photo_uri(r)} for r in results]
    return render_pdf(
        "acceptance/inspection_print.html",
        {
            "insp": insp,
            "rows": rows,
            "issues": sum(1 for r in results if r.outcome == "issue"),
            "printed_at": timezone.now(),
        },
    )


def index_pdf(contract: Any, entries: list[dict[str, Any]], built_at: Any) -> bytes:
    return render_pdf(
        "acceptance/package_index.html",
        {"contract": contract, "entries": entries, "built_at": built_at},
    )
