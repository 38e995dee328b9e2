"""合同 六(二)1: the staff list and contacts, due 1 day after signing.  Services: the
contracted delivery follows the signing day (`ensure_staff_list_delivery`, run when a
contract is registered with its signing day or the day is corrected), the vendor
submits the list (`submit_staff_list`), and `compare_staff_list` sets it beside the
staff register."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.facts.contracts.models import Contract
from opsqm.facts.incidents.models import ServiceDelay, StaffListSubmission
from opsqm.facts.incidents.services import (
    DUE_CLAUSES,
    record_delivered,
    record_service_delay,
    update_service_delay,
)
from opsqm.facts.staff.models import StaffMember
from opsqm.infra.audit.servicekit import save_audited
from opsqm.pure.assessment.model import TZ

OBLIGATION = "驻场人员名单及联系方式（合同 六(二)1）"
# Header cells (lower-cased, spaces removed) naming the columns of a submitted workbook.
CODE_HEADERS = {"编号", "人员编号", "工号", "code", "person", "personcode"}
NAME_HEADERS = {"姓名", "name"}
PHONE_HEADERS = {"电话", "联系电话", "手机", "phone", "contact"}


def staff_list_delivery(contract: Contract) -> ServiceDelay | None:
    """The contract's staff-list delivery (the first, if the assessor added more)."""
    return (
        ServiceDelay.objects.filter(contract=contract, kind=ServiceDelay.Kind.STAFF_LIST)
        .order_by("pk")
        .first()
    )


def ensure_staff_list_delivery(contract: Contract, signed_on: datetime.date) -> ServiceDelay:
    """The staff list as a contracted delivery counted from `signed_on` (due the next
    day, D1 if late): created the first time, moved when the signing day is corrected.
    Idempotent (the contract's registration and the payment plan both call it)."""
    delivery = staff_list_delivery(contract)
    if delivery is None:
        return record_service_delay(
            contract,
            {
                "obligation": OBLIGATION,
                "kind": ServiceDelay.Kind.STAFF_LIST,
                "clause": DUE_CLAUSES["staff_list"],
                "basis_on": signed_on,
            },
        )
    if delivery.basis_on == signed_on:
        return delivery
    return update_service_delay(
        delivery, {"kind": ServiceDelay.Kind.STAFF_LIST, "basis_on": signed_on}
    )


# --- the submitted list ------------------------------------------------------------


def _header_key(value: Any) -> str:
    return re.sub(r"\s+", "", str(value or "")).lower()


def read_workbook(upload: Any) -> list[dict[str, str]]:
    """The people of a submitted .xlsx: the first sheet, from the first row that has a
    name column (姓名/name); code (编号/工号) and phone (电话) columns if present."""
    from openpyxl import load_workbook

    upload.seek(0)
    try:
        sheet = load_workbook(upload, read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise ValidationError({"file": [_("The workbook cannot be read.")]}) from exc
    columns: dict[str, int] | None = None
    people: list[dict[str, str]] = []
    for row in sheet.iter_rows(values_only=True):
        cells = [str(c).strip() if c is not None else "" for c in row]
        if columns is None:
            keys = [_header_key(c) for c in cells]
            found = {
                kind: next((i for i, k in enumerate(keys) if k in names), -1)
                for kind, names in (
                    ("person", CODE_HEADERS),
                    ("name", NAME_HEADERS),
                    ("phone", PHONE_HEADERS),
                )
            }
            if found["name"] >= 0:
                columns = found
            continue
        entry = {k: (cells[i] if 0 <= i < len(cells) else "") for k, i in columns.items()}
        if entry["name"]:
            people.append(entry)
    upload.seek(0)
    if columns is None:
        raise ValidationError({"file": [_("The workbook has no name column (姓名).")]})
    return people


def read_lines(text: str) -> list[dict[str, str]]:
    """Typed lines 'code name phone' or 'name' (the people of a scanned list)."""
    people = []
    for line in (text or "").splitlines():
        parts = line.replace(",", " ").replace("，", " ").split()
        if not parts:
            continue
        if len(parts) == 1:
            people.append({"person": "", "name": parts[0], "phone": ""})
        else:
            phone = parts[2] if len(parts) > 2 else ""
            people.append({"person": parts[0], "name": parts[1], "phone": phone})
    return people


def submit_staff_list(
    delivery: ServiceDelay,
    data: Mapping[str, Any],
    user: Any,
    now: datetime.datetime | None = None,
) -> StaffListSubmission:
    """The vendor hands in the list: a workbook (read) or a scan with the names typed
    (`lines`).  The first submission delivers the contracted delivery on its day; a
    later one (a corrected list) is compared again and does not move that day."""
    if delivery.kind != ServiceDelay.Kind.STAFF_LIST:
        raise ValidationError(_("This delivery is not the staff list."))
    upload = data.get("file")
    name = str(getattr(upload, "name", "")).lower()
    people = read_workbook(upload) if upload and name.endswith(".xlsx") else []
    people += read_lines(str(data.get("lines") or ""))
    if not people:
        raise ValidationError(
            {"lines": [_("The list names nobody: upload the workbook or type the names.")]}
        )
    when = (now or timezone.now()).astimezone(TZ)
    fields = {
        "entries": people,
        "submitted_at": when,
        "submitted_by": user if getattr(user, "is_authenticated", False) else None,
    }
    if upload:
        fields["file"] = upload
    with transaction.atomic():
        submission = save_audited(
            StaffListSubmission(delivery=delivery),
            fields,
            action="service_delay.staff_list",
            summary=f"{delivery.contract.code}: {len(people)}",
        )
        if delivery.delivered is None:
            record_delivered(delivery, when.date())
    return submission


@dataclass
class Comparison:
    """The submitted list beside the register on the day it was submitted."""

    matched: list[tuple[dict[str, str], StaffMember]] = field(default_factory=list)
    listed_only: list[dict[str, str]] = field(default_factory=list)
    registered_only: list[StaffMember] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return not self.listed_only and not self.registered_only


def compare_staff_list(submission: StaffListSubmission) -> Comparison:
    """Who is on the list but not in the register, and who is in the register (not
    left by the day of the list) but not on it.  A line matches by person code when it
    has one that the register knows, else by name."""
    day = submission.submitted_at.astimezone(TZ).date()
    register = list(
        StaffMember.objects.filter(contract=submission.delivery.contract_id)
        .exclude(left_on__lt=day)
        .order_by("person")
    )
    by_code = {s.person: s for s in register}
    left = {s.pk: s for s in register}
    out = Comparison()
    for entry in submission.entries:
        code, name = entry.get("person", ""), entry.get("name", "")
        staff = by_code.get(code) if code else None
        if staff is None or staff.pk not in left:
            staff = next((s for s in left.values() if s.name == name), None)
        if staff is None:
            out.listed_only.append(entry)
        else:
            out.matched.append((entry, left.pop(staff.pk)))
    out.registered_only = list(left.values())
    return out
