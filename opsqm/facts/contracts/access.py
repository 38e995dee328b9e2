"""Which contracts a user may read: the scope rule of `opsqm.infra.core.access`
applied to the contracts (here, above core, because core knows no contract)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from opsqm.facts.contracts.models import Contract
from opsqm.infra.accounts.models import User
from opsqm.infra.core.access import in_scope


def visible_contracts(user: User | AnonymousUser) -> QuerySet[Contract]:
    """The contracts whose business data the user may read."""
    return in_scope(
        user, Contract.objects.select_related("vendor"), vendor="vendor_id", unit="units"
    )
