"""The demo bureau's issue-6 records render on every page, for each role that sees them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from opsqm.infra.accounts.models import User

pytestmark = pytest.mark.django_db


def test_demo_pages_render(client: Any) -> None:
    import io

    call_command("demo", stdout=io.StringIO())
    from django.utils import timezone

    from opsqm.facts.incidents.models import EvaluationCampaign, Incident, RectificationNotice

    pending = Incident.objects.get(code="SG-02")
    assert (
        pending.level is None and pending.proposal(timezone.now()).level == 1  # 2, raised
    )
    pages = {
        "assessor": [
            "/incidents/",
            f"/incidents/{pending.pk}/",
            f"/incidents/{Incident.objects.get(code='SG-01').pk}/",
            "/incidents/evaluations/",
            f"/incidents/evaluations/{EvaluationCampaign.objects.get().pk}/",
            "/incidents/praise/",
            "/incidents/rectifications/",
            f"/incidents/rectifications/{RectificationNotice.objects.first().pk}/",  # type: ignore[union-attr]
            "/incidents/deliveries/",
            "/settlement/",
            "/settlement/C-2025-001/",
            "/settlement/C-2026-002/",
            "/dashboards/",
        ],
        "supervisor": ["/settlement/C-2025-001/"],
        "kh_manager": ["/incidents/praise/", "/dashboards/", "/settlement/C-2025-001/"],
        "recipient": ["/incidents/evaluations/rate/"],
    }
    for username, urls in pages.items():
        client.force_login(User.objects.get(username=username))
        for url in urls:
            r = client.get(url)
            assert r.status_code == 200, (username, url, r.status_code)
    client.force_login(User.objects.get(username="supervisor"))
    assert 'name="decision"' in client.get("/settlement/C-2025-001/").content.decode()


def test_demo_remedies_on_the_seed_contract(client: Any) -> None:
    """Payments, SG-03's liability and the force-majeure decision of the seed contract
    show on the settlement, payment, incident, force-majeure and ledger pages."""
    import io

    call_command("demo", stdout=io.StringIO())
    from opsqm.facts.incidents.models import ForceMajeure, Incident

    client.force_login(User.objects.get(username="assessor"))
    settlement = client.get("/settlement/C-2025-001/").content.decode()
    assert "SG-03" in settlement and "8,600.00" in settlement
    panel = client.get("/payments/C-2025-001/panel/").content.decode()
    assert "11002512345678" in panel and "397,500.00" in panel
    sg03 = Incident.objects.get(code="SG-03")
    assert "8,600.00" in client.get(f"/incidents/{sg03.pk}/").content.decode()
    fm = ForceMajeure.objects.get(code="FM-2026-01")
    assert fm.decided and not fm.explanation_overdue(fm.explanation_due)
    assert "季度报告 2026Q2" in client.get(f"/incidents/force-majeure/{fm.pk}/").content.decode()
    ledger = client.get("/ledger/C-2025-001/").content.decode()
    assert "force_majeure:FM-2026-01" in ledger
