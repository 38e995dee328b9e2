"""Acceptance services (合同 八, 五.2): every state change of the register, the
workflow, the checklist, the inspections and the packages is one of these
functions — validated, written in a transaction, audited with `log_action`.
Pages call them; nothing else writes these rows."""

from __future__ import annotations

import calendar as pycal
import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
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
    OPTIONAL_KINDS,
    PHOTO_KINDS,
    AcceptanceEvent,
    AcceptanceFile,
    ChecklistItem,
    Deliverable,
    DeliverableVersion,
    Frequency,
    Inspection,
    InspectionResult,
    Kind,
    Package,
    Review,
)
from opsqm.facts.contracts.models import Contract
from opsqm.infra.accounts.roles import Role
from opsqm.infra.audit.services import log_action
from opsqm.infra.core.uploads import validate_upload
from opsqm.pure.assessment.model import TZ

# ------------------------------------------------------------------ periods


@dataclass(frozen=True)
class Period:
    label: str  # "2025Q4", "2025-11", ""
    first: datetime.date
    last: datetime.date  # clipped to the service period


def quarters(contract: Contract) -> list[Period]:
    """Calendar quarters overlapping the service period, clipped to it (a quarterly
    report covers what of the quarter lies inside the contract)."""
    out: list[Period] = []
    y, q = contract.start.year, (contract.start.month - 1) // 3 + 1
    while True:
        first = datetime.date(y, 3 * q - 2, 1)
        if first > contract.end:
            return out
        last = datetime.date(y, 3 * q, pycal.monthrange(y, 3 * q)[1])
        out.append(Period(f"{y}Q{q}", max(first, contract.start), min(last, contract.end)))
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)


def months(contract: Contract) -> list[Period]:
    out: list[Period] = []
    y, mo = contract.start.year, contract.start.month
    while True:
        first = datetime.date(y, mo, 1)
        if first > contract.end:
            return out
        last = datetime.date(y, mo, pycal.monthrange(y, mo)[1])
        out.append(Period(f"{y}-{mo:02d}", max(first, contract.start), min(last, contract.end)))
        y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)


def period_of(contract: Contract, label: str) -> Period:
    """The quarter, month or (label "") whole service period named by `label`."""
    if not label:
        return Period("", contract.start, contract.end)
    for p in quarters(contract) + months(contract):
        if p.label == label:
            return p
    raise ValidationError(_("No such period in this contract."))


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


# ------------------------------------------------------------------ helpers


def _need(user: Any, *roles: str) -> None:
    if getattr(user, "role", None) not in roles:
        raise ValidationError(_("Your role cannot take this step."))


