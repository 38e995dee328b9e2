"""Quarterly evaluation campaigns, praise, rectification notices and contracted
deliveries: services, pages, and what reaches the ledger."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from opsqm.derived.ledger.services import contract_ledger
from opsqm.facts.incidents import services
from opsqm.facts.incidents.models import (
    EvaluationCampaign,
    Praise,
    PraiseApplication,
    QuarterlyEvaluation,
    RectificationNotice,
    ServiceDelay,
)
from opsqm.infra.core.uploads import as_upload
from opsqm.pure.assessment.model import TZ

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4 scan"


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime.datetime:
    return datetime.datetime(y, mo, d, h, mi, s, tzinfo=TZ)


def rules(contract: Any, as_of: datetime.datetime, rule: str) -> list[Any]:
    return [i for i in contract_ledger(contract, as_of).items if i.rule == rule]


# --- quarterly evaluations -----------------------------------------------------------


@pytest.fixture
def campaign(contract_a: Any, contract_b: Any, unit_a: Any, assessor: Any) -> EvaluationCampaign:
    contract_b.units.add(unit_a)  # unit A is served by both vendors
    return services.open_campaign("2025Q2", assessor, at(2025, 7, 1))


def test_campaign_entries_are_units_times_vendors(campaign: EvaluationCampaign) -> None:
    pairs = sorted((e.unit.name, e.contract.code) for e in campaign.entries.all())
    assert pairs == [
        ("第一监狱", "BJJY-2025-001"),
        ("第一监狱", "BJJY-2025-002"),
        ("第二监狱", "BJJY-2025-002"),
    ]


def test_a_quarter_no_contract_serves_is_refused(contract_a: Any, assessor: Any) -> None:
    # contract_a serves 2025; 2062Q1 is a slip of the keyboard for 2026Q1.
    with pytest.raises(ValidationError) as raised:
        services.open_campaign("2062Q1", assessor)
    assert "2062Q1" in str(raised.value.message_dict["quarter"])
    assert not EvaluationCampaign.objects.filter(quarter="2062Q1").exists()


def test_one_campaign_per_quarter(campaign: EvaluationCampaign, assessor: Any) -> None:
    with pytest.raises(ValidationError):
        services.open_campaign("2025Q2", assessor)


def test_recipient_rates_and_q1_follows(
    campaign: EvaluationCampaign, recipient: Any, contract_a: Any
) -> None:
    entry = campaign.entries.get(contract=contract_a)
    with pytest.raises(ValidationError):  # unsatisfied needs a reason
        services.rate(entry, "unsatisfied", "", recipient)
    services.rate(entry, "unsatisfied", "响应慢", recipient)
    services.rate(entry, "satisfied", "", recipient)  # changed while open
    services.rate(entry, "unsatisfied", "仍然响应慢", recipient)
    ev = QuarterlyEvaluation.objects.get(contract=contract_a, quarter="2025Q2")
    assert (ev.result, ev.rated_by) == ("unsatisfied", recipient)
    assert rules(contract_a, at(2025, 6, 30, 23), "Q1") == []  # quarter not over
    [q1] = rules(contract_a, at(2025, 7, 1), "Q1")
    assert q1.points == Decimal(-4)


def test_only_the_units_recipient_rates(
    campaign: EvaluationCampaign, other_recipient: Any, contract_a: Any
) -> None:
    entry = campaign.entries.get(contract=contract_a)
    with pytest.raises(ValidationError):
        services.rate(entry, "satisfied", "", other_recipient)


def test_closed_campaign_refuses_ratings(
    campaign: EvaluationCampaign, recipient: Any, contract_a: Any
) -> None:
    services.close_campaign(campaign)
    entry = campaign.entries.get(contract=contract_a)
    with pytest.raises(ValidationError):
        services.rate(entry, "satisfied", "", recipient)
    with pytest.raises(ValidationError):
        services.close_campaign(campaign)


def test_rate_page_and_progress(
    campaign: EvaluationCampaign, login: Any, recipient: Any, assessor: Any
) -> None:
    c = login(recipient)
    page = c.get("/incidents/evaluations/rate/").content.decode()
    assert page.count('name="entry"') == 2  # unit A's two vendors only
    assert 'name="viewport"' in page
    entry = campaign.entries.filter(unit=recipient.unit).first()
    assert entry is not None
    r = c.post("/incidents/evaluations/rate/", {"entry": entry.pk, "result": "satisfied"})
    assert r.status_code == 302
    progress = login(assessor).get(f"/incidents/evaluations/{campaign.pk}/").content.decode()
    assert 'value="1"' in progress and 'max="3"' in progress
    r = login(assessor).post(f"/incidents/evaluations/{campaign.pk}/close/")
    assert r.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "closed"


def test_open_campaign_through_the_page(login: Any, assessor: Any, contract_a: Any) -> None:
    r = login(assessor).post("/incidents/evaluations/", {"quarter": "2025Q3"})
    assert r.status_code == 302
    assert EvaluationCampaign.objects.get(quarter="2025Q3").entries.count() == 1
    r = login(assessor).post("/incidents/evaluations/", {"quarter": "2025Q9"})
    assert r.status_code == 200  # form error


# --- praise --------------------------------------------------------------------------


def _apply(contract: Any, user: Any, level: str, event: str = "E-1") -> PraiseApplication:
    data: dict[str, Any] = {
        "event": event,
        "level": level,
        "praised_on": datetime.date(2025, 5, 1),
        "description": "保障会议",
    }
    if level == "service_unit":  # the unit applies, with its seal
        data["stamped_scan"] = as_upload(PDF, "盖章.pdf")
    return services.apply_praise(contract, data, user)


def test_leader_praise_needs_the_verification_recorded(
    contract_a: Any, vendor_manager: Any, assessor: Any
) -> None:
    app = _apply(contract_a, vendor_manager, "main_leader")
    with pytest.raises(ValidationError) as e:
        services.confirm_praise(app, {}, assessor)
    assert "verified_with" in e.value.message_dict
    praise = services.confirm_praise(app, {"verified_with": "王局长（电话核实）"}, assessor)
    assert (praise.verified_with, praise.confirmed_by) == ("王局长（电话核实）", assessor)
    app.refresh_from_db()
    assert app.status == "confirmed" and app.praise == praise
    with pytest.raises(ValidationError):  # decided once
        services.confirm_praise(app, {"verified_with": "x"}, assessor)


def test_unit_praise_is_confirmed_on_the_units_sealed_scan(
    contract_a: Any, recipient: Any, assessor: Any
) -> None:
    app = _apply(contract_a, recipient, "service_unit")
    assert app.unit == recipient.unit and app.stamped_scan
    services.confirm_praise(app, {}, assessor)
    assert Praise.objects.filter(contract=contract_a, level="service_unit").count() == 1


def test_a_praise_file_is_served_by_its_named_fields_only(
    contract_a: Any, vendor_manager: Any, recipient: Any, assessor: Any, login: Any, users: Any
) -> None:
    app = _apply(contract_a, recipient, "service_unit")
    services.confirm_praise(app, {}, assessor)
    client = login(vendor_manager)
    got = client.get(f"/incidents/praise/{app.pk}/file/stamped_scan/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert client.get(f"/incidents/praise/{app.pk}/file/description/").status_code == 404
    admin = login(users["system_admin"])  # no business with praise: 403 before anything else
    assert admin.get(f"/incidents/praise/{app.pk}/file/description/").status_code == 403


def test_one_event_counts_once_at_its_highest_level(
    contract_a: Any, vendor_manager: Any, recipient: Any, assessor: Any, login: Any
) -> None:
    unit = _apply(contract_a, recipient, "service_unit")
    services.confirm_praise(unit, {}, assessor)
    leader = _apply(contract_a, vendor_manager, "leader_in_charge")
    services.confirm_praise(leader, {"verified_with": "李副局长"}, assessor)
    [r1] = rules(contract_a, at(2025, 12, 1), "R1")
    assert r1.points == Decimal(5)
    page = login(vendor_manager).get(f"/incidents/praise/?contract={contract_a.pk}")
    body = page.content.decode()
    assert body.count('class="badge ok">') >= 1
    counting = services.praise_events(list(Praise.objects.all()))
    assert counting[(contract_a.pk, "E-1")].level == "leader_in_charge"


def test_the_same_level_twice_is_refused(
    contract_a: Any, vendor_manager: Any, assessor: Any
) -> None:
    a = _apply(contract_a, vendor_manager, "main_leader")
    with pytest.raises(ValidationError):  # applied for already
        _apply(contract_a, vendor_manager, "main_leader")
    services.confirm_praise(a, {"verified_with": "x"}, assessor)
    with pytest.raises(ValidationError):  # and praised already
        _apply(contract_a, vendor_manager, "main_leader")


def test_rejection_needs_a_reason(contract_a: Any, vendor_manager: Any, assessor: Any) -> None:
    app = _apply(contract_a, vendor_manager, "main_leader")
    with pytest.raises(ValidationError):
        services.reject_praise(app, " ", assessor)
    services.reject_praise(app, "无法核实", assessor)
    app.refresh_from_db()
    assert app.status == "rejected" and not Praise.objects.exists()


def test_apply_and_decide_through_the_pages(
    contract_a: Any, vendor_manager: Any, assessor: Any, login: Any
) -> None:
    r = login(vendor_manager).post(
        f"/incidents/praise/apply/?contract={contract_a.pk}",
        {
            "event": "E-9",
            "level": "leader_in_charge",
            "praised_on": "2025-05-02",
            "description": "抢修",
        },
    )
    assert r.status_code == 302
    app = PraiseApplication.objects.get(event="E-9")
    assert app.applied_by == vendor_manager
    r = login(assessor).post(
        f"/incidents/praise/{app.pk}/decide/", {"decision": "confirm", "verified_with": "李局"}
    )
    assert r.status_code == 302
    assert Praise.objects.get(event="E-9").verified_with == "李局"


# --- rectification -------------------------------------------------------------------


def _notice(contract: Any, user: Any, track: bool = False) -> RectificationNotice:
    return services.issue_rectification(
        contract,
        {
            "code": "ZG-01",
            "subject": "巡检记录不全",
            "description": "补齐 3 月巡检记录",
            "received_on": datetime.date(2025, 3, 10),
        },
        user,
        track_delivery=track,
    )


def test_due_is_five_days_after_receipt(contract_a: Any, assessor: Any) -> None:
    n = _notice(contract_a, assessor)
    assert n.due == datetime.date(2025, 3, 15)
    assert not n.overdue(datetime.date(2025, 3, 15))
    assert n.overdue(datetime.date(2025, 3, 16))


def test_respond_verify_and_return(contract_a: Any, assessor: Any, vendor_engineer: Any) -> None:
    n = _notice(contract_a, assessor)
    with pytest.raises(ValidationError):
        services.verify_rectification(n, True, "", assessor)  # nothing to verify yet
    services.respond_rectification(n, {"response": "已补齐"}, vendor_engineer, at(2025, 3, 14, 10))
    services.verify_rectification(n, False, "仍缺 3 月 5 日", assessor)
    n.refresh_from_db()
    assert (n.status, n.rectified_at) == ("open", None)
    services.respond_rectification(n, {"response": "再次补齐"}, vendor_engineer, at(2025, 3, 17, 9))
    services.verify_rectification(n, True, "", assessor)
    n.refresh_from_db()
    assert n.status == "verified" and n.overdue(datetime.date(2025, 12, 1))
    with pytest.raises(ValidationError):
        services.respond_rectification(n, {"response": "x"}, vendor_engineer)


def test_tracked_rectification_feeds_d1(
    contract_a: Any, assessor: Any, vendor_engineer: Any
) -> None:
    n = _notice(contract_a, assessor, track=True)
    assert n.delivery is not None and n.delivery.due == datetime.date(2025, 3, 15)
    services.respond_rectification(n, {"response": "完成"}, vendor_engineer, at(2025, 3, 22, 9))
    services.verify_rectification(n, True, "", assessor)
    n.delivery.refresh_from_db()
    assert n.delivery.delivered == datetime.date(2025, 3, 22)
    [d1] = rules(contract_a, at(2025, 4, 1), "D1")
    assert d1.fine == contract_a.amount * Decimal("0.01")  # 7 days → 2 × 0.5 %


def test_rectification_pages(
    contract_a: Any, assessor: Any, vendor_manager: Any, login: Any
) -> None:
    r = login(assessor).post(
        f"/incidents/rectifications/new/?contract={contract_a.pk}",
        {
            "code": "ZG-02",
            "subject": "s",
            "description": "d",
            "received_on": "2025-03-01",
            "track_delivery": "on",
        },
    )
    assert r.status_code == 302
    n = RectificationNotice.objects.get(code="ZG-02")
    assert n.delivery is not None
    listing = login(vendor_manager).get("/incidents/rectifications/").content.decode()
    assert 'class="overdue"' in listing  # long past its due day
    r = login(vendor_manager).post(
        f"/incidents/rectifications/{n.pk}/respond/", {"response": "done"}
    )
    assert r.status_code == 302
    r = login(assessor).post(f"/incidents/rectifications/{n.pk}/verify/", {"decision": "accept"})
    assert r.status_code == 302
    n.refresh_from_db()
    assert n.status == "verified"


# --- contracted deliveries -----------------------------------------------------------


def test_due_dates_the_contract_fixes() -> None:
    d = datetime.date(2025, 1, 1)
    assert services.due_for("staff_list", d) == datetime.date(2025, 1, 2)
    assert services.due_for("replacement", d) == datetime.date(2025, 1, 4)
    assert services.due_for("rectification", d) == datetime.date(2025, 1, 6)
    assert services.due_for("report", d) is None


def test_delivery_register_and_termination_flag(
    contract_a: Any, assessor: Any, login: Any, vendor_manager: Any
) -> None:
    s = services.record_service_delay(
        contract_a,
        {"obligation": "维护人员名单", "kind": "staff_list", "basis_on": datetime.date(2025, 1, 1)},
    )
    assert (s.due, s.clause) == (datetime.date(2025, 1, 2), "合同 六(二)1")
    services.record_delivered(s, datetime.date(2025, 1, 20))  # 18 days late
    page = login(vendor_manager).get("/incidents/deliveries/").content.decode()
    assert "termination" in page and "维护人员名单" in page
    [d1] = rules(contract_a, at(2025, 2, 1), "D1")
    assert d1.fine == contract_a.amount * Decimal("0.02")  # 18 days → 4 × 0.5 %


def test_delivery_form_computes_the_due_day(contract_a: Any, assessor: Any, login: Any) -> None:
    r = login(assessor).post(
        f"/incidents/deliveries/new/?contract={contract_a.pk}",
        {"obligation": "更换 S03", "kind": "replacement", "basis_on": "2025-06-02"},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    assert ServiceDelay.objects.get(obligation="更换 S03").due == datetime.date(2025, 6, 5)
    r = login(assessor).post(
        f"/incidents/deliveries/new/?contract={contract_a.pk}",
        {"obligation": "季报", "kind": "report"},
    )
    assert r.status_code == 200  # a report needs its due day
    assert list(r.context["form"].errors) == ["due"]
    assert not ServiceDelay.objects.filter(obligation="季报").exists()


def test_the_service_asks_for_the_due_day_as_the_form_does(contract_a: Any) -> None:
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.record_service_delay(contract_a, {"obligation": "季报", "kind": "report"})
    assert exc.value.message_dict == {
        "due": ["Give the due date (or the date it is counted from)."]
    }
    s = services.record_service_delay(
        contract_a, {"obligation": "季报", "kind": "report", "due": datetime.date(2025, 4, 10)}
    )
    services.update_service_delay(s, {"notes": "交付邮件"})  # not naming the due day keeps it
    s.refresh_from_db()
    assert (s.due, s.notes) == (datetime.date(2025, 4, 10), "交付邮件")
    with pytest.raises(ValidationError) as exc:
        services.update_service_delay(s, {"due": None})  # nothing to count it from
    assert list(exc.value.message_dict) == ["due"]
    s.refresh_from_db()
    assert s.due == datetime.date(2025, 4, 10)
