"""Settlement statements: the engine's ledger at the contract's period end.

Workflow: draft (IT department) → with the supervisor → approved, or returned with
comments (→ the IT department resubmits) → signed off by the IT department.  At
sign-off the statement is frozen: the full ledger JSON, the SHA-256 of the
contract's evidence export and the rulebook name are stored; later changes of the
evidence show as a difference (`difference`), never as a silent rewrite.
"""

from __future__ import annotations

import datetime
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.derived.evidence.adapter import contract_evidence
from opsqm.derived.settlement import compensation
from opsqm.derived.settlement.models import SettlementStatement
from opsqm.facts.contracts.models import Contract
from opsqm.facts.contracts.rulebooks import contract_rulebook
from opsqm.facts.contracts.scoring import model_contract
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.services import log_action
from opsqm.infra.core.roles import Role
from opsqm.pure.assessment.engine import assess
from opsqm.pure.assessment.evidence_log import write_evidence_log
from opsqm.pure.assessment.forecast import with_normal_attendance
from opsqm.pure.assessment.ledger_json import ledger_to_dict
from opsqm.pure.assessment.model import TZ, Ledger

S = SettlementStatement.Status


def period_end(contract: Contract) -> datetime.datetime:
    """Midnight after the last day of service (Beijing time): the settlement's as_of."""
    return model_contract(contract).period_end


def is_over(contract: Contract, now: datetime.datetime | None = None) -> bool:
    return (now or timezone.now()) >= period_end(contract)


def year_end_ledger(contract: Contract) -> Ledger:
    """The engine at as_of = period end on the evidence as it stands now.  Before the
    period end this is the forecast, "what the year ends at if nothing else happens":
    the on-site staff's workdays still to come are taken as normal days
    (opsqm.pure.assessment.forecast), everything else accrues to the period end."""
    evidence = contract_evidence(contract)
    rulebook = contract_rulebook(evidence.contract)
    end = evidence.contract.period_end
    now = _now()
    if now < end:
        evidence = with_normal_attendance(evidence, now, rulebook)
    return assess(evidence, end, rulebook)


def evidence_export(contract: Contract) -> bytes:
    out = io.BytesIO()
    write_evidence_log([contract_evidence(contract)], out)
    return out.getvalue()


def evidence_sha256(contract: Contract) -> str:
    return hashlib.sha256(evidence_export(contract)).hexdigest()


def _now() -> datetime.datetime:
    return timezone.now().astimezone(TZ)


def _event(st: SettlementStatement, user: User, action: str, comments: str = "") -> None:
    st.history = [
        *st.history,
        {
            "at": _now().isoformat(),
            "by": getattr(user, "display_name", "") or getattr(user, "username", ""),
            "role": getattr(user, "role", ""),
            "action": action,
            "comments": comments,
        },
    ]


def _save(st: SettlementStatement, action: str, before: str, summary: str = "") -> None:
    with transaction.atomic():
        st.save()
        log_action(
            f"settlement.{action}",
            obj=st,
            summary=summary or f"{st.contract.code}: {before} → {st.status}",
            before={"status": before},
            after={"status": st.status},
        )


def _need(user: User, role: str) -> None:
    if getattr(user, "role", None) != role:
        raise ValidationError(_("Your role cannot take this step."))


def create_statement(contract: Contract, user: User) -> SettlementStatement:
    _need(user, Role.ASSESSOR)
    if SettlementStatement.objects.filter(contract=contract).exists():
        raise ValidationError(_("This contract already has a settlement statement."))
    if not is_over(contract):
        raise ValidationError(_("The service period is not over yet: see the forecast."))
    st = SettlementStatement(contract=contract, created_by=user, created_at=_now())
    _event(st, user, "draft")
    _save(st, "draft", "", f"{contract.code}: drafted")
    return st


def submit(st: SettlementStatement, user: User) -> SettlementStatement:
    _need(user, Role.ASSESSOR)
    if st.status not in (S.DRAFT, S.RETURNED):
        raise ValidationError(_("Only a draft or a returned statement goes to the supervisor."))
    before = st.status
    st.status = S.IN_REVIEW
    _event(st, user, "submit")
    _save(st, "submit", before)
    return st


def review(
    st: SettlementStatement, user: User, approve: bool, comments: str
) -> SettlementStatement:
    """The supervisor approves (the evidence approved is remembered) or returns it."""
    _need(user, Role.SUPERVISOR)
    if st.status != S.IN_REVIEW:
        raise ValidationError(_("The statement is not with the supervisor."))
    if not approve and not comments.strip():
        raise ValidationError({"comments": _("Say what is to be corrected.")})
    before = st.status
    st.status = S.APPROVED if approve else S.RETURNED
    st.reviewed_by, st.reviewed_at = user, _now()
    st.reviewed_evidence_sha256 = evidence_sha256(st.contract) if approve else ""
    st.reviewed_compensation = _compensation_total(st.contract) if approve else ""
    _event(st, user, "approve" if approve else "return", comments)
    _save(st, "approve" if approve else "return", before)
    return st


