"""One entry point for every generated report: `generate(contract, kind, label, fmt)`
→ (bytes, file name, content type).  Used by the pages, by "register as a version"
and by the acceptance package."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsqm.derived.acceptance.models import Kind
from opsqm.derived.acceptance.services import months, period_of, quarters
from opsqm.facts.contracts.models import Contract
from opsqm.infra.core.spreadsheet import XLSX_CONTENT_TYPE

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ALL = "all"  # the label of the whole service period in urls


@dataclass(frozen=True)
class ReportKind:
    slug: str
    label: Any
    formats: tuple[str, ...]
    deliverable: str | None  # the 合同 八 document it can become a version of
    file_stem: str


KINDS: dict[str, ReportKind] = {
    "quarterly": ReportKind(
        "quarterly",
        gettext_lazy("Quarterly report"),
        ("pdf", "docx"),
        Kind.QUARTERLY_REPORT,
        "季度报告",
    ),
    "annual": ReportKind(
        "annual",
        gettext_lazy("Annual project summary report"),
        ("pdf", "docx"),
        Kind.ANNUAL_SUMMARY,
        "项目年度总结报告",
    ),
    "workorders": ReportKind(
        "workorders", gettext_lazy("Work-order set"), ("pdf", "docx"), Kind.WORK_ORDERS, "工单"
    ),
    "patches": ReportKind(
        "patches",
        gettext_lazy("Vulnerability patch maintenance records"),
        ("pdf", "docx"),
        Kind.PATCH_RECORDS,
        "漏洞补丁维护记录",
    ),
    "attendance": ReportKind(
        "attendance", gettext_lazy("Monthly attendance result"), ("xlsx",), None, "考勤结果"
    ),
}


def periods(contract: Contract, kind: str) -> list[str]:
    """The labels a report kind exists for."""
    if kind == "quarterly":
        return [p.label for p in quarters(contract)]
    if kind == "attendance":
        return [p.label for p in months(contract)]
    return [ALL]


def check(contract: Contract, kind: str, label: str, fmt: str) -> ReportKind:
    rk = KINDS.get(kind)
    if rk is None or fmt not in rk.formats or label not in periods(contract, kind):
        raise ValidationError(_("No such report."))
    return rk


def deliverable_period(kind: str, label: str) -> str:
    return label if kind == "quarterly" else ""


def file_name(contract: Contract, kind: str, label: str, fmt: str) -> str:
    rk = KINDS[kind]
    suffix = "" if label == ALL else f"-{label}"
    return f"{rk.file_stem}-{contract.code}{suffix}.{fmt}"


def generate(
    contract: Contract, kind: str, label: str, fmt: str, now: datetime.datetime | None = None
) -> tuple[bytes, str, str]:
    from opsqm.derived.reports import data, render

    check(contract, kind, label, fmt)
    name = file_name(contract, kind, label, fmt)
    whole = "" if label == ALL else label
    if kind in ("quarterly", "annual"):
        report = data.build(contract, whole, now)
        if fmt == "pdf":
            return render.report_pdf(report), name, PDF
        return render.report_docx(report), name, DOCX
    if kind == "patches":
        rows = data.patch_rows(contract, whole)
        if fmt == "pdf":
            return render.patches_pdf(contract, rows, whole), name, PDF
        return render.patches_docx(contract, rows, whole), name, DOCX
    if kind == "workorders":
        tickets = data.period_tickets(contract, whole)
        if fmt == "pdf":
            return render.workorders_pdf(tickets), name, PDF
        return render.workorders_docx(tickets), name, DOCX
    # attendance: the monthly result of opsqm.facts.attendance, at the month's end (or now)
    from django.utils import timezone

    from opsqm.derived.reports.data import bounds
    from opsqm.facts.attendance.month import month_view, month_xlsx

    period = period_of(contract, whole)
    _start, end = bounds(period)
    as_of = min(end, (now or timezone.now()))
    view = month_view(contract, period.first.replace(day=1), as_of)
    return month_xlsx(view), name, XLSX_CONTENT_TYPE
