"""Incidents, quarterly evaluations, praise, rectification and contracted deliveries
(I1, I2, Q1, R1, D1).  Every state change validates, writes in a transaction and
appends an audit record (`save_audited` or `log_action`)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.facts.contracts.models import Contract
from opsqm.facts.incidents.access import praise_levels_for

# The contracted deliveries (D1) have their own module; these names stay importable here.
from opsqm.facts.incidents.deliveries import (  # noqa: F401
    DELIVERY_FIELDS,
    DUE_CLAUSES,
    DUE_DAYS,
    RECTIFY_DAYS,
    delivery_due,
    due_for,
    record_delivered,
    record_service_delay,
    update_service_delay,
)
from opsqm.facts.incidents.mailing import copy_rectification
from opsqm.facts.incidents.models import (
    CampaignEntry,
    DeterminationStep,
    EvaluationCampaign,
    Incident,
    IncidentEvidence,
    Praise,
    PraiseApplication,
    QuarterlyEvaluation,
    RectificationNotice,
)
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.servicekit import pick, save_audited
from opsqm.infra.audit.services import log_action
from opsqm.pure.assessment.model import TZ

# The fields each service takes; the forms of the incident pages use these lists.
# The facts of an incident: the page records and corrects them; the final level is
# step 五's (record_step), or a service caller's that knows it (an older register).
INCIDENT_FACT_FIELDS = (
    "code",
    "title",
    "occurred_at",
    "reported_at",
    "systems",
    "impact",
    "scope",
    "restored_at",
    "core_data_lost",
    "sensitive_data_leaked",
    "major_security_event",
    "video_conference_fault",
    "human_error",
    "core_business_affected",
)
INCIDENT_FIELDS = (*INCIDENT_FACT_FIELDS, "level")
# A step of 第十四条 as the page edits it; step 五 adds the participants (their keys:
# PARTICIPANTS, the first three required).
STEP_FIELDS = ("notes", "level", "conclusion", "conclusion_scan")
PARTICIPANTS = ("it", "vendor", "supervisor", "experts")
EVIDENCE_FIELDS = ("kind", "ticket", "file", "received_at", "note")
PRAISE_APPLICATION_FIELDS = (
    "event",
    "level",
    "praised_on",
    "description",
    "evidence",
    "stamped_scan",
)
RECTIFICATION_FIELDS = ("code", "subject", "description", "received_on", "notice_file")


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return (now or timezone.now()).astimezone(TZ)


# --- incidents ---------------------------------------------------------------------


def record_incident(
    contract: Contract, data: Mapping[str, Any], user: User | None = None
) -> Incident:
    """Register an incident (its final level, if known, e.g. from an older register)."""
    fields = pick(data, INCIDENT_FIELDS)
    if user is not None and getattr(user, "is_authenticated", False):
        fields["registered_by"] = user
    return save_audited(Incident(contract=contract), fields, action="incident.record")


def update_incident(incident: Incident, data: Mapping[str, Any]) -> Incident:
    """Correct the facts (and `reported_at`, e.g. the mail server's receive time of a
    report sent by mail).  The final level is set by step 五 (`record_step`)."""
    fields = pick(data, INCIDENT_FIELDS)
    return save_audited(incident, fields, action="incident.update")


def report_deadline(incident: Incident, report_hours: Mapping[int, int], now: Any = None) -> Any:
    """When the analysis report is due (第十三条): by the final level, else the proposed
    one, else the strictest (level 1), counted from `occurred_at`."""
    level = incident.level or incident.proposal(_now(now)).level or 1
    return incident.occurred_at + datetime.timedelta(hours=report_hours[level])


def upload_report(
    incident: Incident, report: Any, user: User, now: datetime.datetime | None = None
) -> Incident:
    """The 《事故分析报告》: `reported_at` is the upload time (the first one: a later
    version replaces the file, not the submission time)."""
    fields: dict[str, Any] = {"report": report}
    if incident.reported_at is None:
        fields["reported_at"] = _now(now)
    return save_audited(
        incident, fields, action="incident.report", summary=f"{incident} analysis report"
    )


def record_step(
    incident: Incident,
    step: int,
    data: Mapping[str, Any],
    user: User,
    now: datetime.datetime | None = None,
) -> DeterminationStep:
    """Record (or amend) one step of 第十四条.  Step 五 sets the final level, which is
    what I1/I2 count; it needs the participants (IT department, vendor, supervisor;
    experts if any) and a written conclusion (text or signed scan)."""
    from opsqm.infra.core.roles import Role

    if step not in DeterminationStep.Step.values:
        raise ValidationError({"step": _("Unknown step.")})
    existing = DeterminationStep.objects.filter(incident=incident, step=step).first()
    obj = existing or DeterminationStep(incident=incident, step=step)
    fields = pick(data, (*STEP_FIELDS, "participants"))
    fields["recorded_by"] = user
    fields["recorded_at"] = _now(now)
    if step == DeterminationStep.Step.FINAL:
        if getattr(user, "role", None) != Role.ASSESSOR:
            raise ValidationError(_("The final rating is recorded by the IT department."))
        errors: dict[str, Any] = {}
        people = dict(fields.get("participants") or {})
        missing = [k for k in PARTICIPANTS[:3] if not str(people.get(k, "")).strip()]
        if missing:
            errors["participants"] = _(
                "The IT department, the vendor and the supervisor take part in the final rating."
            )
        if not fields.get("level"):
            errors["level"] = _("The final level is required.")
        has_scan = bool(fields.get("conclusion_scan") or (existing and existing.conclusion_scan))
        if not str(fields.get("conclusion", "")).strip() and not has_scan:
            errors["conclusion"] = _("A written conclusion is required (text or signed scan).")
        if errors:
            raise ValidationError(errors)
    else:
        fields.pop("participants", None)
    with transaction.atomic():
        saved = save_audited(
            obj,
            fields,
            action="incident.step",
            summary=f"{incident} {obj.get_step_display()}",
        )
        if step == DeterminationStep.Step.FINAL:
            save_audited(
                incident,
                {"level": fields["level"]},
                action="incident.determine",
                summary=f"{incident} final level {fields['level']}",
            )
    return saved


def add_evidence(
    incident: Incident, data: Mapping[str, Any], user: User, now: datetime.datetime | None = None
) -> IncidentEvidence:
    fields = pick(data, EVIDENCE_FIELDS)
    ticket = fields.get("ticket")
    if ticket is not None and ticket.contract_id != incident.contract_id:
        raise ValidationError({"ticket": _("The ticket belongs to another contract.")})
    if not fields.get("file") and ticket is None and not fields.get("note"):
        raise ValidationError(_("Attach a file, link a ticket or describe where the record is."))
    fields.update(added_by=user, added_at=_now(now))
    return save_audited(
        IncidentEvidence(incident=incident),
        fields,
        action="incident.evidence",
        summary=str(incident),
    )


@dataclass
class ChecklistRow:
    kind: str
    label: str
    items: list[IncidentEvidence] = field(default_factory=list)

    @property
    def present(self) -> bool:
        return bool(self.items)


def evidence_checklist(incident: Incident) -> list[ChecklistRow]:
    """第十四条六: the four records that must be kept, each with what is there."""
    rows = {k: ChecklistRow(k, str(label)) for k, label in IncidentEvidence.Kind.choices}
    for ev in incident.evidence.select_related("ticket").order_by("added_at"):
        rows[ev.kind].items.append(ev)
    return list(rows.values())


# --- quarterly evaluations ---------------------------------------------------------


def quarter_bounds(quarter: str) -> tuple[datetime.date, datetime.date]:
    from opsqm.pure.assessment.rules.evaluations import quarter_over

    year, q = int(quarter[:4]), int(quarter[-1])
    first = datetime.date(year, 3 * q - 2, 1)
    return first, quarter_over(quarter) - datetime.timedelta(days=1)


def open_campaign(
    quarter: str, user: User, now: datetime.datetime | None = None
) -> EvaluationCampaign:
    """Open a quarter's evaluation: every contract whose service period overlaps the
    quarter × every unit it serves (Contract.units) becomes one entry to rate."""
    campaign = EvaluationCampaign(quarter=quarter, opened_by=user, opened_at=_now(now))
    campaign.full_clean()
    first, last = quarter_bounds(quarter)
    contracts = Contract.objects.filter(start__lte=last, end__gte=first).prefetch_related("units")
    if not contracts.exists():
        # A mistyped quarter (2062Q1 for 2026Q1) would open an evaluation of nothing.
        raise ValidationError(
            {
                "quarter": _("No contract's service period overlaps %(quarter)s.")
                % {"quarter": quarter}
            }
        )
    with transaction.atomic():
        campaign.save()
        entries = [
            CampaignEntry(campaign=campaign, contract=c, unit=u)
            for c in contracts
            for u in c.units.all()
        ]
        CampaignEntry.objects.bulk_create(entries)
        log_action(
            "evaluation.campaign_open",
            obj=campaign,
            summary=f"{quarter}: {len(entries)} entries",
            after={"quarter": quarter, "entries": len(entries)},
        )
    return campaign


def close_campaign(campaign: EvaluationCampaign, now: datetime.datetime | None = None) -> None:
    if campaign.status == EvaluationCampaign.Status.CLOSED:
        raise ValidationError(_("The campaign is already closed."))
    save_audited(
        campaign,
        {"status": EvaluationCampaign.Status.CLOSED, "closed_at": _now(now)},
        action="evaluation.campaign_close",
    )


def evaluation_of(entry: CampaignEntry) -> QuarterlyEvaluation | None:
    return QuarterlyEvaluation.objects.filter(
        contract=entry.contract_id, quarter=entry.campaign.quarter, unit=entry.unit_id
    ).first()


def rate(
    entry: CampaignEntry,
    result: str,
    comments: str,
    user: User,
    now: datetime.datetime | None = None,
) -> QuarterlyEvaluation:
    """The unit's recipient rates one vendor (satisfied/unsatisfied); may change the
    rating while the campaign is open.  The rating is the Q1 evidence."""
    if entry.campaign.status != EvaluationCampaign.Status.OPEN:
        raise ValidationError(_("The campaign is closed."))
    if getattr(user, "unit_id", None) != entry.unit_id:
        raise ValidationError(_("Only the unit's own recipient rates its vendors."))
    if result == QuarterlyEvaluation.Result.UNSATISFIED and not comments.strip():
        raise ValidationError({"comments": _("Say what was unsatisfactory.")})
    ev = evaluation_of(entry) or QuarterlyEvaluation(
        contract=entry.contract, quarter=entry.campaign.quarter, unit=entry.unit
    )
    return save_audited(
        ev,
        {"result": result, "comments": comments, "rated_by": user, "rated_at": _now(now)},
        action="evaluation.rate",
        summary=f"{entry.campaign.quarter} {entry.unit} → {entry.contract.code}: {result}",
    )


def record_evaluation(contract: Contract, data: Mapping[str, Any]) -> QuarterlyEvaluation:
    fields = pick(data, ("quarter", "unit", "result", "comments"))
    ev = QuarterlyEvaluation(contract=contract)
    return save_audited(ev, fields, action="evaluation.record")


# --- praise ------------------------------------------------------------------------


def apply_praise(
    contract: Contract, data: Mapping[str, Any], user: User, now: datetime.datetime | None = None
) -> PraiseApplication:
    """An application for praise points (第二十条), by whoever the level's praise comes
    through: the praised unit itself for its own praise, with its seal on the scan;
    the vendor for a leader's, which the IT department then verifies."""
    fields = pick(data, PRAISE_APPLICATION_FIELDS)
    level = fields.get("level")
    if level not in praise_levels_for(user):
        if level == Praise.Level.SERVICE_UNIT:
            msg = _("A service unit's praise is applied for by that unit (its recipient).")
        else:
            msg = _("A leader's praise is applied for by the vendor.")
        raise ValidationError({"level": [msg]})
    if level == Praise.Level.SERVICE_UNIT:
        if not contract.units.filter(pk=user.unit_id or 0).exists():
            raise ValidationError(_("This contract does not serve your unit."))
        if not fields.get("stamped_scan"):
            raise ValidationError(
                {"stamped_scan": [_("Attach the application with the unit's seal (scan).")]}
            )
        fields["unit"] = user.unit
    else:
        fields.pop("stamped_scan", None)
    if PraiseApplication.objects.filter(
        contract=contract,
        event=fields.get("event"),
        level=level,
        status__in=(PraiseApplication.Status.APPLIED, PraiseApplication.Status.CONFIRMED),
    ).exists():
        raise ValidationError({"event": [_("This event is already applied for at this level.")]})
    fields.update(applied_by=user, applied_at=_now(now), status=PraiseApplication.Status.APPLIED)
    return save_audited(PraiseApplication(contract=contract), fields, action="praise.apply")


