"""`opsqm demo`: loads once, through the services, with a user of every role."""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import call_command

from opsqm.accounts.models import User
from opsqm.accounts.roles import Role
from opsqm.audit.models import AuditRecord
from opsqm.contracts.models import Contract
from opsqm.core.management.commands.demo import DEMO_PASSWORD
from opsqm.ledger.services import contract_ledger
from opsqm.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_demo_loads_once(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    started = time.monotonic()
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert time.monotonic() - started < 15
    assert DEMO_PASSWORD in out.getvalue()
    seed = Contract.objects.get(code="C-2025-001")
    assert seed.vendor.name == "北京凯辉科技有限公司"
    assert str(seed.amount) == "530000.00" and str(seed.final_payment) == "132500.00"
    assert Contract.objects.filter(bond=True).count() == 1
    assert Contract.objects.count() == 3
    assert {u.role for u in User.objects.all()} == set(Role.values)
    assert seed.staff.filter(verification__isnull=False).count() == seed.staff.count()
    assert seed.replacements.count() == 1
    assert Ticket.objects.filter(resolved_at__isnull=True).exists()
    assert AuditRecord.objects.filter(action="ticket.create").count() == Ticket.objects.count()
    for c in Contract.objects.all():
        assert contract_ledger(c).items  # every contract has a computable ledger
    records = AuditRecord.objects.count()
    call_command("demo", stdout=io.StringIO())
    assert AuditRecord.objects.count() == records
    assert User.objects.get(username="assessor").check_password(DEMO_PASSWORD)
