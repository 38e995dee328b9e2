"""The acceptance workflow (合同 五.2): the vendor applies once nothing blocks it,
the supervisor reviews, the assessor accepts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opsqm.derived.acceptance.models import OPTIONAL_KINDS, AcceptanceFile, Deliverable
from opsqm.derived.acceptance.services import common
from opsqm.derived.acceptance.services.common import _actor, _contract_of_vendor, _file_event, _need
from opsqm.derived.acceptance.services.register import ensure_register, set_deliverable_state, today
from opsqm.facts.contracts.models import Contract
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.services import log_action
from opsqm.infra.core.roles import Role


def _save_file(file: AcceptanceFile, user: User, action: str, before: str, comments: str) -> None:
    file.save()
    _file_event(file, user, action, comments)
    log_action(
        f"acceptance.{action}",
        actor=_actor(user),
        obj=file,
        summary=f"{file.contract.code}: {before} → {file.state}",
        before={"state": before},
        after={"state": file.state, "comments": comments},
    )


def blocking(contract: Contract) -> list[Deliverable]:
    """Required deliverables without any version (the optional "if any" excepted)."""
    ensure_register(contract)
    qs = Deliverable.objects.filter(contract=contract, state=Deliverable.State.MISSING)
    return [d for d in qs if d.kind not in OPTIONAL_KINDS]


def apply_for_acceptance(contract: Contract, user: User) -> AcceptanceFile:
    """合同 八: the service period is over and every document is in → the vendor applies;
    every uploaded or returned-and-replaced document goes to the supervisor."""
    _need(user, Role.VENDOR_MANAGER)
    _contract_of_vendor(user, contract)
    with transaction.atomic():
        file = AcceptanceFile.objects.select_for_update().get(pk=ensure_register(contract).pk)
        if file.state not in (AcceptanceFile.State.OPEN, AcceptanceFile.State.RETURNED):
            raise ValidationError(_("An application is already with the bureau."))
        if today() <= contract.end:
            raise ValidationError(
                _("Acceptance can be applied for once the service period is over.")
            )
        missing = blocking(contract)
        if missing:
            names = ", ".join(f"{d.get_kind_display()} {d.period}".strip() for d in missing[:8])
            raise ValidationError(
                _("%(n)d documents are missing: %(names)s") % {"n": len(missing), "names": names}
            )
        for d in Deliverable.objects.filter(contract=contract, state=Deliverable.State.UPLOADED):
            set_deliverable_state(d, Deliverable.State.UNDER_REVIEW, "acceptance.submit", user)
        before = file.state
        file.state, file.applied_at, file.comments = AcceptanceFile.State.APPLIED, common.now(), ""
        _save_file(file, user, "apply", before, "")
    return file


def review_application(
    contract: Contract, user: User, *, approve: bool, comments: str
) -> AcceptanceFile:
    """The supervisor approves the application (every document accepted) or returns it."""
    _need(user, Role.SUPERVISOR)
    with transaction.atomic():
        file = AcceptanceFile.objects.select_for_update().get(pk=ensure_register(contract).pk)
        if file.state != AcceptanceFile.State.APPLIED:
            raise ValidationError(_("There is no application to review."))
        if not approve and not comments.strip():
            raise ValidationError(_("Say what must change when returning the application."))
        if approve:
            open_docs = Deliverable.objects.filter(contract=contract).exclude(
                state__in=(Deliverable.State.ACCEPTED, Deliverable.State.MISSING)
            )
            if open_docs.exists() or blocking(contract):
                raise ValidationError(_("Review every document before approving the application."))
        before = file.state
        file.state = AcceptanceFile.State.REVIEWED if approve else AcceptanceFile.State.RETURNED
        file.reviewed_at, file.comments = common.now(), comments.strip()
        _save_file(file, user, "review", before, comments.strip())
    return file


def accept(contract: Contract, user: User) -> AcceptanceFile:
    """The IT department accepts the project (合同 八); the final payment (五.2) may
    then be settled."""
    _need(user, Role.ASSESSOR)
    with transaction.atomic():
        file = AcceptanceFile.objects.select_for_update().get(pk=ensure_register(contract).pk)
        if file.state != AcceptanceFile.State.REVIEWED:
            raise ValidationError(_("The supervisor has not approved the application."))
        before = file.state
        file.state, file.accepted_at, file.accepted_by = (
            AcceptanceFile.State.ACCEPTED,
            common.now(),
            user,
        )
        _save_file(file, user, "accept", before, "")
    return file


def is_accepted(contract: Contract) -> bool:
    """For the settlement: the final payment (合同 五.2) waits for this."""
    return AcceptanceFile.objects.filter(
        contract=contract, state=AcceptanceFile.State.ACCEPTED
    ).exists()
