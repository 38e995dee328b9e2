"""Services of the remedies: liability for an operator's error (第十二条), force
majeure (合同 十一) and agreed delays of a contracted delivery (合同 十.1).  Each
validates, writes in a transaction and is audited; the pages and the API call these."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.facts.contracts.dates import check_dates, check_not_in_future
from opsqm.facts.contracts.models import Contract
from opsqm.facts.incidents.excusal import set_excused
from opsqm.facts.incidents.models import (
    DelayAgreement,
    ForceMajeure,
    Incident,
    Liability,
    ServiceDelay,
)
from opsqm.facts.incidents.remedy_models import FM_PREFIX
from opsqm.facts.tickets.models import Ticket
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.servicekit import pick, save_audited
from opsqm.infra.audit.services import log_action
from opsqm.pure.assessment.model import TZ

LIABILITY_FIELDS = ("amount", "decided_on", "decision", "evidence")
FM_FIELDS = ("code", "event", "occurred_on", "notified_at")
AGREEMENT_FIELDS = ("requested_on", "agreed_on", "new_due", "reason", "document")
__all__ = ["FM_PREFIX"]  # the views and the API read it from here


def today() -> datetime.date:
    return timezone.now().astimezone(TZ).date()


# --- 第十二条: liability for an operator's error ----------------------------------------


def record_liability(
    incident: Incident, data: Mapping[str, Any], user: User | None = None
) -> Liability:
    """Record (or correct) the direct economic loss the bureau determined for an
    incident an operator's error caused; the settlement deducts it (五.5)."""
    if not incident.human_error:
        raise ValidationError(
            _("Record the operator's mistake on the incident first: 第十二条 applies only to "
              "an incident an operator's error caused.")
        )  # fmt: skip
    fields = pick(data, LIABILITY_FIELDS)
    if fields.get("amount") is not None and Decimal(fields["amount"]) < 0:
        raise ValidationError({"amount": _("The loss cannot be negative.")})
    if not str(fields.get("decision", "")).strip():
        raise ValidationError({"decision": _("State the bureau's determination.")})
    decided = fields.get("decided_on")
    check_not_in_future({"decided_on": decided})
    check_dates(
        incident.contract, {"decided_on": decided}, labels={"decided_on": _("determined on")}
    )
    if decided and decided < incident.occurred_at.astimezone(TZ).date():
        raise ValidationError(
            {"decided_on": _("The loss is determined before the incident occurred.")}
        )
    if not fields.get("evidence"):
        fields.pop("evidence", None)  # a correction keeps the evidence already filed
    liability = Liability.objects.filter(incident=incident).first()
    if liability is None:
        liability = Liability(incident=incident, recorded_by=user)
    return save_audited(
        liability,
        fields,
        action="incident.liability",
        summary=f"{incident.code}: {fields.get('amount')}",
    )


def withdraw_liability(liability: Liability, reason: str, user: User | None = None) -> Incident:
    """Take the liability back (e.g. the determination was annulled): audited."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the liability is withdrawn.")})
    with transaction.atomic():
        log_action(
            "incident.liability_withdraw",
            obj=liability,
            summary=f"{liability.incident.code}: {liability.amount}",
            before={"amount": format(liability.amount, "f"), "decision": liability.decision},
            after={"reason": reason.strip()},
            actor=user,
        )
        liability.delete()
    return liability.incident


def liabilities(contract: Contract) -> list[Liability]:
    return list(
        Liability.objects.filter(incident__contract=contract)
        .select_related("incident")
        .order_by("decided_on", "incident__code")
    )


# --- 合同 十一: force majeure -------------------------------------------------------


def record_force_majeure(contract: Contract, data: Mapping[str, Any]) -> ForceMajeure:
    """The vendor's notice of a force-majeure event (十一.1: at once)."""
    fields = pick(data, FM_FIELDS)
    check_not_in_future(
        {"occurred_on": fields.get("occurred_on"), "notified_at": fields.get("notified_at")}
    )
    check_dates(
        contract,
        {"occurred_on": fields.get("occurred_on"), "notified_at": fields.get("notified_at")},
        labels={
            "occurred_on": _("event occurred on"),
            "notified_at": _("vendor's notice received at"),
        },
    )
    occurred, notified = fields.get("occurred_on"), fields.get("notified_at")
    if occurred and notified and notified.astimezone(TZ).date() < occurred:
        raise ValidationError({"notified_at": _("The notice is before the event occurred.")})
    if ForceMajeure.objects.filter(contract=contract, code=fields.get("code")).exists():
        raise ValidationError({"code": _("This number is already used on this contract.")})
    return save_audited(ForceMajeure(contract=contract), fields, action="force_majeure.notice")


def record_explanation(
    fm: ForceMajeure, received_on: datetime.date, file: Any = None
) -> ForceMajeure:
    """The written explanation (十一.1: within 5 days of the event); a late one is kept
    and shown late."""
    check_not_in_future({"explanation_received_on": received_on})
    if received_on < fm.occurred_on:
        raise ValidationError(
            {"explanation_received_on": _("The explanation is received before the event occurred.")}
        )
    fields: dict[str, Any] = {"explanation_received_on": received_on}
    if file:
        fields["explanation"] = file
    return save_audited(fm, fields, action="force_majeure.explanation")


