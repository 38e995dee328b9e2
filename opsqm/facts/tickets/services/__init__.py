"""Work-order services: every state change of a ticket is one of these functions.

Each validates, writes inside one transaction, appends a timeline `Event` (with the
time and whose clock it is) and the audit record (`log_action`).  Pages and the API
call them; nothing else writes a ticket.  See docs/tickets.md for the flow and for
which time is authoritative at each step.

One module per step of the flow: `intake`, `phone`, `dispatching` (the dispatch
mail and the mail server's times), `work`, `closure`, `archive`, `inbound`,
`reminders`; `common` and `_mail` hold what the steps share.  This package
re-exports the public functions, so callers outside it write
`from opsqm.facts.tickets import services` and `services.dispatch(...)`; the modules
inside import from each other directly.
"""

from opsqm.facts.tickets.services.archive import mark_improper_archive
from opsqm.facts.tickets.services.closure import (
    PNG_MAGIC,
    SIGN_LINK_MAX_AGE,
    SIGNATURE_MAX_BYTES,
    confirm_by_phone,
    create_sign_link,
    record_no_signature,
    sign,
    sign_link_for,
    sign_with_link,
)
from opsqm.facts.tickets.services.common import FlowError, next_number, today
from opsqm.facts.tickets.services.dispatching import (
    apply_server_times,
    dispatch,
    sweep_server_times,
)
from opsqm.facts.tickets.services.faults import FAULTS, record_fault
from opsqm.facts.tickets.services.inbound import handle_inbound
from opsqm.facts.tickets.services.intake import (
    contracts_in_force,
    record_intake,
    register_security_report,
)
from opsqm.facts.tickets.services.phone import (
    PHONE_WINDOW,
    close_by_phone,
    log_vendor_call,
    phone_deadline,
    staff_to_phone,
)
from opsqm.facts.tickets.services.reminders import (
    REMINDER_LEAD,
    reminder_thresholds,
    send_reminders,
)
from opsqm.facts.tickets.services.work import (
    acknowledge,
    acknowledge_by_mail,
    close_finding,
    decide_extension,
    record_work,
    request_extension,
    resolve,
    upload_external_form,
)

__all__ = [
    "FAULTS",
    "PHONE_WINDOW",
    "PNG_MAGIC",
    "REMINDER_LEAD",
    "SIGNATURE_MAX_BYTES",
    "SIGN_LINK_MAX_AGE",
    "FlowError",
    "acknowledge",
    "acknowledge_by_mail",
    "apply_server_times",
    "close_by_phone",
    "close_finding",
    "confirm_by_phone",
    "contracts_in_force",
    "create_sign_link",
    "decide_extension",
    "dispatch",
    "handle_inbound",
    "log_vendor_call",
    "mark_improper_archive",
    "next_number",
    "phone_deadline",
    "record_fault",
    "record_intake",
    "record_no_signature",
    "record_work",
    "register_security_report",
    "reminder_thresholds",
    "request_extension",
    "resolve",
    "send_reminders",
    "sign",
    "sign_link_for",
    "sign_with_link",
    "staff_to_phone",
    "sweep_server_times",
    "today",
    "upload_external_form",
]
