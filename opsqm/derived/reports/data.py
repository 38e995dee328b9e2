"""What a report shows, read once: the engine's ledger at the period's end (or now,
if earlier) and the records of the period.  Scores, deductions, fines and the
attendance figures are the ledger's items; counts of tickets and incidents are
counts of rows; SLA compliance reads each ticket's deadline as the engine does
(the dashboards' `sla_by_month`)."""

from __future__ import annotations

import base64
import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.derived.acceptance.services import Period, period_of
from opsqm.derived.dashboards import charts
from opsqm.derived.dashboards.services import ATTENDANCE_RULES, load, sla_by_month
from opsqm.facts.contracts.models import Contract
from opsqm.infra.core.templatetags.opsqm_format import money, points
from opsqm.infra.documents.verification import content_hash, short_code
from opsqm.pure.assessment.ledger_json import ledger_to_dict
from opsqm.pure.assessment.model import RULE_IDS, RULE_TITLES, TZ, Ledger

ZERO = Decimal(0)


def bounds(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    """[midnight of the first day, midnight after the last day) in Beijing time."""
    start = datetime.datetime.combine(period.first, datetime.time(), TZ)
    end = datetime.datetime.combine(period.last + datetime.timedelta(days=1), datetime.time(), TZ)
    return start, end


@dataclass
class RuleRow:
    rule: str
    title: str
    count: int
    points: Decimal
    fine: Decimal


@dataclass
class ReportData:
    contract: Contract
    period: Period
    kind: str  # "quarterly" | "annual"
    as_of: datetime.datetime
    ledger: Ledger
    rules: list[RuleRow]
    period_points: Decimal
    tickets_total: int
    by_priority: list[tuple[str, int]]
    by_unit: list[tuple[str, int]]
    sla: list[tuple[str, int, int]]
    incidents: list[dict[str, Any]]
    attendance: list[RuleRow]
    findings: dict[str, int]
    charts: dict[str, str] = field(default_factory=dict)  # name → SVG text
    code: str = ""

    @property
    def sla_resolved(self) -> int:
        return sum(r for _m, r, _w in self.sla)

    @property
    def sla_within(self) -> int:
        return sum(w for _m, _r, w in self.sla)

    @property
    def sla_share(self) -> str:
        if not self.sla_resolved:
            return "—"
        return f"{100 * self.sla_within / self.sla_resolved:.1f} %"

    def chart_uris(self) -> dict[str, str]:
        return {
            k: "data:image/svg+xml;base64," + base64.b64encode(v.encode()).decode()
            for k, v in self.charts.items()
        }


def _rule_rows(items: list[Any], rules: tuple[str, ...] = RULE_IDS) -> list[RuleRow]:
    rows = []
    for rule in rules:
        its = [i for i in items if i.rule == rule]
        if its:
            rows.append(
                RuleRow(
                    rule,
                    RULE_TITLES.get(rule, ""),
                    len(its),
                    sum((i.points for i in its), ZERO),
                    sum((i.fine for i in its), ZERO),
                )
            )
    return rows


def build(contract: Contract, label: str, now: datetime.datetime | None = None) -> ReportData:
    """The quarterly report (label "2025Q4") or the annual summary (label "")."""
    from opsqm.facts.tickets.models import Finding, Ticket

    period = period_of(contract, label)
    start, end = bounds(period)
    now = (now or timezone.now()).astimezone(TZ)
    as_of = min(end, now)
    data = load(contract)
    ledger = data.ledger(as_of)  # the one engine (cached by evidence fingerprint)
    in_period = [i for i in ledger.items if i.at is not None and start <= i.at < end]
    if not label:
        in_period = list(ledger.items)
    rules = _rule_rows(in_period)
    tickets = Ticket.objects.filter(contract=contract).filter(
        Q(dispatched_at__gte=start, dispatched_at__lt=end)
        | Q(dispatched_at__isnull=True, created_at__gte=start, created_at__lt=end)
    )
    priorities = dict(Ticket.Priority.choices)
    by_priority = Counter(tickets.values_list("priority", flat=True))
    by_unit = Counter(tickets.values_list("unit__name", flat=True))
    months = {f"{d:%Y-%m}" for d in _days(period)}
    sla = [row for row in sla_by_month([data], as_of) if row[0] in months]
    incidents = _incidents(contract, start, end)
    findings = Finding.objects.filter(
        ticket__contract=contract, ticket__created_at__gte=start, ticket__created_at__lt=end
    )
    report = ReportData(
        contract=contract,
        period=period,
        kind="quarterly" if label else "annual",
        as_of=as_of,
        ledger=ledger,
        rules=rules,
        period_points=sum((r.points for r in rules), ZERO),
        tickets_total=tickets.count(),
        by_priority=[(str(priorities.get(p, p)), n) for p, n in sorted(by_priority.items())],
        by_unit=sorted(((u or "—", n) for u, n in by_unit.items()), key=lambda r: (-r[1], r[0])),
        sla=sla,
        incidents=incidents,
        attendance=_rule_rows(in_period, ATTENDANCE_RULES),
        findings={
            "total": findings.count(),
            "closed": findings.filter(closed_at__isnull=False).count(),
        },
    )
    report.charts = _charts(rules, report.by_unit, sla)
    report.code = _code(contract, label, as_of, ledger, report.tickets_total, incidents)
    return report


def _incidents(
    contract: Contract, start: datetime.datetime, end: datetime.datetime
) -> list[dict[str, Any]]:
    """The incidents that occurred in the period, as the report lists them."""
    from opsqm.facts.incidents.models import Incident

    return [
        {
            "code": i.code,
            "title": i.title,
            "level": i.level,
            "occurred_at": i.occurred_at,
            "reported_at": i.reported_at,
        }
        for i in Incident.objects.filter(
            contract=contract, occurred_at__gte=start, occurred_at__lt=end
        ).order_by("occurred_at")
    ]


def deduction_rows(rules: list[RuleRow]) -> list[RuleRow]:
    """The rules that cost the vendor something in the period: points, or a fine only
    (D1, a late service, is a fine without points)."""
    return [r for r in rules if r.points < 0 or r.fine > 0]


def deduction_note(row: RuleRow) -> str:
    """What a bar of the deductions chart says: -1.50 · ¥6,625.00."""
    shown = points(row.points)
    return f"{shown} · {money(row.fine)}" if row.fine else shown


def _charts(rules: list[RuleRow], by_unit: list[tuple[str, int]], sla: list[Any]) -> dict[str, str]:
    """The report's three charts (SVG): points lost by rule, work orders by unit,
    resolved work orders within / past the deadline by month."""
    charged = deduction_rows(rules)
    return {
        "deductions": charts.bar_chart(
            _("Points lost and fines by rule"),
            [(f"{r.rule} {r.title}"[:14], float(-r.points)) for r in charged],
            notes=[deduction_note(r) for r in charged],
        ),
        "units": charts.bar_chart(
            _("Work orders by unit"),
            [(u[:12], float(n)) for u, n in by_unit],
            colour=charts.PALETTE[0],
        ),
        "sla": charts.stacked_bars(
            _("Resolved work orders: within / past the deadline"),
            [m for m, _r, _w in sla],
            [
                (_("within the deadline"), [float(w) for _m, _r, w in sla]),
                (_("past the deadline"), [float(r - w) for _m, r, w in sla]),
            ],
        ),
    }


def _code(
    contract: Contract,
    label: str,
    as_of: datetime.datetime,
    ledger: Any,
    tickets_total: int,
    incidents: list[dict[str, Any]],
) -> str:
    """The report's verification code: a hash of what it states."""
    return short_code(
        content_hash(
            {
                "contract": contract.code,
                "period": label,
                "as_of": as_of,
                "ledger": ledger_to_dict(ledger),
                "tickets": tickets_total,
                "incidents": [i["code"] for i in incidents],
            }
        )
    )


def _days(period: Period) -> list[datetime.date]:
    out = []
    d = period.first
    while d <= period.last:
        out.append(d)
        d += datetime.timedelta(days=1)
    return out


# ------------------------------------------------------------------ patch records


@dataclass
class PatchRow:
    number: str
    title: str
    registered: datetime.datetime
    finding: str
    severity: str
    closed_at: datetime.datetime | None
    closed_by: str
    note: str


def patch_rows(contract: Contract, label: str = "") -> list[PatchRow]:
    """漏洞补丁维护记录: every finding of the security-report work orders (第十条)."""
    from opsqm.facts.tickets.models import Finding, Ticket

    start, end = bounds(period_of(contract, label))
    severities = dict(Finding.Severity.choices)
    rows = []
    qs = (
        Finding.objects.filter(
            ticket__contract=contract,
            ticket__kind=Ticket.Kind.SECURITY,
            ticket__created_at__gte=start,
            ticket__created_at__lt=end,
        )
        .select_related("ticket", "closed_by")
        .order_by("ticket__created_at", "id")
    )
    for f in qs:
        rows.append(
            PatchRow(
                number=f.ticket.number,
                title=f.ticket.title,
                registered=f.ticket.created_at,
                finding=f.description,
                severity=str(severities.get(f.severity, f.severity)),
                closed_at=f.closed_at,
                closed_by=(getattr(f.closed_by, "full_name", "") or str(f.closed_by or "")),
                note=f.note,
            )
        )
    return rows


def period_tickets(contract: Contract, label: str = "") -> Any:
    """The tickets of a period (by dispatch, else by intake), in number order."""
    from opsqm.facts.tickets.models import Ticket

    start, end = bounds(period_of(contract, label))
    return (
        Ticket.objects.filter(contract=contract)
        .filter(
            Q(dispatched_at__gte=start, dispatched_at__lt=end)
            | Q(dispatched_at__isnull=True, created_at__gte=start, created_at__lt=end)
        )
        .order_by("dispatched_at", "number")
    )
