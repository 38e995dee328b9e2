"""What the audit pages show for a record's codes, in the reader's language.

A record's `action`, `summary`, `actor_role` and `object_type` are stored as they
were written (English, codes) and hashed into the chain: translating the stored
text would break the chain. The pages render a translated label from the stored
code instead, and show the stored summary as recorded.

Every action code that a service logs has a label here (a test scans the source
for them); a code without one (an old or a test record) is shown as it is.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from opsqm.infra.audit.chain import ChainProblem
from opsqm.infra.core.roles import Role

ACTION_LABELS: dict[str, Promise] = {
    # accounts and sign-in
    "account.create": _("Account created"),
    "account.update": _("Account edited"),
    "account.role_change": _("Role changed"),
    "account.deactivate": _("Account deactivated"),
    "account.reactivate": _("Account reactivated"),
    "account.unlock": _("Account unlocked"),
    "account.password_reset": _("Password reset"),
    "account.password_change": _("Own password changed"),
    "account.request": _("Administrator change asked (two-person rule)"),
    "account.request_approve": _("Administrator change approved"),
    "account.request_reject": _("Administrator change rejected"),
    "api_token.create": _("API token created"),
    "api_token.revoke": _("API token revoked"),
    "auth.login": _("Logged in"),
    "auth.logout": _("Logged out"),
    "auth.login_failed": _("Login failed"),
    "auth.locked_out": _("Account locked after failed logins"),
    "auth.idle_timeout": _("Logged out after inactivity"),
    "inbox.read": _("Inbox items marked read"),
    "directory.refused": _("Directory sign-in refused"),
    "audit.export": _("Audit log exported"),
    "audit.verify": _("Audit chain verified"),
    "demo.accounts": _("Demo accounts created"),
    # registers
    "vendor.create": _("Vendor created"),
    "vendor.update": _("Vendor edited"),
    "unit.create": _("Unit created"),
    "unit.update": _("Unit edited"),
    "contract.create": _("Contract created"),
    "contract.agreement": _("Signed agreement recorded (合同 七)"),
    "contract.update": _("Contract edited"),
    "evidence.import": _("Evidence log imported"),
    # staff and attendance
    "staff.register": _("Staff member registered"),
    "staff.update": _("Staff member edited"),
    "staff.verify": _("Entry verification recorded"),
    "staff.replace": _("Replacement registered"),
    "staff.replace.update": _("Replacement edited"),
    "staff.replacement.demand": _("Replacement demanded"),
    "staff.replacement.demand.fulfil": _("Replacement demand fulfilled"),
    "staff.punch": _("Punch recorded"),
    "ticket.manager_copy": _("Work order copied to the vendor manager"),
    "ticket.mail_resent": _("Work-order mail sent again"),
    "ticket.mail_not_counted": _("Mail on a work order not counted"),
    "ticket.mail_not_delivered": _("Work-order mail not delivered"),
    "mail.not_delivered": _("Mail not delivered (bounce)"),
    "mail.resent": _("Mail sent again"),
    "staff.punches": _("Punches recorded"),
    "staff.leave": _("Leave recorded"),
    "staff.leave.request": _("Leave requested"),
    "staff.leave.approve": _("Leave approved"),
    "staff.leave.reject": _("Leave refused"),
    "attendance.import": _("DingTalk attendance imported"),
    "attendance.import.upload": _("DingTalk file uploaded"),
    "attendance.import.refused": _("DingTalk import refused"),
    "attendance.unmatched.map": _("Unmatched punch assigned to a person"),
    "attendance.unmatched.dismiss": _("Unmatched punch dismissed"),
    "attendance.makeup.confirm": _("Makeup punch confirmed"),
    "attendance.makeup.withdraw": _("Makeup punch confirmation withdrawn"),
    "attendance.calendar.year": _("Holiday calendar: year saved"),
    "attendance.calendar.day": _("Holiday calendar: day saved"),
    "attendance.calendar.day.remove": _("Holiday calendar: day removed"),
    "attendance.unit_head": _("Head of unit assigned"),
    "attendance.unit_head.remove": _("Head of unit removed"),
    # work orders and mail
    "ticket.create": _("Work order created"),
    "ticket.update": _("Work order edited"),
    "ticket.intake": _("Request taken at the service desk"),
    "ticket.security_register": _("Security report registered"),
    "ticket.vendor_called": _("Vendor called by phone"),
    "ticket.phone_resolved": _("Resolved by phone"),
    "ticket.dispatch": _("Work order dispatched"),
    "ticket.server_time": _("Mail server time recorded"),
    "ticket.acknowledge": _("Work order acknowledged"),
    "ticket.mail_received": _("Work order mail received"),
    "ticket.record_work": _("Work record saved"),
    "ticket.external_form": _("Work order form uploaded"),
    "ticket.extension_request": _("Extension requested"),
    "ticket.extension_decide": _("Extension decided"),
    "ticket.extended": _("Work order deadline extended"),
    "ticket.finding_close": _("Security finding closed"),
    "ticket.resolve": _("Work order resolved"),
    "ticket.sign": _("Work order signed and rated"),
    "ticket.sign_link": _("Signing link created"),
    "ticket.no_signature": _("Missing signature recorded"),
    "ticket.phone_confirm": _("Work order confirmed by phone"),
    "ticket.archive_sent": _("Work order archive mail sent"),
    "ticket.archive_improper": _("Work order marked as archived improperly"),
    "ticket.fault": _("Work order fault recorded or corrected by the assessor"),
    "ticket.reminder": _("Deadline reminder sent"),
    "mail.sent": _("Mail sent"),
    "mail.delivery_confirmed": _("Mail delivery confirmed by the server"),
    "mail.received": _("Mail received"),
    # scheduled reports
    "reports.schedule_created": _("Report schedule created"),
    "reports.schedule_changed": _("Report schedule changed"),
    "reports.run_started": _("Scheduled report run started"),
    "reports.run_sent": _("Scheduled report mailed"),
    "reports.run_skipped": _("Scheduled report run skipped"),
    "reports.run_failed": _("Scheduled report run failed"),
    "reports.run_retried": _("Scheduled report run tried again"),
    # incidents, evaluations, praise, rectification, contracted deliveries
    "incident.record": _("Incident recorded"),
    "incident.update": _("Incident edited"),
    "incident.report": _("Incident analysis report recorded"),
    "incident.step": _("Incident determination step recorded"),
    "incident.determine": _("Incident level determined"),
    "incident.evidence": _("Incident evidence added"),
    "fact.excuse": _("Fact excused by a decision (force majeure, agreed delay)"),
    "fact.excuse_clear": _("Excuse of a fact withdrawn"),
    "evaluation.campaign_open": _("Quarterly evaluation campaign opened"),
    "evaluation.campaign_close": _("Quarterly evaluation campaign closed"),
    "evaluation.rate": _("Quarterly evaluation rating given"),
    "evaluation.record": _("Quarterly evaluation recorded"),
    "praise.apply": _("Praise applied for"),
    "praise.confirm": _("Praise confirmed"),
    "praise.reject": _("Praise application rejected"),
    "praise.record": _("Praise recorded"),
    "rectification.issue": _("Rectification notice issued"),
    "rectification.respond": _("Rectification reported"),
    "rectification.verify": _("Rectification verified"),
    "rectification.return": _("Rectification returned"),
    "change_notice.issue": _("System change notice issued"),
    "notice.mail_sent": _("Mail under 第二十一条 sent (notice, instruction, minutes or copy)"),
    "notice.reply": _("Reply to a mail under 第二十一条 received"),
    "service_delay.record": _("Contracted delivery registered"),
    "service_delay.update": _("Contracted delivery edited"),
    "service_delay.delivered": _("Contracted delivery delivered"),
    "service_delay.agree": _("Delay agreed in writing"),
    "service_delay.due_moved": _("Contracted delivery's due day moved"),
    "incident.liability": _("Liability for an operator's error recorded"),
    "incident.liability_withdraw": _("Liability for an operator's error withdrawn"),
    "force_majeure.notice": _("Force majeure notice recorded"),
    "force_majeure.explanation": _("Force majeure explanation recorded"),
    "force_majeure.decide": _("Force majeure decided"),
    "rectification.mail": _("Rectification notice linked to its mail"),
    "rectification.received": _("Rectification notice received (mail server time)"),
    "service_delay.staff_list": _("Staff list submitted (合同 六(二)1)"),
    # settlement
    "settlement.draft": _("Settlement statement drafted"),
    "settlement.submit": _("Settlement statement submitted"),
    "settlement.approve": _("Settlement statement approved"),
    "settlement.return": _("Settlement statement returned"),
    "settlement.sign": _("Settlement statement signed off"),
    "payments.plan": _("Contract signing day recorded"),
    "payments.invoice": _("Invoice registered"),
    "payments.paid": _("Payment made recorded"),
    "contract.termination": _("Contract termination recorded"),
    "settlement.reopen": _("Settlement statement reopened"),
    # acceptance and inspections
    "acceptance.due_days": _("Deliverable due days set"),
    "acceptance.version": _("Deliverable version uploaded"),
    "acceptance.submit": _("Deliverable sent for review"),
    "acceptance.review": _("Deliverable or acceptance reviewed"),
    "acceptance.apply": _("Acceptance applied for"),
    "acceptance.accept": _("Project accepted"),
    "acceptance.checklist_default": _("Inspection checklist created"),
    "acceptance.checklist_item": _("Inspection checklist item saved"),
    "acceptance.inspection_start": _("Monthly inspection started"),
    "acceptance.inspection_result": _("Monthly inspection check answered"),
    "acceptance.inspection_complete": _("Monthly inspection completed"),
    "acceptance.inspection_ticket": _("Inspection finding made a work order"),
    "acceptance.package_request": _("Acceptance package requested"),
    "acceptance.package_ready": _("Acceptance package ready"),
    "acceptance.package_failed": _("Acceptance package failed"),
}

PROBLEM_KINDS: dict[str, Promise] = {
    "edited": _("edited"),
    "inserted": _("inserted"),
    "deleted": _("deleted"),
    "anchor": _("head anchor missing"),
    "checkpoint": _("checkpoint forged"),
}

# What `opsqm.infra.audit.chain` found, by its reason code, in the reader's language.
PROBLEM_REASONS: dict[str, Promise] = {
    "missing_before": _("record #%(seq)s is missing, before #%(next)s"),
    "missing_after": _(
        "record #%(seq)s is missing, after the chain's end #%(end)s (head anchor #%(anchor)s)"
    ),
    "missing_range_before": _(
        "records #%(first)s–#%(last)s are missing, before #%(next)s (%(count)s records)"
    ),
    "missing_range_after": _(
        "records #%(first)s–#%(last)s are missing, after the chain's end #%(end)s "
        "(head anchor #%(anchor)s, %(count)s records)"
    ),
    "hash_mismatch": _("its content does not match its hash"),
    "out_of_order": _("sequence number out of order after #%(after)s"),
    "linked_past": _("record #%(by)s links past it to an earlier record"),
    "rehashed": _("rewritten with a recomputed hash (record #%(by)s links to its old hash)"),
    "broken_link": _(
        "the link to the previous record is broken: a record was deleted before this "
        "one, or this record's link was edited"
    ),
    "anchor_missing": _(
        "the head anchor is missing: the removal of the newest records cannot be checked"
    ),
    "anchor_hash": _("its hash differs from the head anchor's"),
    "beyond_anchor": _("record #%(seq)s lies beyond the head anchor #%(anchor)s"),
    "hmac_mismatch": _("its keyed hash does not match: edited, or written without the audit key"),
    "key_unknown": _("signed with an audit key that the key file does not hold"),
    "unkeyed": _("an unkeyed record after keyed ones: written without the audit key"),
    "checkpoint_hash": _(
        "its hash differs from a checkpoint's: it, or the records before it, were rewritten"
    ),
    "empty_with_checkpoint": _(
        "the log is empty, but a checkpoint names record #%(seq)s: the log was wiped"
    ),
    "checkpoint_tail": _(
        "records #%(first)s–#%(last)s are missing after the chain's end #%(end)s: a "
        "checkpoint names #%(last)s (the tail was cut)"
    ),
    "checkpoint_forged": _(
        "checkpoint line %(line)s is not signed with a known audit key: edited or forged"
    ),
    "checkpoint_unreadable": _("checkpoint line %(line)s is not readable"),
    "beyond_anchor_range": _(
        "records #%(first)s–#%(last)s lie beyond the head anchor #%(anchor)s (%(count)s records)"
    ),
}


def action_label(code: str) -> str:
    """The translated label of an action code; the code itself if it has none."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def role_label(code: str) -> str:
    try:
        return str(Role(code).label)
    except ValueError:
        return code


def object_type_label(label: str) -> str:
    """`app.model` as the model's verbose name; anything else as it is."""
    app_label, _dot, model_name = label.partition(".")
    if not model_name:
        return label
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return label
    return str(model._meta.verbose_name)


def problem_kind_label(kind: str) -> str:
    label = PROBLEM_KINDS.get(kind)
    return str(label) if label is not None else kind


def problem_detail_label(problem: ChainProblem) -> str:
    """A chain problem's detail in the reader's language (its English detail for a
    reason without a label)."""
    text = PROBLEM_REASONS.get(problem.reason)
    return str(text) % dict(problem.params) if text is not None else problem.detail