def confirm_praise(
    app: PraiseApplication,
    data: Mapping[str, Any],
    user: User,
    now: datetime.datetime | None = None,
) -> Praise:
    """The IT department's decision (第二十条): a leader's praise is verified with the
    leader (`verified_with`); a service unit's carries the unit's seal (`stamped_scan`,
    from the unit's application)."""
    if app.status != PraiseApplication.Status.APPLIED:
        raise ValidationError(_("This application has already been decided."))
    verified_with = str(data.get("verified_with", "")).strip()
    scan = data.get("stamped_scan") or app.stamped_scan
    if app.level == Praise.Level.SERVICE_UNIT:
        if not scan:
            raise ValidationError(
                {"stamped_scan": _("The service unit's stamped confirmation is required.")}
            )
    elif not verified_with:
        raise ValidationError(
            {"verified_with": _("Record with whom the leader's praise was verified.")}
        )
    if Praise.objects.filter(contract=app.contract_id, event=app.event, level=app.level).exists():
        raise ValidationError(_("This event is already praised at this level."))
    at = datetime.datetime.combine(app.praised_on, datetime.time(0), TZ)
    with transaction.atomic():
        praise = save_audited(
            Praise(contract=app.contract),
            {
                "event": app.event,
                "level": app.level,
                "at": at,
                "description": app.description,
                "verified_with": verified_with,
                "confirmed_by": user,
            },
            action="praise.record",
        )
        save_audited(
            app,
            {
                "status": PraiseApplication.Status.CONFIRMED,
                "verified_with": verified_with,
                "stamped_scan": scan,
                "decided_by": user,
                "decided_at": _now(now),
                "praise": praise,
            },
            action="praise.confirm",
        )
    return praise


