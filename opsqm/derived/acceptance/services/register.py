"""The register of 合同 八's deliverables: the rows a contract owes, their due dates
(the assessor's settings), versions uploaded or generated, and the supervisor's review."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.derived.acceptance.models import (
    DELIVERABLE_UPLOAD_KINDS,
    FREQUENCY,
    AcceptanceFile,
    Deliverable,
    DeliverableVersion,
    Frequency,
    Kind,
    Review,
)
from opsqm.derived.acceptance.services import common
from opsqm.derived.acceptance.services.common import _actor, _contract_of_vendor, _need
from opsqm.derived.acceptance.services.periods import months, quarters
from opsqm.facts.contracts.models import Contract
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.services import log_action
from opsqm.infra.core.roles import Role
from opsqm.infra.core.uploads import validate_upload
from opsqm.pure.assessment.model import TZ


def expected(contract: Contract, file: AcceptanceFile) -> list[tuple[str, str, datetime.date]]:
    """(kind, period, due) of every deliverable 合同 八 asks of this contract."""
    report_days = datetime.timedelta(days=file.report_due_days)
    month_days = datetime.timedelta(days=file.inspection_due_days)
    out = []
    for kind in Kind.values:
        freq = FREQUENCY.get(kind, Frequency.ONCE)
        if freq == Frequency.QUARTERLY:
            out += [(kind, p.label, p.last + report_days) for p in quarters(contract)]
        elif freq == Frequency.MONTHLY:
            out += [(kind, p.label, p.last + month_days) for p in months(contract)]
        else:
            out.append((kind, "", contract.end + report_days))
    return out


def acceptance_file(contract: Contract) -> AcceptanceFile:
    file, _created = AcceptanceFile.objects.get_or_create(contract=contract)
    return file


def ensure_register(contract: Contract) -> AcceptanceFile:
    """Create the register's rows (idempotent) and keep their due dates in line with
    the contract's settings.  Derived data: not a decision, so not audited."""
    file = acceptance_file(contract)
    have = {(d.kind, d.period): d for d in Deliverable.objects.filter(contract=contract)}
    for kind, period, due in expected(contract, file):
        d = have.get((kind, period))
        if d is None:
            Deliverable.objects.get_or_create(
                contract=contract, kind=kind, period=period, defaults={"due": due}
            )
        elif d.due != due:
            Deliverable.objects.filter(pk=d.pk).update(due=due)
    return file


def today() -> datetime.date:
    return timezone.now().astimezone(TZ).date()


def first_upload(d: Deliverable) -> datetime.datetime | None:
    return min((v.uploaded_at for v in d.versions.all()), default=None)


def is_late(d: Deliverable, on: datetime.date | None = None) -> bool:
    """Late: nothing uploaded and the due date is past, or the first version came
    after the due date (Beijing dates)."""
    if d.optional and d.state == Deliverable.State.MISSING:
        return False
    first = first_upload(d)
    if first is None:
        return (on or today()) > d.due
    return first.astimezone(TZ).date() > d.due


def latest_version(d: Deliverable) -> DeliverableVersion | None:
    versions = list(d.versions.all())
    return versions[-1] if versions else None


def package_version(d: Deliverable) -> DeliverableVersion | None:
    """The version a package carries: the accepted one, else the latest."""
    return d.accepted_version or latest_version(d)


def set_due_days(
    contract: Contract, user: User, *, report_due_days: int, inspection_due_days: int
) -> AcceptanceFile:
    """The assessor sets how many days after a quarter / month the reports are due."""
    _need(user, Role.ASSESSOR)
    if not (0 <= report_due_days <= 90 and 0 <= inspection_due_days <= 60):
        raise ValidationError(_("Choose between 0 and 90 days (inspections: 60)."))
    with transaction.atomic():
        file = acceptance_file(contract)
        before = {"report_due_days": file.report_due_days, "inspection": file.inspection_due_days}
        file.report_due_days, file.inspection_due_days = report_due_days, inspection_due_days
        file.save(update_fields=["report_due_days", "inspection_due_days"])
        ensure_register(contract)
        log_action(
            "acceptance.due_days",
            actor=_actor(user),
            obj=file,
            summary=f"{contract.code}: {report_due_days} / {inspection_due_days}",
            before=before,
            after={"report_due_days": report_due_days, "inspection": inspection_due_days},
        )
    return file


# ------------------------------------------------------------------ deliverables


