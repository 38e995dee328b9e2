"""Attendance services: DingTalk imports (upload → worker, open API), the review
list of unmatched people, the DB calendar and the heads of unit.  Every change is
written in a transaction with its audit record (log_action).

Parsing, matching and dedupe are `opsqm.pure.attendance_import` (pure); this module
stores what it returns.  A refused file stores nothing but the batch's problems.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.facts.attendance.models import (
    CalendarDay,
    CalendarYear,
    ImportBatch,
    UnitHead,
    UnmatchedPerson,
)
from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.models import Contract, Unit
from opsqm.facts.staff.models import Punch, PunchKind, StaffMember, punch_minute
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.servicekit import save_audited
from opsqm.infra.audit.services import log_action
from opsqm.infra.core.roles import BUREAU_ROLES, VENDOR_ROLES, Role
from opsqm.infra.core.uploads import validate_upload
from opsqm.pure.attendance_import import (
    DingTalkImportError,
    DingTalkPunch,
    StaffRef,
    dedupe_punches,
    match_people,
    parse_open_api_records,
    read_dingtalk_xlsx,
)

IMPORT_ROLES = frozenset({Role.ASSESSOR, Role.SERVICE_DESK, Role.VENDOR_MANAGER})
INSERT_BATCH = 5000


def can_import(user: User | AnonymousUser) -> bool:
    """Vendor managers for their own contracts; the assessor and the desk for any."""
    return bool(user.is_authenticated and user.role in IMPORT_ROLES)


def visible_batches(user: User | AnonymousUser) -> QuerySet[ImportBatch]:
    qs = ImportBatch.objects.select_related("contract", "vendor", "created_by")
    if not user.is_authenticated:
        return qs.none()
    if user.role in BUREAU_ROLES:
        return qs
    if user.role in VENDOR_ROLES:
        return qs.filter(Q(vendor_id=user.vendor_id) | Q(contract__vendor_id=user.vendor_id))
    return qs.none()


# --- scope and matching ------------------------------------------------------------


def batch_contracts(batch: ImportBatch) -> QuerySet[Contract]:
    """The contracts whose staff a batch's rows are matched against."""
    if batch.contract_id is not None:
        return Contract.objects.filter(pk=batch.contract_id)
    if batch.vendor_id is not None:
        return Contract.objects.filter(vendor_id=batch.vendor_id)
    return Contract.objects.all()


def staff_refs(staff: Iterable[StaffMember]) -> list[StaffRef[int]]:
    """The staff as the matcher knows them.  A remembered DingTalk name (a mapped
    row) is a second reference without identifiers, so that it never hides one."""
    refs: list[StaffRef[int]] = []
    for s in staff:
        refs.append(StaffRef(s.pk, s.name, s.employee_no or None, s.dingtalk_user_id or None))
        if s.dingtalk_name and s.dingtalk_name != s.name:
            refs.append(StaffRef(s.pk, s.dingtalk_name))
    return refs


def _scope_staff(batch: ImportBatch) -> list[StaffMember]:
    return list(
        StaffMember.objects.filter(contract__in=batch_contracts(batch)).only(
            "pk", "name", "employee_no", "dingtalk_user_id", "dingtalk_name", "contract_id"
        )
    )


def _issue_dicts(err: DingTalkImportError) -> list[dict[str, Any]]:
    out = [
        {
            "message": str(i),
            "sheet": i.sheet,
            "row": i.row,
            "column": i.column,
            "field": i.header,
            "index": i.item,
        }
        for i in err.issues
    ]
    if err.omitted:
        out.append({"message": f"……另有 {err.omitted} 处错误"})
    return out