def sign_off(st: SettlementStatement, user: User) -> SettlementStatement:
    """Freeze: the ledger JSON at period end, the evidence hash and the rulebook.
    Refused when the evidence changed since the supervisor approved.  The vendor's
    manager gets a copy by mail (第二十一条)."""
    _need(user, Role.ASSESSOR)
    if st.status != S.APPROVED:
        raise ValidationError(_("Only a statement approved by the supervisor is signed off."))
    digest = evidence_sha256(st.contract)
    if digest != st.reviewed_evidence_sha256:
        raise ValidationError(
            _(
                "The evidence changed after the supervisor's approval: submit the "
                "statement for review again."
            )
        )
    if _compensation_total(st.contract) != st.reviewed_compensation:
        raise ValidationError(
            _(
                "The compensation for operators' errors changed after the supervisor's "
                "approval: submit the statement for review again."
            )
        )
    ledger = year_end_ledger(st.contract)
    before = st.status
    st.status = S.SIGNED
    st.signed_by, st.signed_at = user, _now()
    st.frozen_ledger = ledger_to_dict(ledger)
    st.frozen_compensation = compensation.frozen(st.frozen_ledger, compensation.lines(st.contract))
    st.evidence_sha256 = digest
    st.rulebook = ledger.rulebook
    _event(st, user, "sign")
    from opsqm.derived.settlement.mailing import copy_to_manager

    with transaction.atomic():
        _save(st, "sign", before)
        copy_to_manager(st, user)  # 第二十一条: the manager's copy, sent on commit
    return st


def _compensation_total(contract: Contract) -> str:
    return format(compensation.total(compensation.lines(contract)), "f")


def payable(st: SettlementStatement) -> Decimal | None:
    """What the final payment comes to once signed off: the final payment less the
    fines and the compensation (合同 五.5); None before sign-off."""
    if not st.frozen or st.frozen_ledger is None:
        return None
    if st.frozen_compensation:
        return Decimal(st.frozen_compensation["payable"])
    return Decimal(st.frozen_ledger["settlement"]["payable"])


def reopen_after_change(st: SettlementStatement, user: User) -> SettlementStatement:
    """An approved statement whose evidence changed goes back to draft."""
    _need(user, Role.ASSESSOR)
    if st.status != S.APPROVED:
        raise ValidationError(_("Only an approved statement can be reopened."))
    before = st.status
    st.status = S.DRAFT
    st.reviewed_evidence_sha256 = ""
    _event(st, user, "reopen")
    _save(st, "reopen", before)
    return st


# --- the difference between the frozen statement and a recomputation ---------------


@dataclass
class Difference:
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    totals: dict[str, tuple[str, str]] = field(default_factory=dict)  # rule → (then, now)
    amounts: dict[str, tuple[str, str]] = field(default_factory=dict)  # score, fines, settlement
    evidence_changed: bool = False

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.totals or self.amounts)


def _key(item: dict[str, Any]) -> tuple[str, str, str]:
    return (item["rule"], item["ref"], item["at"] or "")


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    # `line` is where the fact sits in the export: it moves whenever an earlier record
    # is added, without the item changing.
    return all(a[k] == b[k] for k in ("points", "fine", "note", "clause"))


def _flat(ledger: dict[str, Any]) -> dict[str, str]:
    out = {"score": ledger["score"], "tier": ledger["tier"]}
    out.update({f"fines.{k}": v for k, v in ledger["fines"].items()})
    out.update({f"settlement.{k}": v for k, v in ledger["settlement"].items()})
    out["termination_right"] = str(ledger["flags"]["termination_right"])
    return out


def compare(then: dict[str, Any], now: dict[str, Any]) -> Difference:
    diff = Difference()
    old: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    new: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for i in then["items"]:
        old[_key(i)].append(i)
    for i in now["items"]:
        new[_key(i)].append(i)
    for key in sorted(set(old) | set(new)):
        a, b = list(old.get(key, [])), list(new.get(key, []))
        # pair identical items first, then the rest in order
        for x in list(a):
            match = next((y for y in b if _same(x, y)), None)
            if match is not None:
                a.remove(x)
                b.remove(match)
        for x, y in zip(a, b, strict=False):
            diff.changed.append((x, y))
        diff.removed.extend(a[len(b) :])
        diff.added.extend(b[len(a) :])
    for rule, value in then["totals"].items():
        if now["totals"].get(rule) != value:
            diff.totals[rule] = (value, now["totals"].get(rule, "0.00"))
    f_then, f_now = _flat(then), _flat(now)
    diff.amounts = {k: (v, f_now[k]) for k, v in f_then.items() if f_now.get(k) != v}
    return diff


def difference(st: SettlementStatement) -> Difference | None:
    """A signed statement against the engine now (same as_of, today's evidence)."""
    if not st.frozen or st.frozen_ledger is None:
        return None
    now = ledger_to_dict(year_end_ledger(st.contract))
    diff = compare(st.frozen_ledger, now)
    then_total = (st.frozen_compensation or {}).get("total", "0.00")
    now_total = _compensation_total(st.contract)
    if Decimal(then_total) != Decimal(now_total):
        diff.amounts["compensation.total"] = (then_total, now_total)
    diff.evidence_changed = evidence_sha256(st.contract) != st.evidence_sha256
    return diff


def delta(then: str, now: str) -> Decimal | None:
    try:
        return Decimal(now) - Decimal(then)
    except ArithmeticError:
        return None