def reject_praise(
    app: PraiseApplication, note: str, user: User, now: datetime.datetime | None = None
) -> PraiseApplication:
    if app.status != PraiseApplication.Status.APPLIED:
        raise ValidationError(_("This application has already been decided."))
    if not note.strip():
        raise ValidationError({"decision_note": _("Give the reason.")})
    return save_audited(
        app,
        {
            "status": PraiseApplication.Status.REJECTED,
            "decision_note": note,
            "decided_by": user,
            "decided_at": _now(now),
        },
        action="praise.reject",
    )


def record_praise(contract: Contract, data: Mapping[str, Any]) -> Praise:
    fields = pick(data, ("event", "level", "at", "description", "verified_with"))
    return save_audited(Praise(contract=contract), fields, action="praise.record")


def praise_events(praises: list[Praise]) -> dict[tuple[int, str], Praise]:
    """(contract id, event) → the praise that counts: the highest level, then the
    earliest (the engine's R1 reading)."""
    order = {Praise.Level.MAIN_LEADER: 0, Praise.Level.LEADER_IN_CHARGE: 1}
    best: dict[tuple[int, str], Praise] = {}
    for p in sorted(praises, key=lambda p: (order.get(p.level, 2), p.at, p.pk)):  # type: ignore[call-overload]
        best.setdefault((p.contract_id, p.event), p)
    return best


