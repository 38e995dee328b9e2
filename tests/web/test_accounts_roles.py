from typing import Any

import pytest

from opsqm.accounts.models import User
from opsqm.accounts.roles import Role


@pytest.mark.django_db
def test_fixture_has_one_user_of_every_role(users: dict[str, Any]) -> None:
    assert set(users) == set(Role.values)
    assert User.objects.count() == len(Role)