def _store(
    batch: ImportBatch,
    punches: Sequence[DingTalkPunch],
    rows: int,
    progress: Callable[[float, str], None] | None = None,
) -> ImportBatch:
    """Match, dedupe and store the punches of `batch` in ONE transaction, with the
    review list and the counts; one audit record."""
    staff = _scope_staff(batch)
    matched, unmatched = match_people(punches, staff_refs(staff))
    existing: set[tuple[int, datetime]] = set()
    if matched:
        lo = min(row.punched_at for row, _ in matched)
        hi = max(row.punched_at for row, _ in matched)
        existing = set(
            Punch.objects.filter(
                person_id__in={p for _, p in matched},
                minute__gte=punch_minute(lo),
                minute__lte=hi,
            ).values_list("person_id", "minute")
        )
    new = dedupe_punches(existing, matched)
    if progress:
        progress(75, _("Storing %(n)s new punches") % {"n": len(new)})
    groups: dict[tuple[str, str, str], list[DingTalkPunch]] = {}
    for row in unmatched:
        key = (row.name or "", row.job_number or "", row.user_id or "")
        groups.setdefault(key, []).append(row)
    with transaction.atomic():
        Punch.objects.bulk_create(
            (
                Punch(
                    person_id=person, at=row.punched_at, source=Punch.Source.DINGTALK, kind=row.kind
                )
                for row, person in new
            ),
            batch_size=INSERT_BATCH,
        )
        batch.people.all().delete()  # a job run twice rebuilds its review list
        UnmatchedPerson.objects.bulk_create(
            UnmatchedPerson(
                batch=batch,
                name=name,
                job_number=job,
                user_id=uid,
                first_row=min(r.row for r in group),
                first_at=min(r.punched_at for r in group),
                last_at=max(r.punched_at for r in group),
                punches=sorted({r.punched_at.isoformat() for r in group}),
                kinds={r.punched_at.isoformat(): r.kind for r in group if r.kind != "normal"},
            )
            for (name, job, uid), group in groups.items()
        )
        batch.rows = rows
        batch.punches = len(punches)
        batch.matched = len(matched)
        batch.new_punches = len(new)
        batch.duplicates = len(matched) - len(new)
        batch.unmatched = len(unmatched)
        _finish(
            batch,
            ImportBatch.Status.DONE,
            "attendance.import",
            {**batch.counts(), "file_hash": batch.file_hash, "source": batch.source},
        )
    return batch


def _refuse(batch: ImportBatch, err: DingTalkImportError) -> ImportBatch:
    with transaction.atomic():
        _finish(
            batch,
            ImportBatch.Status.REFUSED,
            "attendance.import.refused",
            {"problems": len(err.issues) + err.omitted, "file_hash": batch.file_hash},
            _issue_dicts(err),
        )
    return batch


def _finish(
    batch: ImportBatch,
    status: str,
    action: str,
    after: dict[str, Any],
    issues: list[dict[str, Any]] | None = None,
) -> None:
    """Close a batch (done or refused) and write its audit record, on behalf of
    whoever started it; the caller holds the transaction."""
    batch.status = status
    batch.issues = issues or []
    batch.finished_at = timezone.now()
    batch.save()
    log_action(action, obj=batch, actor=batch.created_by, summary=str(batch), after=after)


# --- XLSX upload → worker ------------------------------------------------------------


def start_xlsx_import(user: User, upload: Any, contract: Contract | None = None) -> ImportBatch:
    """Check and store the uploaded export, queue its reading (job
    `attendance.import`).  A vendor manager imports for his vendor's contracts."""
    from opsqm.infra.jobs.services import enqueue

    if not can_import(user):
        raise ValidationError(_("You may not import attendance."))
    if contract is not None and not visible_contracts(user).filter(pk=contract.pk).exists():
        raise ValidationError({"contract": [_("Not a contract of yours.")]})
    validate_upload(upload, ["xlsx"])
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1 << 20), b""):
        digest.update(chunk)
    upload.seek(0)
    batch = ImportBatch(
        source=ImportBatch.Source.XLSX,
        contract=contract,
        vendor_id=user.vendor_id if user.role in VENDOR_ROLES else None,
        file_name=str(getattr(upload, "name", ""))[:200],
        file_hash=digest.hexdigest(),
        created_by=user,
    )
    with transaction.atomic():
        batch.file.save(batch.file_name or "attendance.xlsx", upload, save=False)
        batch.save()
        batch.job = enqueue(
            "attendance.import", {"batch": batch.pk}, created_by=user, max_attempts=2
        )
        batch.save(update_fields=["job"])
        log_action(
            "attendance.import.upload",
            obj=batch,
            summary=str(batch),
            after={"file_hash": batch.file_hash, "contract": contract.pk if contract else None},
        )
    return batch


