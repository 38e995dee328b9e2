"""Benchmark: the printed ticket form (运维服务工单) as PDF and DOCX.

Renders a complete one-page ticket — the fixture of tests/web/test_ticket_print.py:
every time, analysis, steps, verification, a drawn signature — through
`opsqm.facts.tickets.printing` exactly as `/tickets/<pk>/form.pdf` does, in a fresh
process: the first render (fonts found, Pango started) and then `--runs` more, and
reports the time of each and the size of the PDF and the DOCX.  The records are
unsaved model instances, so no database is needed.

    .venv/bin/python bench/ticket_pdf_bench.py [--runs 20] [--json]

Targets (issue 12): a one-page form renders in under 1 s and is under 200 KB.  The
script reports and never fails on time (`make bench` runs it); it exits 1 only when
the PDF is 200 KB or more, which does not depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SIZE_BUDGET = 200 * 1024
TIME_BUDGET = 1.0


def _at(*args: int) -> datetime.datetime:
    from opsqm.pure.assessment.model import TZ

    return datetime.datetime(*args, tzinfo=TZ)


def _signature() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (360, 120), "white")
    ImageDraw.Draw(img).line(
        [(20, 90), (80, 30), (120, 95), (170, 25), (230, 90), (330, 40)], fill="navy", width=5
    )
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def sample_form() -> Any:
    """A complete ticket's form, built from unsaved records (no database)."""
    from django.utils.translation import gettext as _

    from opsqm.facts.contracts.models import Contract, Unit, Vendor
    from opsqm.facts.tickets.models import Ticket
    from opsqm.facts.tickets.printing import Stamp, TicketForm, form_content
    from opsqm.infra.documents.verification import content_hash

    vendor = Vendor(name="北京凯辉科技有限公司")
    contract = Contract(code="C-2025-001", title="移动执法终端软件运维", vendor=vendor)
    unit = Unit(name="清河分局")
    t = Ticket(
        contract=contract,
        number="GD-2025-0042",
        title="监区移动执法终端无法登录",
        unit=unit,
        priority="urgent",
        kind="service",
        system="移动执法终端 MT-0815",
        description="三监区两台终端登录时提示“证书无效”，无法进入执法系统。",
        dispatched_at=_at(2025, 3, 3, 10, 5),
        acknowledged_at=_at(2025, 3, 3, 10, 40),
        resolved_at=_at(2025, 3, 4, 11, 20),
        archived_at=_at(2025, 3, 4, 16, 0),
        archive="ok",
        analysis="终端证书于 3 月 1 日到期，证书自动续期任务因时钟偏差未执行。",
        steps="1. 校正终端时钟；\n2. 手工续签证书并推送；\n3. 修复续期任务的时钟检查。",
        verification="两台终端均可正常登录并完成一次执法记录上传。",
        signature="signed",
        satisfaction="satisfied",
        signer_name="李明",
        signed_at=_at(2025, 3, 4, 15, 30),
    )
    stamps = [
        Stamp("dispatch", _("Dispatch time"), t.dispatched_at, "server"),
        Stamp("acknowledgement", _("Acknowledgement time"), t.acknowledged_at, "app"),
        Stamp("resolution", _("Resolution time"), t.resolved_at, "server"),
        Stamp("archive", _("Archive time"), t.archived_at, "server"),
    ]
    # What the content hash and the form both carry.
    shared: dict[str, Any] = {
        "reporter": "李明",
        "reporter_phone": "010-8888 1234",
        "reported_at": _at(2025, 3, 3, 8, 50),
        "problem": t.description,
        "stamps": stamps,
        "extension": None,
    }
    content = form_content(t, **shared, phone=None, signature_digest="")
    return TicketForm(
        ticket=t,
        **shared,
        phone_confirmation=None,
        signature_png=_signature(),
        signature_mime="image/png",
        content=content,
        digest=content_hash(content),
    )


def measure(runs: int) -> dict[str, Any]:
    from django.utils import translation

    from opsqm.facts.tickets.printing import docx_bytes, pdf_bytes

    translation.activate("zh-hans")
    form = sample_form()
    started = time.perf_counter()
    pdf = pdf_bytes(form)
    cold = time.perf_counter() - started
    warm = []
    for _ in range(runs):
        started = time.perf_counter()
        pdf = pdf_bytes(form)
        warm.append(time.perf_counter() - started)
    docx_times = []
    for _ in range(max(3, runs // 4)):
        started = time.perf_counter()
        docx = docx_bytes(form)
        docx_times.append(time.perf_counter() - started)
    return {
        "pdf_bytes": len(pdf),
        "pdf_first_s": round(cold, 3),
        "pdf_median_s": round(statistics.median(warm), 3),
        "pdf_max_s": round(max(warm), 3),
        "docx_bytes": len(docx),
        "docx_median_s": round(statistics.median(docx_times), 3),
        "runs": runs,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsqm.edges.web.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("OPSQM_VAR_DIR", tempfile.mkdtemp(prefix="opsqm-pdf-bench-"))
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its progress lines
    figures = measure(args.runs)
    if args.json:
        print(json.dumps(figures))
    else:
        print(
            f"ticket form PDF: {figures['pdf_bytes'] / 1024:.1f} KB; "
            f"first render {figures['pdf_first_s']:.3f} s, then median "
            f"{figures['pdf_median_s']:.3f} s, max {figures['pdf_max_s']:.3f} s "
            f"({figures['runs']} runs)\n"
            f"ticket form DOCX: {figures['docx_bytes'] / 1024:.1f} KB, median "
            f"{figures['docx_median_s']:.3f} s\n"
            f"load average {figures['load_average']} on {figures['cpus']} CPUs"
        )
    if figures["pdf_median_s"] >= TIME_BUDGET:
        print(f"note: over the {TIME_BUDGET:.0f} s target (busy machine?)", file=sys.stderr)
    return 1 if figures["pdf_bytes"] >= SIZE_BUDGET else 0


if __name__ == "__main__":
    raise SystemExit(main())
