"""Acceptance services (合同 八, 五.2): every state change of the register, the
workflow, the checklist, the inspections and the packages is one of these
functions — validated, written in a transaction, audited with `log_action`.
Pages call them; nothing else writes these rows.

One module per part: `periods` (a contract's quarters and months), `register` (the
deliverables, their versions and reviews), `workflow` (apply, review, accept),
`inspections` (checklist and monthly inspections), `packages`; `common` holds what
they share, the steps' clock `common.now()` among it.  This package re-exports the
public functions, so callers write `from opsqm.derived.acceptance import services`.
"""

from opsqm.derived.acceptance.services.inspections import (
    DEFAULT_CHECKLIST,
    INSPECTORS,
    complete_inspection,
    ensure_checklist,
    open_ticket,
    record_result,
    save_checklist_item,
    start_inspection,
)
from opsqm.derived.acceptance.services.packages import (
    PACKAGERS,
    fail_package,
    finish_package,
    request_package,
)
from opsqm.derived.acceptance.services.periods import Period, months, period_of, quarters
from opsqm.derived.acceptance.services.register import (
    acceptance_file,
    deliverable_for,
    deliverables,
    ensure_register,
    expected,
    first_upload,
    is_late,
    latest_version,
    package_version,
    register_generated,
    review_deliverable,
    set_due_days,
    submit_for_review,
    today,
    upload_version,
)
from opsqm.derived.acceptance.services.workflow import (
    accept,
    apply_for_acceptance,
    blocking,
    is_accepted,
    review_application,
)

__all__ = [
    "DEFAULT_CHECKLIST",
    "INSPECTORS",
    "PACKAGERS",
    "Period",
    "accept",
    "acceptance_file",
    "apply_for_acceptance",
    "blocking",
    "complete_inspection",
    "deliverable_for",
    "deliverables",
    "ensure_checklist",
    "ensure_register",
    "expected",
    "fail_package",
    "finish_package",
    "first_upload",
    "is_accepted",
    "is_late",
    "latest_version",
    "months",
    "open_ticket",
    "package_version",
    "period_of",
    "quarters",
    "record_result",
    "register_generated",
    "request_package",
    "review_application",
    "review_deliverable",
    "save_checklist_item",
    "set_due_days",
    "start_inspection",
    "submit_for_review",
    "today",
    "upload_version",
]
