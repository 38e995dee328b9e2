"""The sense check of a staff member's dates and of the entry verification (issue 12)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from opsqm.facts.staff import services
from opsqm.facts.staff.models import StaffMember
from opsqm.infra.core.uploads import as_upload

CHECKED = {"id_card_checked": True, "resume_checked": True, "degree_or_certificate_checked": True}


@pytest.mark.django_db
def test_left_before_entering_is_refused_and_named(contract_a: Any) -> None:
    with pytest.raises(ValidationError) as err:
        services.register_staff(
            contract_a,
            {
                "person": "S01",
                "name": "张工",
                "entered_on": datetime.date(2025, 3, 1),
                "left_on": datetime.date(2025, 2, 1),
            },
        )
    assert "left_on" in err.value.message_dict
    assert not StaffMember.objects.filter(person="S01").exists()


@pytest.mark.django_db
def test_a_first_day_years_after_the_contract_is_refused(contract_a: Any) -> None:
    with pytest.raises(ValidationError) as err:
        services.register_staff(
            contract_a, {"person": "S02", "name": "李工", "entered_on": datetime.date(2205, 3, 1)}
        )
    assert "entered_on" in err.value.message_dict


@pytest.mark.django_db
def test_a_person_carried_over_keeps_an_earlier_first_day(contract_a: Any) -> None:
    member = services.register_staff(
        contract_a, {"person": "S03", "name": "王工", "entered_on": datetime.date(2023, 6, 1)}
    )
    assert member.entered_on == datetime.date(2023, 6, 1)


@pytest.mark.django_db
def test_a_verification_dated_tomorrow_is_refused(contract_a: Any) -> None:
    member = services.register_staff(
        contract_a,
        {
            "person": "S04",
            "name": "赵工",
            "entered_on": datetime.date(2025, 1, 2),
            # 合同 七: no verification without the signed pledge
            "pledge_signed_on": datetime.date(2025, 1, 2),
            "pledge_scan": as_upload(b"%PDF-1.4 pledge", "pledge.pdf"),
        },
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        services.record_verification(member, {"verified_on": tomorrow, **CHECKED})
    assert "verified_on" in err.value.message_dict
    services.record_verification(member, {"verified_on": datetime.date(2025, 1, 2), **CHECKED})
    member.refresh_from_db()
    assert member.verification.verified_on == datetime.date(2025, 1, 2)
