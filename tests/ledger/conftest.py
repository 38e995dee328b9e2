"""The shared web fixtures (tests/web/conftest.py): users of every role, vendors,
units and contracts A (inside the vendor/recipient scope) and B (outside)."""

from tests.web.conftest import *  # noqa: F403
from tests.web.conftest import _test_storage  # noqa: F401
