"""Shared fixtures of the web tests: two vendors, two units, two contracts and one
user of every role.

Scope: vendor A / unit A / contract A are "inside" the scope of the vendor and
recipient users; vendor B / unit B / contract B are outside it.  Tests of every
app use these; extend them here rather than building private copies.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from opsqm.infra.accounts.roles import Role

PASSWORD = "Opsqm-Test-2025!"


@pytest.fixture(autouse=True)
def _test_storage(settings: Any, tmp_path: Any) -> None:
    """Uploads of a test go to its own temporary directory; static files need no
    collectstatic manifest."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def vendor_a(db: Any) -> Any:
    from opsqm.facts.contracts.models import Vendor

    return Vendor.objects.create(
        name="甲运维公司",
        intranet_mailbox="a-om@bureau.local",
        manager_mailbox="manager@a.example",
        contact="张经理",
    )


@pytest.fixture
def vendor_b(db: Any) -> Any:
    from opsqm.facts.contracts.models import Vendor

    return Vendor.objects.create(
        name="乙运维公司",
        intranet_mailbox="b-om@bureau.local",
        manager_mailbox="manager@b.example",
    )


@pytest.fixture
def unit_a(db: Any) -> Any:
    from opsqm.facts.contracts.models import Unit

    return Unit.objects.create(name="第一监狱")


@pytest.fixture
def unit_b(db: Any) -> Any:
    from opsqm.facts.contracts.models import Unit

    return Unit.objects.create(name="第二监狱")


def _contract(code: str, vendor: Any, unit: Any) -> Any:
    from opsqm.facts.contracts.models import Contract

    c = Contract.objects.create(
        code=code,
        title=f"{unit.name}信息化运维服务",
        vendor=vendor,
        amount=Decimal("1000000.00"),
        final_payment=Decimal("300000.00"),
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
    )
    c.units.add(unit)
    return c


@pytest.fixture
def contract_a(vendor_a: Any, unit_a: Any) -> Any:
    return _contract("BJJY-2025-001", vendor_a, unit_a)


@pytest.fixture
def contract_b(vendor_b: Any, unit_b: Any) -> Any:
    return _contract("BJJY-2025-002", vendor_b, unit_b)


def make_user(role: str, username: str | None = None, **extra: Any) -> Any:
    from opsqm.infra.accounts.models import User

    user = User(username=username or role, role=role, full_name=extra.pop("full_name", ""), **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def users(vendor_a: Any, unit_a: Any) -> dict[str, Any]:
    """One user of every role, keyed by the role value (username = role value).
    Vendor roles belong to vendor A, the recipient to unit A."""
    out: dict[str, Any] = {}
    for role in Role:
        extra: dict[str, Any] = {"full_name": f"{role.label}"}
        if role in (Role.VENDOR_MANAGER, Role.VENDOR_ENGINEER):
            extra["vendor"] = vendor_a
        if role == Role.RECIPIENT:
            extra["unit"] = unit_a
        out[role.value] = make_user(role.value, **extra)
    return out


@pytest.fixture
def other_vendor_manager(vendor_b: Any) -> Any:
    return make_user(Role.VENDOR_MANAGER, "vendor_manager_b", vendor=vendor_b)


@pytest.fixture
def other_recipient(unit_b: Any) -> Any:
    return make_user(Role.RECIPIENT, "recipient_b", unit=unit_b)


def _role_fixture(role: Role) -> Any:
    @pytest.fixture
    def _fixture(users: dict[str, Any]) -> Any:
        return users[role.value]

    return _fixture


assessor = _role_fixture(Role.ASSESSOR)
service_desk = _role_fixture(Role.SERVICE_DESK)
vendor_manager = _role_fixture(Role.VENDOR_MANAGER)
vendor_engineer = _role_fixture(Role.VENDOR_ENGINEER)
recipient = _role_fixture(Role.RECIPIENT)
supervisor = _role_fixture(Role.SUPERVISOR)
system_admin = _role_fixture(Role.SYSTEM_ADMIN)
security_admin = _role_fixture(Role.SECURITY_ADMIN)
audit_admin = _role_fixture(Role.AUDIT_ADMIN)


def client_for(user: Any) -> Client:
    """A test client logged in as `user` (without the login form: no audit noise)."""
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def login() -> Any:
    """`login(user)` → a logged-in Client (None → anonymous)."""
    return client_for
