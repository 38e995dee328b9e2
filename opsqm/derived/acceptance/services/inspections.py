"""Monthly inspections: the contract's checklist, the engineer's inspection item by
item, its PDF record filed as the month's 月度巡检记录, and a finding opened as a work order."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from opsqm.derived.acceptance.models import (
    PHOTO_KINDS,
    AcceptanceFile,
    ChecklistItem,
    DeliverableVersion,
    Inspection,
    InspectionResult,
    Kind,
)
from opsqm.derived.acceptance.services import common
from opsqm.derived.acceptance.services.common import _actor, _contract_of_vendor, _need
from opsqm.derived.acceptance.services.register import (
    _add_version,
    acceptance_file,
    deliverable_for,
    today,
)
from opsqm.facts.contracts.models import Contract
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.services import log_action
from opsqm.infra.core.roles import Role
from opsqm.infra.core.uploads import validate_upload

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
    user: User,
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


def start_inspection(contract: Contract, month: datetime.date, user: User) -> Inspection:
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
            contract=contract, month=month, defaults={"inspector": user, "started_at": common.now()}
        )
        if not created:
            return insp
        for i in items:
            InspectionResult.objects.create(inspection=insp, item=i, group=i.group, text=i.text)
        log_action("acceptance.inspection_start", obj=insp, actor=_actor(user), summary=str(insp))
    return insp


def record_result(
    result: InspectionResult,
    user: User,
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


def complete_inspection(insp: Inspection, user: User, *, summary: str = "") -> Inspection:
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
            common.now(),
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


def open_ticket(result: InspectionResult, user: User) -> Any:
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
            # A routine inspection's finding is not an outage: normal (24 h), stated
            # here because record_intake has no default priority.
            priority="normal",
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
