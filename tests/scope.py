"""Builders of the data most tests share: two vendors, two units, two contracts and
one user of every role, and logged-in clients.  tests/conftest.py makes fixtures of
them; a module that needs the same data once for many tests calls them itself.

Scope: vendor A / unit A / contract A are "inside" the scope of the vendor and
recipient users; vendor B / unit B / contract B are outside it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.test import Client

PASSWORD = "Opsqm-Test-2025!"


def make_vendor(tag: str) -> Any:
    from opsqm.facts.contracts.models import Vendor

    if tag == "a":
        return Vendor.objects.create(
            name="甲运维公司",
            intranet_mailbox="a-om@bureau.local",
            manager_mailbox="manager@a.example",
            contact="张经理",
        )
    return Vendor.objects.create(
        name="乙运维公司", intranet_mailbox="b-om@bureau.local", manager_mailbox="manager@b.example"
    )


def make_unit(tag: str) -> Any:
    from opsqm.facts.contracts.models import Unit

    return Unit.objects.create(name={"a": "第一监狱", "b": "第二监狱"}[tag])


def make_contract(tag: str, vendor: Any, unit: Any) -> Any:
    from opsqm.facts.contracts.models import Contract

    c = Contract.objects.create(
        code={"a": "BJJY-2025-001", "b": "BJJY-2025-002"}[tag],
        title=f"{unit.name}信息化运维服务",
        vendor=vendor,
        amount=Decimal("1000000.00"),
        final_payment=Decimal("300000.00"),
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
    )
    c.units.add(unit)
    return c


def make_user(role: str, username: str | None = None, **extra: Any) -> Any:
    from opsqm.infra.accounts.models import User

    user = User(username=username or role, role=role, full_name=extra.pop("full_name", ""), **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_users(vendor_a: Any, unit_a: Any) -> dict[str, Any]:
    """One user of every role, keyed by the role value (username = role value).
    Vendor roles belong to vendor A, the recipient to unit A."""
    from opsqm.infra.core.roles import Role

    out: dict[str, Any] = {}
    for role in Role:
        extra: dict[str, Any] = {"full_name": f"{role.label}"}
        if role in (Role.VENDOR_MANAGER, Role.VENDOR_ENGINEER):
            extra["vendor"] = vendor_a
        if role == Role.RECIPIENT:
            extra["unit"] = unit_a
        out[role.value] = make_user(role.value, **extra)
    return out


def client_for(user: Any) -> Client:
    """A test client logged in as `user` (without the login form: no audit noise)."""
    c = Client()
    if user is not None:
        c.force_login(user)
    return c
