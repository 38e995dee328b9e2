"""The demo's tests reuse the web fixtures and the loopback mail server of tests/mail."""

from tests.mail.conftest import mail_server, mailboxes  # noqa: F401
from tests.web.conftest import (  # noqa: F401
    _test_storage,
    assessor,
    contract_a,
    other_vendor_manager,
    recipient,
    service_desk,
    unit_a,
    unit_b,
    users,
    vendor_a,
    vendor_b,
    vendor_engineer,
)
