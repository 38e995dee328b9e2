"""Dashboards: per vendor and across the bureau, from the engine (cached), with
server-side SVG charts and the data behind each chart as XLSX or CSV."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from opsqm.derived.dashboards import charts, services
from opsqm.derived.ledger.kept import kept_summaries
from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.models import Vendor
from opsqm.infra.core.access import require_role
from opsqm.infra.core.roles import Role
from opsqm.infra.core.spreadsheet import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, csv_text, xlsx_bytes
from opsqm.pure.assessment.model import RULE_TITLES

READERS = (Role.ASSESSOR, Role.SUPERVISOR, Role.SERVICE_DESK, Role.VENDOR_MANAGER)
CHARTS = ("score", "deductions", "sla", "incidents", "attendance")


def _scope(request: HttpRequest) -> tuple[list[Any], Any, list[Any]]:
    require_role(request.user, *READERS)
    contracts = visible_contracts(request.user).order_by("code")
    vendors = Vendor.objects.filter(pk__in=contracts.values("vendor_id")).order_by("name")
    vendor = None
    if request.GET.get("vendor"):
        vendor = get_object_or_404(vendors, pk=request.GET["vendor"])
        contracts = contracts.filter(vendor=vendor)
    return list(contracts), vendor, list(vendors)


Tables = dict[str, tuple[list[str], list[list[Any]]]]

# The figures of a scope are kept under a key made of what they show: each contract's
# code and its kept row (evidence version, rulebook, the instant its figures were
# computed for) and the language.  A key names its content, so an entry never goes
# stale and needs no invalidation; a busy bureau's dashboards skip the charts and the
# incident count.  The shared cache (the database's, or Redis) holds them for every
# process, and the process's own ("local") copy in front of it saves the query.
FIGURES_SECONDS = 600


def _figures_key(contracts: list[Any], kept: dict[int, Any]) -> str:
    parts: list[Any] = [get_language()]
    for c in contracts:
        row = kept[c.pk]
        # Instants as numbers: a row just computed has them in local time, one read back
        # from the database in UTC, and both are the same content.
        instants = [t.timestamp() if t else None for t in (row.as_of, row.computed_at)]
        parts.append((c.pk, c.code, row.evidence_version, row.rulebook, *instants))
    return "opsqm:dashboards:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _figures(contracts: list[Any]) -> tuple[Tables, dict[str, str], Any, int]:
    """The tables and charts of `contracts`, the instant they hold at and how many
    ledgers had to be computed for them."""
    now = services.now()
    # The rows' identities name the cache entry; their summaries are read on a miss.
    kept, computed = kept_summaries(contracts, now, read="none")
    key = _figures_key(contracts, kept)
    local, shared = caches["local"], caches["default"]
    hit = local.get(key)
    if hit is None:
        hit = shared.get(key)  # drawn by another process (web or worker) already
        if hit is None:
            kept, again = kept_summaries(contracts, now)
            computed += again
            key = _figures_key(contracts, kept)  # the same unless another process kept a row
            tables = _tables(contracts, kept)
            svgs = _charts(tables)
            svgs["attendance_table"] = _table_html(*tables["attendance"])
            hit = (tables, svgs)
            shared.set(key, hit, FIGURES_SECONDS)
        local.set(key, hit, FIGURES_SECONDS)
    return hit[0], hit[1], now, computed


def _table_html(header: list[str], rows: list[list[Any]]) -> SafeString:
    """A chart's data as a table, built once with the figures it shows (a row a
    contract: through the template language it was a fifth of the page's time)."""
    head = format_html_join("", "<th>{}</th>", ((h,) for h in header))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((localize(v),) for v in r)),) for r in rows),
    )
    return format_html(
        '<div class="table-wrap"><table class="data small"><thead><tr>{}</tr></thead>'
        "<tbody>{}</tbody></table></div>",
        head,
        body,
    )