# --- rectification (合同 六(一)2) ---------------------------------------------------


def issue_rectification(
    contract: Contract,
    data: Mapping[str, Any],
    user: User,
    track_delivery: bool = False,
) -> RectificationNotice:
    """Issue a written suggestion handed over on paper: due = received + 5 days (a
    notice sent by intranet mail: `opsqm.facts.incidents.rectification`).  With
    `track_delivery` it is also a contracted delivery (D1 if late): the IT
    department's choice per notice.  The vendor's manager gets a copy by mail
    (第二十一条), if the vendor names one."""
    fields = pick(data, RECTIFICATION_FIELDS)
    received = fields.get("received_on")
    if not received:
        raise ValidationError({"received_on": [_("Give the day the vendor received it.")]})
    fields["due"] = due_for("rectification", received)
    fields["issued_by"] = user
    fields["tracked"] = track_delivery
    with transaction.atomic():
        notice = save_audited(
            RectificationNotice(contract=contract), fields, action="rectification.issue"
        )
        track_rectification(notice)
        copy_rectification(notice, user)
    return notice


def track_rectification(notice: RectificationNotice) -> None:
    """A tracked notice's contracted delivery, created once the receive day is known,
    moved when it changes (the mail server's time came)."""
    if not notice.tracked or notice.received_on is None:
        return
    if notice.delivery is not None:
        update_service_delay(notice.delivery, {"basis_on": notice.received_on, "due": notice.due})
        return
    delivery = record_service_delay(
        notice.contract,
        {
            "obligation": f"整改 {notice.code} {notice.subject}"[:200],
            "kind": "rectification",
            "basis_on": notice.received_on,
            "due": notice.due,
            "notes": notice.description,
        },
    )
    notice.delivery = delivery
    notice.save(update_fields=["delivery"])