def _actor(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _now() -> datetime.datetime:
    return timezone.now()


def _contract_of_vendor(user: Any, contract: Contract) -> None:
    if getattr(user, "role", None) in (Role.VENDOR_MANAGER, Role.VENDOR_ENGINEER) and (
        contract.vendor_id != user.vendor_id
    ):
        raise ValidationError(_("This contract is not your company's."))


def _file_event(file: AcceptanceFile, user: Any, action: str, comments: str = "") -> None:
    AcceptanceEvent.objects.create(
        file=file,
        action=action,
        at=_now(),
        by=_actor(user),
        role=str(getattr(user, "role", "") or ""),
        comments=comments,
    )


# ------------------------------------------------------------------ settings


def set_due_days(
    contract: Contract, user: Any, *, report_due_days: int, inspection_due_days: int
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
    d: Deliverable, user: Any, name: str, data: bytes, source: str, note: str
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
            uploaded_at=_now(),
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


def upload_version(d: Deliverable, user: Any, upload: Any, note: str = "") -> DeliverableVersion:
    """The vendor manager uploads a (new) version of a deliverable."""
    _need(user, Role.VENDOR_MANAGER)
    _contract_of_vendor(user, d.contract)
    validate_upload(upload, DELIVERABLE_UPLOAD_KINDS)
    upload.seek(0)
    data = upload.read()
    return _add_version(d, user, upload.name, data, DeliverableVersion.Source.UPLOAD, note)


def register_generated(
    d: Deliverable, user: Any, name: str, data: bytes, note: str = ""
) -> DeliverableVersion:
    """A report OpsQM generated becomes a version of its deliverable (one click)."""
    _need(user, Role.VENDOR_MANAGER)
    _contract_of_vendor(user, d.contract)
    return _add_version(d, user, name, data, DeliverableVersion.Source.GENERATED, note)


def deliverable_for(contract: Contract, kind: str, period: str = "") -> Deliverable:
    ensure_register(contract)
    return Deliverable.objects.get(contract=contract, kind=kind, period=period)


def submit_for_review(d: Deliverable, user: Any) -> Deliverable:
    _need(user, Role.VENDOR_MANAGER)
    _contract_of_vendor(user, d.contract)
    d.refresh_from_db()
    if d.state != Deliverable.State.UPLOADED:
        raise ValidationError(_("Only an uploaded version can be sent for review."))
    return _set_state(d, Deliverable.State.UNDER_REVIEW, "acceptance.submit", user)


def _set_state(d: Deliverable, state: str, action: str, user: Any = None) -> Deliverable:
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


def review_deliverable(d: Deliverable, user: Any, *, approve: bool, comments: str) -> Review:
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
            at=_now(),
            by=user,
        )
        if approve:
            d.accepted_version = version
        _set_state(
            d,
            Deliverable.State.ACCEPTED if approve else Deliverable.State.RETURNED,
            "acceptance.review",
            user,
        )
    return review


# ------------------------------------------------------------------ the workflow


def _save_file(file: AcceptanceFile, user: Any, action: str, before: str, comments: str) -> None:
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


def apply_for_acceptance(contract: Contract, user: Any) -> AcceptanceFile:
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
            _set_state(d, Deliverable.State.UNDER_REVIEW, "acceptance.submit", user)
        before = file.state
        file.state, file.applied_at, file.comments = AcceptanceFile.State.APPLIED, _now(), ""
        _save_file(file, user, "apply", before, "")
    return file


def review_application(
    contract: Contract, user: Any, *, approve: bool, comments: str
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
        file.reviewed_at, file.comments = _now(), comments.strip()
        _save_file(file, user, "review", before, comments.strip())
    return file


def accept(contract: Contract, user: Any) -> AcceptanceFile:
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
            _now(),
            user,
        )
        _save_file(file, user, "accept", before, "")
    return file


def is_accepted(contract: Contract) -> bool:
    """For the settlement: the final payment (合同 五.2) waits for this."""
    return AcceptanceFile.objects.filter(
        contract=contract, state=AcceptanceFile.State.ACCEPTED
    ).exists()


# ------------------------------------------------------------------ checklist

# The mobile law-enforcement terminal system (移动执法终端软件运维): a default list the
# assessor edits per contract.
DEFAULT_CHECKLIST: list[tuple[str, str]] = [
    ("terminals", "终端开机、电量与电池健康状况正常"),
    ("terminals", "终端网络（专网/VPN）连接与定位正常"),
    ("terminals", "终端外观、摄像头、扫码与NFC功能正常"),
    ("terminals", "终端安全管控（MDM）在线，无违规安装应用"),
    ("app_versions", "执法终端应用版本与发布版本一致"),
    ("app_versions", "应用登录、数据同步与离线缓存正常"),
    ("server", "应用服务器CPU、内存、磁盘使用率在阈值内"),
    ("server", "服务进程、日志与证书有效期正常"),
    ("database", "数据库实例运行、连接数与表空间正常"),
    ("database", "数据库错误日志无异常、慢查询已处理"),
    ("backups", "数据库备份按计划完成，备份文件可读"),
    ("backups", "备份介质容量充足，异地/离线副本已更新"),
]


def ensure_checklist(contract: Contract) -> list[ChecklistItem]:
    """The contract's checklist; the default list on first use."""
    items = list(ChecklistItem.objects.filter(contract=contract))
    if not items:
        with transaction.atomic():
            for i, (group, text) in enumerate(DEFAULT_CHECKLIST):
                items.append(
                    ChecklistItem.objects.create(
                        contract=contract, group=group, text=text, order=(i + 1) * 10
                    )
                )
            log_action(
                "acceptance.checklist_default",
                object_type="contracts.contract",
                object_id=str(contract.pk),
                summary=f"{contract.code}: {len(items)}",
            )
    return items


def save_checklist_item(
    contract: Contract,
    user: Any,
    *,
    item: ChecklistItem | None,
    group: str,
    text: str,
    order: int,
    active: bool = True,
) -> ChecklistItem:
    """The assessor adds or edits one check (inactive checks stay in old records)."""
    _need(user, Role.ASSESSOR)
    if group not in ChecklistItem.Group.values:
        raise ValidationError(_("Unknown group."))
    if not text.strip():
        raise ValidationError(_("Describe the check."))
    with transaction.atomic():
        before = None
        if item is None:
            item = ChecklistItem(contract=contract)
        else:
            before = {"group": item.group, "text": item.text, "order": item.order}
            before["active"] = item.active
        item.group, item.text, item.order, item.active = group, text.strip()[:300], order, active
        item.save()
        log_action(
            "acceptance.checklist_item",
            actor=_actor(user),
            obj=item,
            summary=f"{contract.code}: {item.text[:60]}",
            before=before,
            after={"group": group, "text": item.text, "order": order, "active": active},
        )
    return item


# ------------------------------------------------------------------ inspections

INSPECTORS = (Role.VENDOR_MANAGER, Role.VENDOR_ENGINEER)


def start_inspection(contract: Contract, month: datetime.date, user: Any) -> Inspection:
    """The vendor's engineer starts the month's inspection (one per month)."""
    _need(user, *INSPECTORS)
    _contract_of_vendor(user, contract)
    month = month.replace(day=1)
    if not (contract.start.replace(day=1) <= month <= contract.end):
        raise ValidationError(_("That month is outside the service period."))
    if month > today():
        raise ValidationError(_("That month has not begun."))
    items = [i for i in ensure_checklist(contract) if i.active]
    with transaction.atomic():
        insp, created = Inspection.objects.get_or_create(
            contract=contract, month=month, defaults={"inspector": user, "started_at": _now()}
        )
        if not created:
            return insp
        for i in items:
            InspectionResult.objects.create(inspection=insp, item=i, group=i.group, text=i.text)
        log_action("acceptance.inspection_start", obj=insp, actor=_actor(user), summary=str(insp))
    return insp


def record_result(
    result: InspectionResult,
    user: Any,
    *,
    outcome: str,
    note: str = "",
    photo: Any = None,
) -> InspectionResult:
    _need(user, *INSPECTORS)
    _contract_of_vendor(user, result.inspection.contract)
    if result.inspection.state != Inspection.State.DRAFT:
        raise ValidationError(_("The inspection is completed."))
    if outcome not in (InspectionResult.Outcome.OK, InspectionResult.Outcome.ISSUE):
        raise ValidationError(_("Mark the check OK or as an issue."))
    if outcome == InspectionResult.Outcome.ISSUE and not note.strip():
        raise ValidationError(_("Describe the issue."))
    if photo is not None:
        validate_upload(photo, PHOTO_KINDS)
    with transaction.atomic():
        before = {"outcome": result.outcome, "note": result.note}
        result.outcome, result.note = outcome, note.strip()
        if photo is not None:
            photo.seek(0)
            result.photo.save(photo.name, ContentFile(photo.read()), save=False)
        result.save()
        log_action(
            "acceptance.inspection_result",
            actor=_actor(user),
            obj=result,
            summary=f"{result.inspection}: {result.text[:40]} {outcome}",
            before=before,
            after={"outcome": outcome, "note": result.note, "photo": result.photo.name or ""},
        )
    return result


def complete_inspection(insp: Inspection, user: Any, *, summary: str = "") -> Inspection:
    """Every check answered → completed; its PDF becomes a version of the month's
    月度巡检记录 deliverable."""
    _need(user, *INSPECTORS)
    _contract_of_vendor(user, insp.contract)
    if insp.state != Inspection.State.DRAFT:
        raise ValidationError(_("The inspection is completed."))
    if insp.results.filter(outcome="").exists():
        raise ValidationError(_("Answer every check before completing the inspection."))
    from opsqm.derived.acceptance.printing import inspection_pdf

    with transaction.atomic():
        insp.state, insp.completed_at, insp.summary = (
            Inspection.State.DONE,
            _now(),
            summary.strip(),
        )
        insp.save()
        log_action(
            "acceptance.inspection_complete",
            actor=_actor(user),
            obj=insp,
            summary=str(insp),
            before={"state": "draft"},
            after={"state": "done"},
        )
        d = deliverable_for(insp.contract, Kind.MONTHLY_INSPECTION, f"{insp.month:%Y-%m}")
        if acceptance_file(insp.contract).state != AcceptanceFile.State.ACCEPTED:
            _add_version(
                d,
                user,
                f"月度巡检记录-{insp.contract.code}-{insp.month:%Y-%m}.pdf",
                inspection_pdf(insp),
                DeliverableVersion.Source.GENERATED,
                _("Inspection record completed in OpsQM"),
            )
    return insp


def open_ticket(result: InspectionResult, user: Any) -> Any:
    """A finding of the inspection becomes a work order: the service desk records it
    as an intake (opsqm.facts.tickets.services.record_intake), the inspector as reporter."""
    from opsqm.facts.tickets.services import record_intake

    _need(user, Role.SERVICE_DESK)
    if result.outcome != InspectionResult.Outcome.ISSUE:
        raise ValidationError(_("Only an issue found can open a work order."))
    if result.ticket_id:
        raise ValidationError(_("This finding already has a work order."))
    insp = result.inspection
    inspector = insp.inspector
    reporter = (getattr(inspector, "full_name", "") or getattr(inspector, "username", "")) or "—"
    with transaction.atomic():
        ticket = record_intake(
            insp.contract,
            user=user,
            reporter=reporter[:64],
            description=(
                f"{_('Monthly inspection')} {insp.month:%Y-%m}: {result.text}\n{result.note}"
            ),
            system=result.get_group_display(),
            title=f"{_('Inspection finding')}: {result.text}"[:200],
        )
        result.ticket = ticket
        result.save(update_fields=["ticket"])
        log_action(
            "acceptance.inspection_ticket",
            actor=_actor(user),
            obj=result,
            summary=f"{insp}: {ticket.number}",
            after={"ticket": ticket.number},
        )
    return ticket


# ------------------------------------------------------------------ packages

PACKAGERS = (Role.VENDOR_MANAGER, Role.ASSESSOR, Role.SUPERVISOR)


def request_package(contract: Contract, user: Any) -> Package:
    """Queue the assembly of the acceptance package (a worker job with progress)."""
    from opsqm.infra.jobs.services import enqueue

    _need(user, *PACKAGERS)
    _contract_of_vendor(user, contract)
    ensure_register(contract)
    with transaction.atomic():
        pkg = Package.objects.create(contract=contract, created_at=_now(), created_by=user)
        pkg.job = enqueue(
            "acceptance.package",
            {"package": pkg.pk},
            dedupe_key=f"acceptance.package:{pkg.pk}",
            created_by=user,
        )
        pkg.save(update_fields=["job"])
        log_action("acceptance.package_request", obj=pkg, actor=_actor(user), summary=contract.code)
    return pkg


def finish_package(pkg: Package, data: bytes, files: int) -> Package:
    with transaction.atomic():
        pkg.file.save(f"{pkg.contract.code}.zip", ContentFile(data), save=False)
        pkg.sha256 = hashlib.sha256(data).hexdigest()
        pkg.size, pkg.files = len(data), files
        pkg.state, pkg.finished_at = Package.State.READY, _now()
        pkg.save()
        log_action(
            "acceptance.package_ready",
            obj=pkg,
            actor=pkg.created_by,
            summary=f"{pkg.contract.code}: {files} files",
            after={"sha256": pkg.sha256, "size": pkg.size},
        )
    return pkg


def fail_package(pkg: Package, reason: str) -> None:
    with transaction.atomic():
        pkg.state, pkg.finished_at = Package.State.FAILED, _now()
        pkg.save(update_fields=["state", "finished_at"])
        log_action("acceptance.package_failed", obj=pkg, actor=pkg.created_by, summary=reason)


def deliverables(contract: Contract) -> Iterable[Deliverable]:
    ensure_register(contract)
    return (
        Deliverable.objects.filter(contract=contract)
        .select_related("accepted_version")
        .prefetch_related("versions")
    )
