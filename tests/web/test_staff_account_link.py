"""A staff member's platform login: only a vendor account of the contract's vendor."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from opsqm.facts.staff import services
from opsqm.infra.core.roles import Role


@pytest.fixture
def member(contract_a: Any) -> Any:
    return services.register_staff(
        contract_a, {"person": "S01", "name": "张工", "entered_on": datetime.date(2025, 10, 25)}
    )


@pytest.mark.django_db
def test_own_vendor_engineer_can_be_linked(member: Any, users: dict[str, Any]) -> None:
    engineer = users[Role.VENDOR_ENGINEER]
    services.update_staff(member, {"account": engineer})
    member.refresh_from_db()
    assert member.account == engineer


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ASSESSOR, Role.RECIPIENT])
def test_bureau_accounts_are_refused(member: Any, users: dict[str, Any], role: str) -> None:
    with pytest.raises(ValidationError) as err:
        services.update_staff(member, {"account": users[role]})
    assert "account" in err.value.message_dict
    member.refresh_from_db()
    assert member.account is None


@pytest.mark.django_db
def test_form_offers_only_the_vendors_logins(
    member: Any, users: dict[str, Any], assessor: Any, login: Any
) -> None:
    body = login(assessor).get(f"/staff/{member.pk}/edit/").content.decode()
    assert users[Role.VENDOR_ENGINEER].username in body or str(users[Role.VENDOR_ENGINEER]) in body
    assert str(users[Role.RECIPIENT]) not in body
