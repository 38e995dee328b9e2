"""A provisional ledger's tier is a projection (spec §2, 2026-12-06): labelled 预计 on
the pages, reports, exports and the API, never shown as a fine."""

from __future__ import annotations

import datetime

import pytest

from opsqm.derived.settlement.exports import tier_row
from opsqm.facts.contracts.models import Contract
from tests.web.fixtures_registers import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.django_db
PROVISIONAL = "2025-09-30T12:00:00+08:00"
FINAL = "2026-01-05T12:00:00+08:00"


@pytest.fixture
def low_score(evidence_a):
    """Contract A: its staff missing from work all year puts the score below 60."""
    return evidence_a


def _page(client, url, **params) -> str:
    resp = client.get(url, params)
    assert resp.status_code == 200
    return resp.content.decode()


def test_ledger_pages_show_a_projection_not_a_fine(low_score, assessor, login):
    client = login(assessor)
    for url in (f"/ledger/{low_score.code}/", "/ledger/"):
        html = _page(client, url, as_of=PROVISIONAL)
        assert "预计：15% 档" in html and "tier-projected" in html
        assert "罚款 15%" not in html and 'badge bad">罚款' not in html
        final = _page(client, url, as_of=FINAL)
        assert "罚款 15%" in final and "预计" not in final.split("<main", 1)[-1]


def test_ledger_api_labels_the_projection(low_score, assessor, login):
    client = login(assessor)
    provisional = client.get(f"/ledger/{low_score.code}.json", {"as_of": PROVISIONAL}).json()
    assert provisional["tier"] == "15%" and provisional["tier_projected"] is True
    assert provisional["fines"]["A1"] == "0.00"
    final = client.get(f"/ledger/{low_score.code}.json", {"as_of": FINAL}).json()
    assert final["tier_projected"] is False and final["fines"]["A1"] != "0.00"


def test_home_shows_no_fine_badge_on_a_provisional_result(low_score, assessor, login):
    Contract.objects.filter(pk=low_score.pk).update(end=datetime.date(2099, 12, 31))
    html = _page(login(assessor), "/")
    assert "tier-projected" in html and "预计：" in html
    assert "罚款 15%" not in html and 'badge bad">' not in html


def test_exports_and_reports_word_the_projection():
    assert tier_row("5%", True)[1] == "5%"
    label, value = tier_row("5%", False)
    assert "预计" in str(label) and value == "预计：5% 档"