def _tables(contracts: list[Any], kept: dict[int, Any]) -> Tables:
    """Every chart's data as (header, rows), from the kept ledgers' figures: a bounded
    number of queries however many contracts (docs/ledger.md)."""
    summaries: services.Summaries = []
    for c in contracts:
        summary = kept[c.pk].summary
        if summary is not None:  # else a calendar gap or a broken override: the ledger says
            summaries.append((c, summary))
    labels, series = services.kept_score_series(summaries)
    score_rows = [[lb, *[vs[i] for _c, vs in series]] for i, lb in enumerate(labels)]
    deductions = services.kept_deductions(summaries)
    sla = services.kept_sla(summaries)
    inc = services.incidents_by_level(contracts)
    att = services.kept_attendance(summaries)
    return {
        "score": ([_("Month end"), *[code for code, _v in series]], score_rows),
        "deductions": (
            [_("Rule"), _("Title"), _("Points lost"), _("Items")],
            [[r, RULE_TITLES[r], p, n] for r, p, n in deductions],
        ),
        "sla": (
            [_("Month"), _("Resolved"), _("Within deadline"), _("Share (%)")],
            [
                [m, n, w, (Decimal(100 * w) / n).quantize(Decimal("0.1")) if n else None]
                for m, n, w in sla
            ],
        ),
        "incidents": (
            [_("Contract"), _("Level 1"), _("Level 2"), _("Level 3"), _("Pending determination")],
            [[code, *counts] for code, counts in inc],
        ),
        "attendance": (
            [
                _("Contract"),
                _("P3 absences"),
                _("P3 points"),
                _("P4 late/early"),
                _("P4 points"),
                _("P5 late leave"),
                _("P5 points"),
            ],
            [
                [
                    code,
                    row["P3"][0],
                    row["P3"][1],
                    row["P4"][0],
                    row["P4"][1],
                    row["P5"][0],
                    row["P5"][1],
                ]
                for code, row in att
            ],
        ),
    }


def _charts(tables: dict[str, Any]) -> dict[str, str]:
    h, rows = tables["score"]
    score = charts.line_chart(
        _("Score at month ends"),
        [r[0] for r in rows],
        [
            (code, [float(r[i + 1]) if r[i + 1] is not None else None for r in rows])
            for i, code in enumerate(h[1:])
        ],
        reference=(90.0, _("90: pass")),
    )
    deductions = charts.bar_chart(
        _("Points lost by rule"),
        [(f"{r[0]} {r[1]}", float(r[2])) for r in tables["deductions"][1]],
    )
    sla = charts.bar_chart(
        _("Tickets resolved within the deadline (%)"),
        [(f"{r[0]} ({r[2]}/{r[1]})", float(r[3] or 0)) for r in tables["sla"][1]],
        unit="%",
        colour=charts.PALETTE[2],
        max_value=100.0,
    )
    inc_rows = tables["incidents"][1]
    incidents = charts.stacked_bars(
        _("Incidents by level"),
        [r[0] for r in inc_rows],
        [
            (_("Level 1"), [r[1] for r in inc_rows]),
            (_("Level 2"), [r[2] for r in inc_rows]),
            (_("Level 3"), [r[3] for r in inc_rows]),
            (_("Pending"), [r[4] for r in inc_rows]),
        ],
    )
    att_rows = tables["attendance"][1]
    attendance = charts.stacked_bars(
        _("Attendance: occurrences (P3 / P4 / P5)"),
        [r[0] for r in att_rows],
        [
            (_("P3 absences"), [r[1] for r in att_rows]),
            (_("P4 late/early"), [r[3] for r in att_rows]),
            (_("P5 late leave"), [r[5] for r in att_rows]),
        ],
    )
    return {
        k: mark_safe(v)  # built by opsqm.derived.dashboards.charts: every label escaped
        for k, v in {
            "score": score,
            "deductions": deductions,
            "sla": sla,
            "incidents": incidents,
            "attendance": attendance,
        }.items()
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    contracts, vendor, vendors = _scope(request)
    tables, chart_svgs, as_of, computed = _figures(contracts)
    return render(
        request,
        "dashboards/index.html",
        {
            "charts": chart_svgs,
            "tables": tables,
            "vendor": vendor,
            "vendors": vendors,
            "contracts": contracts,
            "as_of": as_of,
            "runs": computed,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def data(request: HttpRequest, chart: str, fmt: str) -> HttpResponse:
    contracts, vendor, _v = _scope(request)
    if chart not in CHARTS or fmt not in ("xlsx", "csv"):
        raise Http404
    header, rows = _figures(contracts)[0][chart]
    name = f"dashboard-{chart}" + (f"-{vendor.pk}" if vendor else "")
    if fmt == "csv":
        resp = HttpResponse(csv_text(header, rows), content_type=CSV_CONTENT_TYPE)
    else:
        resp = HttpResponse(xlsx_bytes(header, rows, title=chart), content_type=XLSX_CONTENT_TYPE)
    resp["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return resp
