"""Dashboards: SVG charts, the engine cache, the data behind each chart."""

from __future__ import annotations

import datetime
import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from opsqm.derived.dashboards import charts, services
from opsqm.facts.incidents import services as inc
from opsqm.facts.tickets.models import Ticket
from opsqm.pure.assessment.model import TZ

CHART_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox'


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime.datetime:
    return datetime.datetime(y, mo, d, h, mi, s, tzinfo=TZ)


# --- pure charts ---------------------------------------------------------------------


def test_line_chart_is_valid_svg_and_escapes_labels() -> None:
    svg = charts.line_chart(
        "分数 <script>",
        ["2025-01", "2025-02", "2025-03"],
        [("C-1 <b>", [99.0, None, 95.5]), ("C-2", [100.0, 98.0, 97.0])],
        reference=(90.0, "90"),
    )
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count("<polyline") == 2
    assert svg.count("<circle") == 5  # None draws no point


def test_bar_and_stacked_charts() -> None:
    bars = charts.bar_chart("x", [("T6", 3.5), ("P3", 7.0)], unit="%")
    ET.fromstring(bars)
    assert bars.count("<rect") == 2 and "7%" in bars
    stacked = charts.stacked_bars("y", ["A", "B"], [("1", [1, 0]), ("2", [2, 3])])
    ET.fromstring(stacked)
    assert stacked.count("<rect") == 3 + 2  # bars drawn + legend keys


def test_empty_data_says_so() -> None:
    assert "—" in charts.line_chart("t", [], [])
    assert "—" in charts.bar_chart("t", [])
    assert "—" in charts.stacked_bars("t", ["A"], [("1", [0])])


# --- data ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_month_ends(contract_a: Any) -> None:
    ends = services.month_ends(contract_a, at(2025, 3, 15))
    assert ends == [at(2025, 2, 1), at(2025, 3, 1)]
    full = services.month_ends(contract_a, at(2030, 1, 1))
    assert len(full) == 12 and full[-1] == at(2026, 1, 1)
    assert [services.month_label(a) for a in full[:2]] == ["2025-01", "2025-02"]


@pytest.fixture
def tickets(contract_a: Any) -> None:
    for n, (disp, res) in enumerate(
        [
            (at(2025, 3, 3, 9), at(2025, 3, 3, 12)),  # in time
            (at(2025, 3, 4, 9), at(2025, 3, 6, 9)),  # 24 h late
            (at(2025, 4, 1, 9), at(2025, 4, 1, 10)),
        ]
    ):
        Ticket.objects.create(
            contract=contract_a,
            number=f"GD-{n}",
            problem=f"GD-{n}",
            priority="normal",
            dispatched_at=disp,
            resolved_at=res,
            signature="signed",
            archive="ok",
        )


@pytest.mark.django_db
def test_sla_by_month(contract_a: Any, tickets: None) -> None:
    data = [services.load(contract_a)]
    assert services.sla_by_month(data, at(2030, 1, 1)) == [("2025-03", 2, 1), ("2025-04", 1, 1)]


@pytest.mark.django_db
def test_engine_runs_are_cached_per_evidence(contract_a: Any, tickets: None) -> None:
    cache.clear()
    now = at(2030, 1, 1)
    first = services.load(contract_a)
    services.score_series([first], now)
    assert first.runs == 12
    again = services.load(contract_a)
    services.score_series([again], now)
    assert again.runs == 0  # same evidence: all from the cache
    inc.record_incident(contract_a, {"code": "SG-1", "level": 3, "occurred_at": at(2025, 6, 1)})
    changed = services.load(contract_a)
    assert changed.fingerprint != first.fingerprint
    labels, series = services.score_series([changed], now)
    assert changed.runs == 12
    scores = dict(zip(labels, series[0][1], strict=True))
    assert scores["2025-05"] > scores["2025-06"]  # the incident shows from June


@pytest.mark.django_db
def test_incidents_by_level_counts_pending(contract_a: Any) -> None:
    inc.record_incident(contract_a, {"code": "SG-1", "level": 1, "occurred_at": at(2025, 6, 1)})
    inc.record_incident(contract_a, {"code": "SG-2", "occurred_at": at(2025, 6, 2)})
    assert services.incidents_by_level([contract_a]) == [("BJJY-2025-001", [1, 0, 0, 1])]


@pytest.mark.django_db
def test_page_and_exports(
    contract_a: Any, contract_b: Any, tickets: None, login: Any, assessor: Any, vendor_manager: Any
) -> None:
    body = login(assessor).get("/dashboards/").content.decode()
    assert body.count(CHART_SVG) == 5  # the five charts (the bell has an icon too)
    assert "BJJY-2025-001" in body and "BJJY-2025-002" in body
    own = login(vendor_manager).get("/dashboards/").content.decode()
    assert "BJJY-2025-002" not in own  # another vendor's contract
    r = login(assessor).get(f"/dashboards/data/sla.xlsx?vendor={contract_a.vendor_id}")
    wb = load_workbook(io.BytesIO(r.content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[1][:3] == ("2025-03", 2, 1)
    csv = login(assessor).get("/dashboards/data/score.csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].endswith("BJJY-2025-001,BJJY-2025-002")
    assert login(assessor).get("/dashboards/data/nope.csv").status_code == 404


@pytest.mark.django_db
def test_figures_are_reused_until_the_evidence_changes(
    contract_a: Any, tickets: None, login: Any, assessor: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(assessor)
    client.get("/dashboards/")
    with CaptureQueriesContext(connection) as again:
        body = client.get("/dashboards/").content.decode()
    # the same evidence: the charts come from the memo, not from the incident table
    assert not any("incidents_incident" in q["sql"] for q in again.captured_queries)
    assert body.count(CHART_SVG) == 5  # the five charts (the bell has an icon too)
    inc.record_incident(contract_a, {"code": "SG-9", "level": 2, "occurred_at": at(2025, 6, 1)})
    with CaptureQueriesContext(connection) as changed:
        client.get("/dashboards/")
    # a new evidence version: the figures are made again, the new incident counted
    assert any("incidents_incident" in q["sql"] for q in changed.captured_queries)
    rows = client.get("/dashboards/data/incidents.csv").content.decode("utf-8-sig").splitlines()
    assert rows[1].startswith("BJJY-2025-001,0,1,0,0")


def test_figures_drawn_by_one_process_serve_the_others(
    contract_a: Any, tickets: None, login: Any, assessor: Any, monkeypatch: Any
) -> None:
    """The shared cache holds the drawn figures: a process that has not drawn them
    (its own cache empty) takes them from there instead of drawing them again."""
    from django.core.cache import caches

    from opsqm.derived.dashboards import views

    client = login(assessor)
    first = client.get("/dashboards/").content.decode()
    caches["local"].clear()  # another process: nothing of its own yet
    drawn: list[int] = []
    monkeypatch.setattr(views, "_charts", lambda tables: drawn.append(1) or {})
    again = client.get("/dashboards/").content.decode()
    assert drawn == [] and again.count(CHART_SVG) == first.count(CHART_SVG) == 5
    caches["local"].clear()
    caches["default"].clear()  # nothing kept anywhere: drawn again
    client.get("/dashboards/")
    assert drawn == [1]
