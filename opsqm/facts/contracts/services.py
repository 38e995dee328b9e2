"""Register services: vendors, units, contracts.  Pages and the API call these."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.facts.contracts.models import Contract, SignedAgreement, Unit, Vendor
from opsqm.infra.audit.servicekit import pick, save_audited

# The fields each service takes; the register forms and the API serializers use these lists.
VENDOR_FIELDS = ("name", "intranet_mailbox", "manager_mailbox", "contact", "phone")
VENDOR_MAILBOXES = ("intranet_mailbox", "manager_mailbox")  # required by 第二十一条
UNIT_FIELDS = ("name", "head", "phone")
CONTRACT_FIELDS = (
    "code",
    "title",
    "vendor",
    "amount",
    "final_payment",
    "start",
    "end",
    "bond",
    "rulebook",
    "rulebook_overrides",
)


def _require_mailboxes(data: Mapping[str, Any], vendor: Vendor) -> None:
    """第二十一条: a vendor on the register has both mailboxes."""
    errors = {}
    for name in VENDOR_MAILBOXES:
        if not data.get(name, getattr(vendor, name)):
            errors[name] = [_("Required by 第二十一条.")]
    if errors:
        raise ValidationError(errors)


def create_vendor(data: Mapping[str, Any]) -> Vendor:
    vendor = Vendor()
    _require_mailboxes(data, vendor)
    return save_audited(vendor, pick(data, VENDOR_FIELDS), action="vendor.create")


def update_vendor(vendor: Vendor, data: Mapping[str, Any]) -> Vendor:
    _require_mailboxes(data, vendor)
    return save_audited(vendor, pick(data, VENDOR_FIELDS), action="vendor.update")


def create_unit(data: Mapping[str, Any]) -> Unit:
    return save_audited(Unit(), pick(data, UNIT_FIELDS), action="unit.create")


def update_unit(unit: Unit, data: Mapping[str, Any]) -> Unit:
    return save_audited(unit, pick(data, UNIT_FIELDS), action="unit.update")


def _normalise(data: Mapping[str, Any]) -> dict[str, Any]:
    out = pick(data, CONTRACT_FIELDS)
    if "rulebook" in out and out["rulebook"] is None:
        out["rulebook"] = ""
    if "rulebook_overrides" in out and out["rulebook_overrides"] is None:
        out["rulebook_overrides"] = {}
    return out


def create_contract(data: Mapping[str, Any], units: Iterable[Unit] | None = None) -> Contract:
    """A new contract; `units` are the units it serves.  With `data["signed_on"]` (the
    later signature, 十四.3) what counts from the signing day starts at once
    (`opsqm.facts.contracts.signing`: the payment plan, the staff list of 六(二)1)."""
    from opsqm.facts.contracts.signing import signed

    m2m = {"units": list(units)} if units is not None else None
    with transaction.atomic():
        contract = save_audited(Contract(), _normalise(data), action="contract.create", m2m=m2m)
        if data.get("signed_on"):
            signed(contract, data["signed_on"])
    return contract


def update_contract(
    contract: Contract, data: Mapping[str, Any], units: Iterable[Unit] | None = None
) -> Contract:
    m2m = {"units": list(units)} if units is not None else None
    return save_audited(contract, _normalise(data), action="contract.update", m2m=m2m)


# --- 合同 七: the agreements signed with the contract ---------------------------------

AGREEMENT_FIELDS = ("signed_on", "scan")


def record_agreement(
    contract: Contract, kind: str, data: Mapping[str, Any], user: Any = None
) -> SignedAgreement:
    """The signed 保密协议 or 廉洁协议 of `contract` (its scan, through the upload
    checks, and its signing day, checked for sense).  Recording it again replaces the
    scan or corrects the day; the audit keeps what it was."""
    if kind not in SignedAgreement.Kind.values:
        raise ValidationError({"kind": [_("Unknown agreement.")]})
    agreement = SignedAgreement.objects.filter(contract=contract, kind=kind).first()
    agreement = agreement or SignedAgreement(contract=contract, kind=kind)
    fields = pick(data, AGREEMENT_FIELDS)
    if not fields.get("scan"):
        fields.pop("scan", None)  # a correction of the day keeps the stored scan
    fields["recorded_at"] = timezone.now()
    if getattr(user, "is_authenticated", False):
        fields["recorded_by"] = user
    return save_audited(agreement, fields, action="contract.agreement")


def agreements_of(contract: Contract) -> list[tuple[str, str, SignedAgreement | None]]:
    """(kind, label, the record or None) for each agreement 合同 七 asks for."""
    have = {a.kind: a for a in SignedAgreement.objects.filter(contract=contract)}
    return [(k, str(label), have.get(k)) for k, label in SignedAgreement.Kind.choices]
