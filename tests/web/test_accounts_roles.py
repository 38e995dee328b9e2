from typing import Any

import pytest

from opsqm.infra.accounts.models import User
from opsqm.infra.core.roles import Role


@pytest.mark.django_db
def test_fixture_has_one_user_of_every_role(users: dict[str, Any]) -> None:
    assert set(users) == set(Role.values)
    assert User.objects.count() == len(Role)