def run_xlsx_import(batch: ImportBatch, job: Any = None) -> ImportBatch:
    """The worker's part: read the file (progress on the job), then store it."""
    from opsqm.infra.jobs.services import set_progress

    if batch.status in (ImportBatch.Status.DONE, ImportBatch.Status.REFUSED):
        return batch  # ran already (a job given back after its work was recorded)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)

    def report(pct: float, note: str) -> None:
        set_progress(job, pct, note)

    def on_rows(done: int, total: int) -> None:
        report(
            70 * done / max(total, 1),
            _("Reading row %(done)s of %(total)s")
            % {
                "done": done,
                "total": total,
            },
        )

    report(0, _("Reading the file"))
    with batch.file.open("rb") as fh:
        data = fh.read()
    try:
        book = read_dingtalk_xlsx(data, progress=on_rows)
    except DingTalkImportError as err:
        return _refuse(batch, err)
    rows = sum(s.data_rows for s in book.sheets)
    report(70, _("Matching %(n)s punches") % {"n": len(book.punches)})
    return _store(batch, book.punches, rows, progress=report)


def import_xlsx_now(
    user: User, data: bytes, name: str, contract: Contract | None = None
) -> ImportBatch:
    """Import a file in this process (demo, benchmark, tests): the same steps as
    the upload and the worker, without the queue."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, data)
    batch = ImportBatch(
        source=ImportBatch.Source.XLSX,
        contract=contract,
        vendor_id=user.vendor_id if user is not None and user.role in VENDOR_ROLES else None,
        file_name=name,
        file_hash=hashlib.sha256(data).hexdigest(),
        created_by=user,
    )
    batch.file.save(name, upload, save=True)
    return run_xlsx_import(batch)


# --- open API ------------------------------------------------------------------------


def api_payload_hash(items: Any, contract: Contract | None, vendor_id: int | None) -> str:
    """The identity of an API payload in its scope: the same records sent again (in
    any key order) give the same hash."""
    body = json.dumps(
        {"records": items, "contract": contract.pk if contract else None, "vendor": vendor_id},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def import_api_records(
    user: User, items: Any, contract: Contract | None = None
) -> tuple[ImportBatch, bool]:
    """DingTalk `attendance/list` records: parsed whole (DingTalkImportError → nothing
    stored), matched by UserId, deduped, stored; a batch like an upload's.

    Idempotent: the same payload sent again in the same scope gives back the batch
    it made (second value False) — no new batch, no new review-list rows."""
    if not can_import(user):
        raise ValidationError(_("You may not import attendance."))
    punches = parse_open_api_records(items)
    vendor_id = user.vendor_id if user.role in VENDOR_ROLES else None
    digest = api_payload_hash(items, contract, vendor_id)
    with transaction.atomic():
        if connection.vendor == "postgresql":  # two identical requests at once: one batch
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [digest])
        same_vendor = Q(vendor__isnull=True) if vendor_id is None else Q(vendor_id=vendor_id)
        earlier = (
            ImportBatch.objects.filter(
                same_vendor,
                source=ImportBatch.Source.API,
                status=ImportBatch.Status.DONE,
                file_hash=digest,
                contract=contract,
            )
            .order_by("-pk")
            .first()
        )
        if earlier is not None:
            return earlier, False
        batch = ImportBatch(
            source=ImportBatch.Source.API,
            contract=contract,
            vendor_id=vendor_id,
            created_by=user,
            status=ImportBatch.Status.RUNNING,
            file_hash=digest,
        )
        batch.save()
        return _store(batch, punches, len(items) if isinstance(items, list) else 0), True


# --- the review list -----------------------------------------------------------------


def _remember(staff: StaffMember, row: UnmatchedPerson) -> dict[str, str]:
    """What to store on the staff member so the next import matches this row."""
    updates: dict[str, str] = {}
    others = StaffMember.objects.filter(contract=staff.contract).exclude(pk=staff.pk)
    for field, value, label in (
        ("dingtalk_user_id", row.user_id, "UserId"),
        ("employee_no", row.job_number, _("employee number")),
    ):
        if not value:
            continue
        have = getattr(staff, field)
        if have and have != value:
            raise ValidationError(
                _("%(p)s already has %(what)s %(have)s; the row says %(value)s.")
                % {"p": staff, "what": label, "have": have, "value": value}
            )
        if others.filter(**{field: value}).exists():
            raise ValidationError(
                _("Another staff member of this contract has %(what)s %(value)s.")
                % {"what": label, "value": value}
            )
        if not have:
            updates[field] = value
    if row.name and row.name != staff.name and not (row.user_id or row.job_number):
        updates["dingtalk_name"] = row.name
    return updates


def map_unmatched(row: UnmatchedPerson, staff: StaffMember, user: User) -> int:
    """Map a reviewed person to `staff`: store the row's punches (deduped) and
    remember its identifiers on the staff member.  Returns the new punches."""
    if row.state != UnmatchedPerson.State.OPEN:
        raise ValidationError(_("This row has been reviewed already."))
    if not batch_contracts(row.batch).filter(pk=staff.contract_id).exists():
        raise ValidationError(_("Not a staff member of this import's contracts."))
    with transaction.atomic():
        updates = _remember(staff, row)
        if updates:
            from opsqm.facts.staff.services import update_staff

            update_staff(staff, updates)
        instants = [datetime.fromisoformat(t) for t in row.punches]
        have = set(
            Punch.objects.filter(
                person=staff, minute__in=[punch_minute(t) for t in instants]
            ).values_list("minute", flat=True)
        )
        new = []
        for t in instants:
            if punch_minute(t) not in have:
                have.add(punch_minute(t))
                kind = row.kinds.get(t.isoformat(), PunchKind.NORMAL)
                new.append(Punch(person=staff, at=t, source=Punch.Source.DINGTALK, kind=kind))
        Punch.objects.bulk_create(new)
        row.state = UnmatchedPerson.State.MAPPED
        row.mapped_to = staff
        row.decided_by = user
        row.save()
        ImportBatch.objects.filter(pk=row.batch_id).update(
            new_punches=row.batch.new_punches + len(new)
        )
        log_action(
            "attendance.unmatched.map",
            obj=row,
            summary=f"{row} → {staff}",
            after={"staff": staff.pk, "punches": len(new), "remembered": updates},
        )
    return len(new)


def dismiss_unmatched(row: UnmatchedPerson, user: User) -> None:
    if row.state != UnmatchedPerson.State.OPEN:
        raise ValidationError(_("This row has been reviewed already."))
    with transaction.atomic():
        row.state = UnmatchedPerson.State.DISMISSED
        row.decided_by = user
        row.save()
        log_action("attendance.unmatched.dismiss", obj=row, summary=str(row))


# --- calendar (years the package does not cover) ---------------------------------------


def add_calendar_year(year: int, notes: str = "") -> CalendarYear:
    from opsqm.facts.attendance.calendar import package_covers

    if year < 2000 or year > 2100:
        raise ValidationError({"year": [_("Enter a year between 2000 and 2100.")]})
    if package_covers(year):
        raise ValidationError(
            {"year": [_("The statutory calendar package covers %(y)s already.") % {"y": year}]}
        )
    return save_audited(
        CalendarYear(), {"year": year, "notes": notes}, action="attendance.calendar.year"
    )


def add_calendar_day(year: CalendarYear, day: date, kind: str, name: str = "") -> CalendarDay:
    if day.year != year.year:
        raise ValidationError({"day": [_("The date is not in %(y)s.") % {"y": year.year}]})
    if kind == CalendarDay.Kind.HOLIDAY and day.weekday() >= 5:
        raise ValidationError({"day": [_("A weekend day is a rest day already.")]})
    if kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
        raise ValidationError({"day": [_("A weekday is a workday already.")]})
    return save_audited(
        CalendarDay(year=year),
        {"day": day, "kind": kind, "name": name},
        action="attendance.calendar.day",
    )


def remove_calendar_day(day: CalendarDay) -> None:
    with transaction.atomic():
        log_action(
            "attendance.calendar.day.remove",
            obj=day,
            summary=str(day),
            before={"day": day.day.isoformat(), "kind": day.kind, "name": day.name},
        )
        day.delete()


# --- heads of unit (第七条二 服务单位负责人) ---------------------------------------------


def set_unit_head(unit: Unit, user: User) -> UnitHead:
    if user.role != Role.RECIPIENT or user.unit_id != unit.pk:
        raise ValidationError(
            {"user": [_("The head of a unit is a service-recipient account of that unit.")]}
        )
    existing = UnitHead.objects.filter(unit=unit, user=user).first()
    if existing is not None:
        return existing
    return save_audited(UnitHead(), {"unit": unit, "user": user}, action="attendance.unit_head")


def remove_unit_head(head: UnitHead) -> None:
    with transaction.atomic():
        log_action(
            "attendance.unit_head.remove",
            obj=head,
            summary=str(head),
            before={"unit": head.unit_id, "user": head.user_id},
        )
        head.delete()


def heads_units(user: User) -> list[int]:
    """The units whose leave `user` decides."""
    if not user.is_authenticated or user.role != Role.RECIPIENT:
        return []
    return list(UnitHead.objects.filter(user=user).values_list("unit_id", flat=True))
