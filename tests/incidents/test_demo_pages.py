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