def excused_facts(fm: ForceMajeure) -> dict[str, list[Any]]:
    """The tickets, incidents and deliveries this decision excuses."""
    ref = fm.reference
    c = fm.contract
    return {
        "tickets": list(Ticket.objects.filter(contract=c, excused=ref).order_by("pk")),
        "incidents": list(Incident.objects.filter(contract=c, excused=ref).order_by("code")),
        "deliveries": list(ServiceDelay.objects.filter(contract=c, excused=ref).order_by("due")),
    }


def _own(fm: ForceMajeure, facts: Iterable[Any], name: str) -> list[Any]:
    facts = list(facts)
    if any(f.contract_id != fm.contract_id for f in facts):
        raise ValidationError({name: _("Only facts of this contract can be excused.")})
    return facts


def decide_force_majeure(
    fm: ForceMajeure,
    data: Mapping[str, Any],
    user: User | None = None,
) -> ForceMajeure:
    """The bureau's decision (十一.3): its text and day, and the facts it excuses —
    `tickets`, `incidents`, `deliveries`.  Facts excused by an earlier version of this
    decision and not named now cost again.  A decision naming nothing refuses."""
    decided, text = data.get("decided_on"), str(data.get("decision", "")).strip()
    if not text:
        raise ValidationError({"decision": _("State the bureau's decision.")})
    if decided is None:
        raise ValidationError({"decided_on": _("Give the day of the decision.")})
    check_not_in_future({"decided_on": decided})
    if decided < fm.occurred_on:
        raise ValidationError({"decided_on": _("The decision is before the event occurred.")})
    named = {
        "tickets": _own(fm, data.get("tickets", ()), "tickets"),
        "incidents": _own(fm, data.get("incidents", ()), "incidents"),
        "deliveries": _own(fm, data.get("deliveries", ()), "deliveries"),
    }
    for name, facts in named.items():
        taken = [f for f in facts if f.excused and f.excused != fm.reference]
        if taken:
            raise ValidationError(
                {
                    name: _("%(fact)s is already excused by %(by)s.")
                    % {"fact": taken[0], "by": taken[0].excused}
                }
            )
    with transaction.atomic():
        before = excused_facts(fm)
        reason = _("decision of %(code)s") % {"code": fm.code}
        for name, facts in named.items():
            keep = {f.pk for f in facts}
            for old in before[name]:
                if old.pk not in keep:
                    set_excused(old, "", user=user, reason=reason)
            for fact in facts:
                set_excused(fact, fm.reference, user=user, reason=reason)
        fm.decided_by = user
        save_audited(fm, {"decided_on": decided, "decision": text}, action="force_majeure.decide")
    return fm


def explanations_overdue(contracts: Iterable[Contract]) -> list[ForceMajeure]:
    """Undecided notices whose written explanation is overdue, for the home page."""
    day = today()
    qs = ForceMajeure.objects.filter(
        contract__in=contracts, explanation_received_on__isnull=True, decided_on__isnull=True
    )
    return [fm for fm in qs.select_related("contract") if fm.explanation_overdue(day)]


# --- 合同 十.1: the bureau's written agreement to a later delivery --------------------


def agree_delay(
    delivery: ServiceDelay, data: Mapping[str, Any], user: User | None = None
) -> DelayAgreement:
    """Record the bureau's written agreement and move the delivery's due day to
    `new_due` (the only way it moves once recorded).  Audited on both records."""
    fields = pick(data, AGREEMENT_FIELDS)
    if not fields.get("document"):
        raise ValidationError({"document": _("Attach the bureau's written agreement.")})
    if not str(fields.get("reason", "")).strip():
        raise ValidationError({"reason": _("Give the reason for the delay.")})
    check_not_in_future(
        {"requested_on": fields.get("requested_on"), "agreed_on": fields.get("agreed_on")}
    )
    check_dates(
        delivery.contract,
        {k: fields.get(k) for k in ("requested_on", "agreed_on", "new_due")},
        labels={
            "requested_on": _("vendor's written notice of the delay on"),
            "agreed_on": _("bureau agreed on"),
            "new_due": _("new due day"),
        },
        order=(("requested_on", "agreed_on"),),
    )
    new_due = fields.get("new_due")
    if new_due is None or new_due <= delivery.due:
        raise ValidationError(
            {
                "new_due": _("The new due day must be after the present one (%(d)s).")
                % {"d": delivery.due.isoformat()}
            }
        )
    with transaction.atomic():
        agreement = save_audited(
            DelayAgreement(delivery=delivery, previous_due=delivery.due, recorded_by=user),
            fields,
            action="service_delay.agree",
            summary=f"{delivery}: {delivery.due.isoformat()} → {new_due.isoformat()}",
        )
        save_audited(delivery, {"due": new_due}, action="service_delay.due_moved")
    return agreement


def excused_rows(contract: Contract) -> list[dict[str, Any]]:
    """Every excused fact of the contract with the decision that excuses it (the ledger
    page lists them: they cost nothing there, and the reader should see why)."""
    decisions = {fm.reference: fm for fm in ForceMajeure.objects.filter(contract=contract)}
    rows: list[dict[str, Any]] = []
    for kind, model, label in (
        ("ticket", Ticket, "number"),
        ("incident", Incident, "code"),
        ("delivery", ServiceDelay, "obligation"),
    ):
        for fact in model.objects.filter(contract=contract).exclude(excused="").order_by("pk"):
            rows.append(
                {
                    "kind": kind,
                    "pk": fact.pk,
                    "label": getattr(fact, label),
                    "ref": fact.excused,
                    "decision": decisions.get(fact.excused),
                }
            )
    return rows
