"""The audit administrator's pages: the log, one record, exports, chain check."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from opsqm.infra.audit.forms import AuditFilterForm
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.audit.services import format_at, log_action, verify_chain
from opsqm.infra.core.access import role_required
from opsqm.infra.core.roles import Role
from opsqm.infra.core.spreadsheet import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, iter_csv, xlsx_bytes

AUDIT = Role.AUDIT_ADMIN
EXPORT_HEADER = [
    "seq", "time (Beijing)", "at (UTC, hashed)", "actor", "actor role", "address", "action",
    "object type", "object id", "summary", "before", "after", "prev_hash", "hash",
]  # fmt: skip


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditRecord]]:
    form = AuditFilterForm(request.GET or None)
    qs: QuerySet[AuditRecord] = AuditRecord.objects.order_by("-seq")
    if form.is_valid():
        qs = form.filter(qs)
    elif form.is_bound:
        qs = qs.none()
    return form, qs


def _pager_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@role_required(AUDIT)
def record_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    ctx = {"form": form, "page": page, "pager_query": _pager_query(request)}
    htmx = getattr(request, "htmx", False)
    return render(request, "audit/_table.html" if htmx else "audit/list.html", ctx)


@role_required(AUDIT)
def record_detail(request: HttpRequest, seq: int) -> HttpResponse:
    rec = get_object_or_404(AuditRecord, seq=seq)
    return render(
        request,
        "audit/detail.html",
        {
            "rec": rec,
            "diff": rec.diff(),
            "before_json": json.dumps(rec.before, ensure_ascii=False, indent=2),
            "after_json": json.dumps(rec.after, ensure_ascii=False, indent=2),
            "at_hashed": format_at(rec.at),
        },
    )


def _rows(qs: QuerySet[AuditRecord]) -> Iterator[list[Any]]:
    for r in qs.iterator(chunk_size=2000):
        yield [
            r.seq,
            timezone.localtime(r.at).strftime("%Y-%m-%d %H:%M:%S"),
            format_at(r.at),
            r.actor_name,
            r.actor_role,
            r.ip or "",
            r.action,
            r.object_type,
            r.object_id,
            r.summary,
            "" if r.before is None else json.dumps(r.before, ensure_ascii=False, sort_keys=True),
            "" if r.after is None else json.dumps(r.after, ensure_ascii=False, sort_keys=True),
            r.prev_hash,
            r.hash,
        ]


def _log_export(fmt: str, request: HttpRequest) -> None:
    log_action(
        "audit.export",
        object_type="audit.auditrecord",
        summary=f"audit log exported as {fmt}",
        after={"format": fmt, "filters": _pager_query(request)},
    )


@role_required(AUDIT)
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    _, qs = _filtered(request)
    _log_export("csv", request)
    response = StreamingHttpResponse(
        iter_csv(EXPORT_HEADER, _rows(qs.order_by("seq"))), content_type=CSV_CONTENT_TYPE
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="opsqm-audit-{stamp}.csv"'
    return response


@role_required(AUDIT)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    _, qs = _filtered(request)
    _log_export("xlsx", request)
    data = xlsx_bytes(EXPORT_HEADER, _rows(qs.order_by("seq")), title="audit")
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="opsqm-audit-{stamp}.xlsx"'
    return response


@role_required(AUDIT)
def verify(request: HttpRequest) -> HttpResponse:
    """Walk the whole chain (GET: read-only; the check itself is audited)."""
    report = verify_chain()
    log_action(
        "audit.verify",
        object_type="audit.auditrecord",
        summary=f"chain verified: {len(report.problems)} problem(s) in {report.count} records",
        after={"count": report.count, "problems": len(report.problems)},
    )
    htmx = getattr(request, "htmx", False)
    template = "audit/_verify.html" if htmx else "audit/verify.html"
    return render(request, template, {"report": report})