def respond_rectification(
    notice: RectificationNotice,
    data: Mapping[str, Any],
    user: User,
    now: datetime.datetime | None = None,
) -> RectificationNotice:
    if notice.status == RectificationNotice.Status.VERIFIED:
        raise ValidationError(_("The rectification has already been verified."))
    if not str(data.get("response", "")).strip():
        raise ValidationError({"response": _("Describe what was rectified.")})
    fields = pick(data, ("response", "response_file"))
    fields["rectified_at"] = data.get("rectified_at") or _now(now)
    fields["status"] = RectificationNotice.Status.RESPONDED
    return save_audited(notice, fields, action="rectification.respond")


def verify_rectification(
    notice: RectificationNotice,
    accepted: bool,
    note: str,
    user: User,
    now: datetime.datetime | None = None,
) -> RectificationNotice:
    """The bureau accepts (the delivery, if tracked, is delivered on the rectification
    day) or sends it back (the notice is open again, still due on its day)."""
    if notice.status != RectificationNotice.Status.RESPONDED:
        raise ValidationError(_("Nothing to verify: the vendor has not responded."))
    if not accepted and not note.strip():
        raise ValidationError({"verification_note": _("Say what is still to be rectified.")})
    when = _now(now)
    with transaction.atomic():
        if accepted:
            fields: dict[str, Any] = {
                "status": RectificationNotice.Status.VERIFIED,
                "verified_by": user,
                "verified_at": when,
                "verification_note": note,
            }
        else:
            fields = {
                "status": RectificationNotice.Status.OPEN,
                "rectified_at": None,
                "verification_note": note,
                "verified_by": user,
                "verified_at": when,
            }
        rectified = notice.rectified_at
        saved = save_audited(
            notice,
            fields,
            action="rectification.verify" if accepted else "rectification.return",
        )
        if accepted and notice.delivery is not None and rectified is not None:
            record_delivered(notice.delivery, rectified.astimezone(TZ).date())
    return saved