def _add_version(
    d: Deliverable, user: User, name: str, data: bytes, source: str, note: str
) -> DeliverableVersion:
    file = acceptance_file(d.contract)
    if file.state == AcceptanceFile.State.ACCEPTED:
        raise ValidationError(_("The contract is accepted: its deliverables are closed."))
    with transaction.atomic():
        d = Deliverable.objects.select_for_update().get(pk=d.pk)
        number = (d.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        digest = hashlib.sha256(data).hexdigest()
        v = DeliverableVersion(
            deliverable=d,
            number=number,
            name=name[:255],
            size=len(data),
            sha256=digest,
            source=source,
            note=note.strip()[:300],
            uploaded_at=common.now(),
            uploaded_by=_actor(user),
        )
        v.file.save(name, ContentFile(data), save=False)
        v.save()
        before = d.state
        d.state = Deliverable.State.UPLOADED
        d.save(update_fields=["state"])
        log_action(
            "acceptance.version",
            obj=v,
            actor=_actor(user),
            summary=f"{d.contract.code} {d.kind} {d.period} v{number} {name}",
            before={"state": before},
            after={"state": d.state, "sha256": digest, "source": source, "version": number},
        )
    return v


def upload_version(d: Deliverable, user: User, upload: Any, note: str = "") -> DeliverableVersion:
    """The vendor manager uploads a (new) version of a deliverable."""
    _need(user, Role.VENDOR_MANAGER)
    _contract_of_vendor(user, d.contract)
    validate_upload(upload, DELIVERABLE_UPLOAD_KINDS)
    upload.seek(0)
    data = upload.read()
    return _add_version(d, user, upload.name, data, DeliverableVersion.Source.UPLOAD, note)


def register_generated(
    d: Deliverable, user: User, name: str, data: bytes, note: str = ""
) -> DeliverableVersion:
    """A report OpsQM generated becomes a version of its deliverable (one click)."""
    _need(user, Role.VENDOR_MANAGER)
    _contract_of_vendor(user, d.contract)
    return _add_version(d, user, name, data, DeliverableVersion.Source.GENERATED, note)


def deliverable_for(contract: Contract, kind: str, period: str = "") -> Deliverable:
    ensure_register(contract)
    return Deliverable.objects.get(contract=contract, kind=kind, period=period)


def submit_for_review(d: Deliverable, user: User) -> Deliverable:
    _need(user, Role.VENDOR_MANAGER)
    _contract_of_vendor(user, d.contract)
    d.refresh_from_db()
    if d.state != Deliverable.State.UPLOADED:
        raise ValidationError(_("Only an uploaded version can be sent for review."))
    return set_deliverable_state(d, Deliverable.State.UNDER_REVIEW, "acceptance.submit", user)


def set_deliverable_state(
    d: Deliverable, state: str, action: str, user: User | None = None
) -> Deliverable:
    with transaction.atomic():
        before = d.state
        d.state = state
        d.save(update_fields=["state", "accepted_version"])
        log_action(
            action,
            obj=d,
            actor=_actor(user),
            summary=f"{d.contract.code} {d.kind} {d.period}: {before} → {state}",
            before={"state": before},
            after={"state": state},
        )
    return d


def review_deliverable(d: Deliverable, user: User, *, approve: bool, comments: str) -> Review:
    """The supervisor approves the latest version or returns it with comments."""
    _need(user, Role.SUPERVISOR)
    d.refresh_from_db()
    if d.state not in (Deliverable.State.UPLOADED, Deliverable.State.UNDER_REVIEW):
        raise ValidationError(_("There is no new version to review."))
    version = latest_version(d)
    if version is None:  # pragma: no cover - a state without a version
        raise ValidationError(_("There is no new version to review."))
    if not approve and not comments.strip():
        raise ValidationError(_("Say what must change when returning a document."))
    with transaction.atomic():
        review = Review.objects.create(
            deliverable=d,
            version=version,
            approved=approve,
            comments=comments.strip(),
            at=common.now(),
            by=user,
        )
        if approve:
            d.accepted_version = version
        set_deliverable_state(
            d,
            Deliverable.State.ACCEPTED if approve else Deliverable.State.RETURNED,
            "acceptance.review",
            user,
        )
    return review


def deliverables(contract: Contract) -> Iterable[Deliverable]:
    ensure_register(contract)
    return (
        Deliverable.objects.filter(contract=contract)
        .select_related("accepted_version")
        .prefetch_related("versions")
    )
