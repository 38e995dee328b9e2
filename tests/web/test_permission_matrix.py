"""The permission matrix: EVERY url of the project, as EVERY role and anonymous,
with path parameters filled by real objects inside and outside each user's
scope, must give the designed answer.

The design is the table `MATRIX` below.  A url that is not in the table fails
the test: add it (its parameters in `PARAMS` if it has any, then one row per
parameter set).  `OPSQM_MATRIX_DISCOVER=1 pytest tests/web/test_permission_matrix.py -s`
prints the observed answers in table form, as a starting point; check every
cell against the design before pasting it.

Answers: 200 page/JSON; 302 to the login page (anonymous on pages); 401
(anonymous on the API); 403 the role has no business there (the three
administrators see no business data); 404 an object outside the user's scope
(another vendor's contract, another unit's data) or not there; 405 a POST-only
action fetched with GET by a role allowed to POST it.

Scope of the fixtures: vendor roles belong to vendor A, the recipient to unit A;
contract A (vendor A, unit A) is inside their scope, contract B is outside.

Printed documents (PDF, DOCX) are not built here: a view that gets as far as
building one has granted access, which is all this table is about, so building
stops there and the answer counts as 200 (`documents_not_built`).  Their content
is tested where they are made (tests/documents, the apps' printing tests).
"""

from __future__ import annotations

import contextlib
import datetime
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from opsqm.infra.core.roles import Role
from tests.scope import make_contract, make_unit, make_users, make_vendor

COLUMNS = (
    "anonymous",
    Role.ASSESSOR,
    Role.SERVICE_DESK,
    Role.VENDOR_MANAGER,
    Role.VENDOR_ENGINEER,
    Role.RECIPIENT,
    Role.SUPERVISOR,
    Role.SYSTEM_ADMIN,
    Role.SECURITY_ADMIN,
    Role.AUDIT_ADMIN,
)

# Path parameters: url name → parameter sets (values name fixture objects, see
# `objects`; "=text" is a literal).  Urls without parameters need no entry.
PARAMS: dict[str, list[dict[str, str]]] = {
    "accounts:user": [{"pk": "user"}, {"pk": "missing"}],
    "accounts:user_edit": [{"pk": "user"}],
    "accounts:user_deactivate": [{"pk": "user"}],
    "accounts:user_reactivate": [{"pk": "user"}],
    "accounts:user_role": [{"pk": "user"}],
    "accounts:user_unlock": [{"pk": "user"}],
    "accounts:user_password": [{"pk": "user"}],
    "audit:detail": [{"seq": "audit"}],
    "api:user-detail": [{"pk": "user"}],
    "api:me-token": [{"pk": "missing"}],
    "api:admin-request-detail": [{"pk": "missing"}],
    "api:admin-request-approve": [{"pk": "missing"}],
    "api:admin-request-reject": [{"pk": "missing"}],
    "accounts:request_approve": [{"pk": "missing"}],
    "accounts:request_reject": [{"pk": "missing"}],
    "api:user-deactivate": [{"pk": "user"}],
    "api:user-reactivate": [{"pk": "user"}],
    "api:user-role": [{"pk": "user"}],
    "api:user-unlock": [{"pk": "user"}],
    "api:user-password": [{"pk": "user"}],
    "api:audit-detail": [{"seq": "audit"}],
    "contracts:detail": [{"pk": "contract_a"}, {"pk": "contract_b"}],
    "contracts:agreement": [
        {"pk": "contract_a", "kind": "=confidentiality"},
        {"pk": "contract_b", "kind": "=confidentiality"},
    ],
    "contracts:agreement_file": [
        {"pk": "contract_a", "kind": "=confidentiality"},
        {"pk": "contract_b", "kind": "=confidentiality"},
    ],
    "contracts:edit": [{"pk": "contract_a"}],
    "contracts:vendor_edit": [{"pk": "vendor_a"}],
    "contracts:unit_edit": [{"pk": "unit_a"}],
    "staff:detail": [{"pk": "staff_a"}, {"pk": "staff_b"}],
    "staff:edit": [{"pk": "staff_a"}],
    "staff:verify": [{"pk": "staff_a"}],
    "staff:file": [{"pk": "staff_a", "field": "=resume"}, {"pk": "staff_b", "field": "=resume"}],
    "ledger:detail": [{"code": "code_a"}, {"code": "code_b"}],
    "ledger:json": [{"code": "code_a"}, {"code": "code_b"}],
    "staff:create": [{"?contract": "contract_a"}, {"?contract": "contract_b"}],
    "staff:replacement_create": [{"?contract": "contract_a"}, {"?contract": "contract_b"}],
    "api:contract-detail": [{"pk": "contract_a"}, {"pk": "contract_b"}],
    "api:vendor-detail": [{"pk": "vendor_a"}, {"pk": "vendor_b"}],
    "api:unit-detail": [{"pk": "unit_a"}, {"pk": "unit_b"}],
    "api:staff-detail": [{"pk": "staff_a"}, {"pk": "staff_b"}],
    "api:contract-agreements": [{"pk": "contract_a"}, {"pk": "contract_b"}],
    "api:staff-pledge": [{"pk": "staff_a"}, {"pk": "staff_b"}],
    "api:replacement-detail": [{"pk": "replacement_a"}, {"pk": "replacement_b"}],
    "jobs:progress": [{"pk": "job"}],
    # --- issue 7: acceptance and reports ---
    "acceptance:deliverable": [{"pk": "deliverable_a"}, {"pk": "deliverable_b"}],
    "acceptance:upload": [{"pk": "deliverable_a"}, {"pk": "deliverable_b"}],
    "acceptance:submit": [{"pk": "deliverable_a"}, {"pk": "deliverable_b"}],
    "acceptance:review_document": [{"pk": "deliverable_a"}, {"pk": "deliverable_b"}],
    "acceptance:version_file": [{"pk": "version_a"}, {"pk": "version_b"}],
    "acceptance:package_file": [{"pk": "package_a"}, {"pk": "package_b"}],
    "acceptance:inspection": [{"pk": "inspection_a"}, {"pk": "inspection_b"}],
    "acceptance:inspection_complete": [{"pk": "inspection_a"}, {"pk": "inspection_b"}],
    "acceptance:inspection_pdf": [{"pk": "inspection_a"}, {"pk": "inspection_b"}],
    "acceptance:result_photo": [{"pk": "result_a"}, {"pk": "result_b"}],
    "acceptance:result_ticket": [{"pk": "result_a"}, {"pk": "result_b"}],
    "acceptance:detail": [{"code": "code_a"}, {"code": "code_b"}],
    "acceptance:settings": [{"code": "code_a"}, {"code": "code_b"}],
    "acceptance:apply": [{"code": "code_a"}, {"code": "code_b"}],
    "acceptance:review": [{"code": "code_a"}, {"code": "code_b"}],
    "acceptance:accept": [{"code": "code_a"}, {"code": "code_b"}],
    "acceptance:package": [{"code": "code_a"}, {"code": "code_b"}],
    "acceptance:checklist": [{"code": "code_a"}, {"code": "code_b"}],
    "acceptance:inspections": [{"code": "code_a"}, {"code": "code_b"}],
    "reports:index": [{"code": "code_a"}, {"code": "code_b"}],
    "reports:schedule": [{"pk": "schedule_a"}, {"pk": "missing"}],
    "reports:schedule_edit": [{"pk": "schedule_a"}],
    "reports:schedule_send_now": [{"pk": "schedule_a"}],
    "reports:run_retry": [{"pk": "run_a"}],
    "api:report-schedule-detail": [{"pk": "schedule_a"}, {"pk": "missing"}],
    "api:report-schedule-send-now": [{"pk": "schedule_a"}],
    "reports:download": [
        {"code": "code_a", "kind": "=patches", "label": "=all", "fmt": "=docx"},
        {"code": "code_b", "kind": "=patches", "label": "=all", "fmt": "=docx"},
    ],
    "reports:register": [
        {"code": "code_a", "kind": "=patches", "label": "=all"},
        {"code": "code_b", "kind": "=patches", "label": "=all"},
    ],
    "incidents:detail": [{"pk": "incident_a"}, {"pk": "incident_b"}],
    "incidents:edit": [{"pk": "incident_a"}, {"pk": "incident_b"}],
    "incidents:report": [{"pk": "incident_a"}, {"pk": "incident_b"}],
    "incidents:report_file": [{"pk": "incident_a"}, {"pk": "incident_b"}],
    "incidents:step": [
        {"pk": "incident_a", "step": "=1"},
        {"pk": "incident_b", "step": "=1"},
        {"pk": "incident_a", "step": "=5"},
    ],
    "incidents:evidence_add": [{"pk": "incident_a"}, {"pk": "incident_b"}],
    "incidents:evidence_file": [{"pk": "evidence_a"}, {"pk": "evidence_b"}],
    "incidents:step_file": [{"pk": "step_a"}, {"pk": "step_b"}],
    "incidents:create": [{"?contract": "contract_a"}, {"?contract": "contract_b"}],
    "incidents:campaign": [{"pk": "campaign"}],
    "incidents:campaign_close": [{"pk": "campaign"}],
    "incidents:praise_apply": [{"?contract": "contract_a"}, {"?contract": "contract_b"}],
    "incidents:praise_decide": [{"pk": "praise_app_a"}, {"pk": "praise_app_b"}],
    "incidents:praise_file": [
        {"pk": "praise_app_a", "field": "=evidence"},
        {"pk": "praise_app_b", "field": "=evidence"},
    ],
    "incidents:rectification": [{"pk": "rect_a"}, {"pk": "rect_b"}],
    "incidents:change": [{"pk": "change_a"}, {"pk": "change_b"}],
    "incidents:instruction": [{"pk": "incident_a"}, {"pk": "incident_b"}],
    "incidents:minutes": [{"pk": "incident_a"}, {"pk": "incident_b"}],
    "incidents:rectification_create": [{"?contract": "contract_a"}, {"?contract": "contract_b"}],
    "incidents:rectification_respond": [{"pk": "rect_a"}, {"pk": "rect_b"}],
    "incidents:rectification_verify": [{"pk": "rect_a"}, {"pk": "rect_b"}],
    "incidents:rectification_file": [
        {"pk": "rect_a", "field": "=notice_file"},
        {"pk": "rect_b", "field": "=notice_file"},
    ],
    "incidents:delivery_create": [{"?contract": "contract_a"}, {"?contract": "contract_b"}],
    "incidents:delivery_edit": [{"pk": "delivery_a"}, {"pk": "delivery_b"}],
    "incidents:delivery_file": [{"pk": "delivery_a"}, {"pk": "delivery_b"}],
    # --- issue 16: remedies, termination, payments API ---
    "incidents:liability": [{"pk": "incident_a"}, {"pk": "incident_b"}],
    "incidents:liability_withdraw": [{"pk": "incident_a"}, {"pk": "incident_b"}],
    "incidents:liability_file": [{"pk": "liability_a"}, {"pk": "liability_b"}],
    "incidents:force_majeure": [{"pk": "fm_a"}, {"pk": "fm_b"}],
    "incidents:force_majeure_create": [{"?contract": "contract_a"}, {"?contract": "contract_b"}],
    "incidents:force_majeure_file": [{"pk": "fm_a"}, {"pk": "fm_b"}],
    "incidents:force_majeure_ref": [
        {"contract": "contract_a", "?ref": "=force_majeure:FM-a"},
        {"contract": "contract_b", "?ref": "=force_majeure:FM-b"},
    ],
    "incidents:delay_agreement": [{"pk": "delivery_a"}, {"pk": "delivery_b"}],
    "incidents:delay_agreement_file": [{"pk": "agreement_a"}, {"pk": "agreement_b"}],
    "payments:terminate": [{"code": "code_a"}, {"code": "code_b"}],
    "payments:termination_file": [{"code": "code_a"}, {"code": "code_b"}],
    "api:liability-detail": [{"pk": "liability_a"}, {"pk": "liability_b"}],
    "api:force-majeure-detail": [{"pk": "fm_a"}, {"pk": "fm_b"}],
    "api:force-majeure-explanation": [{"pk": "fm_a"}, {"pk": "fm_b"}],
    "api:force-majeure-decision": [{"pk": "fm_a"}, {"pk": "fm_b"}],
    "api:delay-agreement-detail": [{"pk": "agreement_a"}, {"pk": "agreement_b"}],
    "api:termination-detail": [{"pk": "termination_a"}, {"pk": "termination_b"}],
    "api:invoice-detail": [{"pk": "invoice_a"}, {"pk": "invoice_b"}],
    "api:payment-detail": [{"pk": "payment_a"}, {"pk": "payment_b"}],
    "api:payment-schedule-detail": [{"code": "code_a"}, {"code": "code_b"}],
    "incidents:rectification_mail": [{"pk": "rect_a"}, {"pk": "rect_b"}],
    "incidents:staff_list": [{"pk": "staff_list_a"}, {"pk": "staff_list_b"}],
    "incidents:staff_list_file": [{"pk": "staff_list_sub_a"}, {"pk": "staff_list_sub_b"}],
    "settlement:detail": [{"code": "code_a"}, {"code": "code_b"}],
    "payments:detail": [{"code": "code_a"}, {"code": "code_b"}],
    "payments:panel": [{"code": "code_a"}, {"code": "code_b"}],
    "settlement:xlsx": [{"code": "code_a"}, {"code": "code_b"}],
    "settlement:pdf": [{"code": "code_a"}, {"code": "code_b"}],
    "settlement:docx": [{"code": "code_a"}, {"code": "code_b"}],
    "api:incident-detail": [{"pk": "incident_a"}, {"pk": "incident_b"}],
    "api:rectification-detail": [{"pk": "rect_a"}, {"pk": "rect_b"}],
    "api:rectification-mail": [{"pk": "rect_a"}, {"pk": "rect_b"}],
    "api:change-notice-detail": [{"pk": "change_a"}, {"pk": "change_b"}],
    "api:incident-mail-instruction": [{"pk": "incident_a"}, {"pk": "incident_b"}],
    "api:incident-mail-minutes": [{"pk": "incident_a"}, {"pk": "incident_b"}],
    "api:delivery-detail": [{"pk": "delivery_a"}, {"pk": "delivery_b"}],
    "api:delivery-staff-list": [{"pk": "staff_list_a"}, {"pk": "staff_list_b"}],
    "api:praise-application-detail": [{"pk": "praise_app_a"}, {"pk": "praise_app_b"}],
    "api:settlement-detail": [{"pk": "settlement_a"}, {"pk": "settlement_b"}],
    "dashboards:data": [
        {"chart": "=score", "fmt": "=xlsx"},
        {"chart": "=sla", "fmt": "=csv"},
        {"chart": "=score", "fmt": "=xlsx", "?vendor": "vendor_b"},
    ],
    "settlement:create": [{"code": "code_a"}],
    "settlement:submit": [{"code": "code_a"}],
    "settlement:review": [{"code": "code_a"}],
    "settlement:sign": [{"code": "code_a"}],
    "settlement:reopen": [{"code": "code_a"}],
    "tickets:detail": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "tickets:cost": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "tickets:attachment": [{"pk": "ticket_a", "att": "att_a"}, {"pk": "ticket_b", "att": "att_b"}],
    "tickets:signature_image": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "tickets:call": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "tickets:phone_resolve": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "tickets:dispatch": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "tickets:acknowledge": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "tickets:work": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "tickets:form_upload": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "tickets:extension": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "tickets:extension_decide": [
        {"pk": "ticket_a", "ext": "ext_a"},
        {"pk": "ticket_b", "ext": "ext_b"},
    ],
    "tickets:finding_close": [
        {"pk": "ticket_a", "finding": "finding_a"},
        {"pk": "ticket_b", "finding": "finding_b"},
    ],
    "tickets:resolve": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "tickets:sign": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "tickets:sign_link": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "tickets:no_signature": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "tickets:phone_confirm": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "tickets:improper": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "tickets:fault": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "tickets:resend_mail": [
        {"pk": "ticket_a", "outbound": "=1"},
        {"pk": "ticket_b", "outbound": "=1"},
    ],
    "tickets:sign_token": [{"token": "=not-a-valid-token"}],
    "api:ticket-detail": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "api:ticket-acknowledge": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "api:ticket-record-work": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "api:ticket-request-extension": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "api:ticket-resolve": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "attendance:import_detail": [{"pk": "batch_a"}, {"pk": "batch_b"}],
    "attendance:unmatched_map": [{"pk": "review_a"}, {"pk": "review_b"}],
    "attendance:unmatched_dismiss": [{"pk": "review_a"}, {"pk": "review_b"}],
    "attendance:month": [{"pk": "contract_a"}, {"pk": "contract_b"}],
    "attendance:month_xlsx": [{"pk": "contract_a"}, {"pk": "contract_b"}],
    "attendance:day": [
        {"pk": "staff_a", "day": "=2025-03-03"},
        {"pk": "staff_b", "day": "=2025-03-03"},
    ],
    "attendance:punch_confirm": [{"pk": "punch_a"}, {"pk": "punch_b"}],
    "attendance:punch_withdraw": [{"pk": "punch_a"}, {"pk": "punch_b"}],
    "attendance:leave_detail": [{"pk": "leave_a"}, {"pk": "leave_b"}],
    "attendance:leave_decide": [{"pk": "leave_a"}, {"pk": "leave_b"}],
    "attendance:calendar_year": [{"year": "=2027"}],
    "attendance:calendar_day_remove": [{"pk": "calendar_day"}],
    "attendance:unit_head_remove": [{"pk": "unit_head"}],
    "tickets_print:pdf": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
    "tickets_print:docx": [{"pk": "ticket_a"}, {"pk": "ticket_b"}],
}

# (url name, parameter set index, answers in the order of COLUMNS:
#   anon  assessor desk  v.mgr  v.eng  recip  superv sys   sec   audit)
MATRIX: list[tuple[str, int, str]] = [
    # --- platform ---
    ("home:home", 0, "302 200 200 200 200 200 200 200 200 200"),
    ("home:favicon", 0, "200 200 200 200 200 200 200 200 200 200"),
    # the in-app inbox: every role its own (issue 15 §3); marking read is POST-only
    ("home:inbox", 0, "302 200 200 200 200 200 200 200 200 200"),
    ("home:inbox_bell", 0, "302 200 200 200 200 200 200 200 200 200"),
    ("home:inbox_read", 0, "302 405 405 405 405 405 405 405 405 405"),
    ("home:inbox_read_all", 0, "302 405 405 405 405 405 405 405 405 405"),
    # --- accounts (三员: the system admin keeps accounts, the security admin
    #     permissions; everybody their own password and token) ---
    ("accounts:login", 0, "200 200 200 200 200 200 200 200 200 200"),
    ("accounts:logout", 0, "405 405 405 405 405 405 405 405 405 405"),
    # Single sign-on: no such page unless OPSQM_OIDC_CLIENT_ID is set (tests/identity).
    ("accounts:sso_start", 0, "404 404 404 404 404 404 404 404 404 404"),
    ("accounts:sso_callback", 0, "404 404 404 404 404 404 404 404 404 404"),
    ("accounts:password", 0, "302 200 200 200 200 200 200 200 200 200"),
    ("accounts:token", 0, "302 200 200 200 200 200 200 200 200 200"),
    ("accounts:users", 0, "302 403 403 403 403 403 403 200 200 403"),
    ("accounts:user_create", 0, "302 403 403 403 403 403 403 200 403 403"),
    ("accounts:user", 0, "302 403 403 403 403 403 403 200 200 403"),
    ("accounts:user", 1, "302 403 403 403 403 403 403 404 404 403"),
    ("accounts:user_edit", 0, "302 403 403 403 403 403 403 200 403 403"),
    ("accounts:user_deactivate", 0, "302 403 403 403 403 403 403 405 403 403"),
    ("accounts:user_reactivate", 0, "302 403 403 403 403 403 403 405 403 403"),
    ("accounts:user_role", 0, "302 403 403 403 403 403 403 403 200 403"),
    ("accounts:user_unlock", 0, "302 403 403 403 403 403 403 403 405 403"),
    ("accounts:user_password", 0, "302 403 403 403 403 403 403 403 200 403"),
    # 三员 two-person rule (tests/web/test_admin_requests.py): all three see the requests,
    # the system and security administrators decide (POST only).
    ("accounts:requests", 0, "302 403 403 403 403 403 403 200 200 200"),
    ("accounts:request_approve", 0, "302 403 403 403 403 403 403 405 405 403"),
    ("accounts:request_reject", 0, "302 403 403 403 403 403 403 405 405 403"),
    # --- audit: the audit administrator only ---
    ("audit:list", 0, "302 403 403 403 403 403 403 403 403 200"),
    ("audit:detail", 0, "302 403 403 403 403 403 403 403 403 200"),
    ("audit:export_csv", 0, "302 403 403 403 403 403 403 403 403 200"),
    ("audit:export_xlsx", 0, "302 403 403 403 403 403 403 403 403 200"),
    ("audit:verify", 0, "302 403 403 403 403 403 403 403 403 200"),
    # --- API: accounts and audit ---
    ("api:me", 0, "401 200 200 200 200 200 200 200 200 200"),
    ("api:me-password", 0, "401 405 405 405 405 405 405 405 405 405"),
    ("api:me-tokens", 0, "401 200 200 200 200 200 200 200 200 200"),
    # DELETE only (tests/web/test_api_tokens.py: one's own, another's is 404).
    ("api:me-token", 0, "401 405 405 405 405 405 405 405 405 405"),
    ("api:schema", 0, "401 200 200 200 200 200 200 200 200 200"),
    ("api:docs", 0, "401 200 200 200 200 200 200 200 200 200"),
    ("api:redoc", 0, "401 200 200 200 200 200 200 200 200 200"),
    ("api:user-list", 0, "401 403 403 403 403 403 403 200 200 403"),
    ("api:user-detail", 0, "401 403 403 403 403 403 403 200 200 403"),
    ("api:admin-request-list", 0, "401 403 403 403 403 403 403 200 200 403"),
    ("api:admin-request-detail", 0, "401 403 403 403 403 403 403 404 404 403"),
    ("api:admin-request-approve", 0, "401 403 403 403 403 403 403 405 405 403"),
    ("api:admin-request-reject", 0, "401 403 403 403 403 403 403 405 405 403"),
    ("api:user-deactivate", 0, "401 403 403 403 403 403 403 405 403 403"),
    ("api:user-reactivate", 0, "401 403 403 403 403 403 403 405 403 403"),
    ("api:user-role", 0, "401 403 403 403 403 403 403 403 405 403"),
    ("api:user-unlock", 0, "401 403 403 403 403 403 403 403 405 403"),
    ("api:user-password", 0, "401 403 403 403 403 403 403 403 405 403"),
    ("api:audit-list", 0, "401 403 403 403 403 403 403 403 403 200"),
    ("api:audit-detail", 0, "401 403 403 403 403 403 403 403 403 200"),
    ("api:audit-verify", 0, "401 403 403 403 403 403 403 403 403 200"),
    # --- registers (contracts app): bureau roles see all, vendors their own
    #     contracts, recipients their unit's; the assessor keeps them; the three
    #     administrators see no business data ---
    ("contracts:list", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("contracts:export", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("contracts:detail", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("contracts:detail", 1, "302 200 200 404 404 404 200 403 403 403"),
    ("contracts:agreement", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("contracts:agreement", 1, "302 200 403 403 403 403 403 403 403 403"),
    ("contracts:agreement_file", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("contracts:agreement_file", 1, "302 200 200 404 404 404 200 403 403 403"),
    ("contracts:create", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("contracts:edit", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("contracts:vendors", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("contracts:vendor_create", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("contracts:vendor_edit", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("contracts:units", 0, "302 200 200 403 403 403 200 403 403 403"),
    ("contracts:unit_create", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("contracts:unit_edit", 0, "302 200 403 403 403 403 403 403 403 403"),
    # --- vendor staff ---
    ("staff:list", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("staff:export", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("staff:detail", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("staff:detail", 1, "302 200 200 404 404 404 200 403 403 403"),
    ("staff:file", 0, "302 200 403 200 200 403 403 403 403 403"),
    ("staff:file", 1, "302 200 403 404 404 403 403 403 403 403"),
    ("staff:create", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("staff:create", 1, "302 200 403 403 403 403 403 403 403 403"),
    ("staff:edit", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("staff:verify", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("staff:replacements", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("staff:replacement_create", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("staff:replacement_create", 1, "302 200 403 403 403 403 403 403 403 403"),
    # --- assessment ledger: bureau roles and the vendor manager ---
    ("ledger:index", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("ledger:detail", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("ledger:detail", 1, "302 200 200 404 403 403 200 403 403 403"),
    ("ledger:json", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("ledger:json", 1, "302 200 200 404 403 403 200 403 403 403"),
    # --- API: registers (read: as the pages; write: the assessor) ---
    ("api:api-root", 0, "401 200 200 200 200 200 200 200 200 200"),
    ("api:contract-list", 0, "401 200 200 200 200 200 200 403 403 403"),
    ("api:contract-detail", 0, "401 200 200 200 200 200 200 403 403 403"),
    ("api:contract-detail", 1, "401 200 200 404 404 404 200 403 403 403"),
    ("api:vendor-list", 0, "401 200 200 200 200 200 200 403 403 403"),
    ("api:vendor-detail", 0, "401 200 200 200 200 200 200 403 403 403"),
    ("api:vendor-detail", 1, "401 200 200 404 404 404 200 403 403 403"),
    ("api:unit-list", 0, "401 200 200 200 200 200 200 403 403 403"),
    ("api:unit-detail", 0, "401 200 200 200 200 200 200 403 403 403"),
    ("api:unit-detail", 1, "401 200 200 404 404 404 200 403 403 403"),
    ("api:staff-list", 0, "401 200 200 200 200 200 200 403 403 403"),
    ("api:staff-detail", 0, "401 200 200 200 200 200 200 403 403 403"),
    ("api:staff-detail", 1, "401 200 200 404 404 404 200 403 403 403"),
    # 合同 七: read like the contract; POST (the assessor) records one.
    ("api:contract-agreements", 0, "401 200 200 200 200 200 200 403 403 403"),
    ("api:contract-agreements", 1, "401 200 200 404 404 404 200 403 403 403"),
    # POST only, the assessor (as the staff member's page).
    ("api:staff-pledge", 0, "401 405 403 403 403 403 403 403 403 403"),
    ("api:staff-pledge", 1, "401 405 403 403 403 403 403 403 403 403"),
    ("api:replacement-list", 0, "401 200 200 200 200 200 200 403 403 403"),
    ("api:replacement-detail", 0, "401 200 200 200 200 200 200 403 403 403"),
    ("api:replacement-detail", 1, "401 200 200 404 404 404 200 403 403 403"),
    # --- background jobs: a job's progress is its creator's (here the assessor's) ---
    ("jobs:progress", 0, "404 200 404 404 404 404 404 404 404 404"),
    # --- issue 6: incidents, evaluations, praise, rectification, deliveries (the
    #     bureau reads, vendors their own and their side of 第十四条 / 六(一)2,
    #     recipients rate their unit's vendors), settlement and dashboards (as the
    #     ledger; the supervisor reviews) ---
    # 第二十一条: change notices (the assessor and the desk write; readers in scope),
    # incident instructions (assessor, desk) and the minutes (assessor, POST only).
    ("incidents:changes", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:change_create", 0, "302 200 200 403 403 403 403 403 403 403"),
    ("incidents:change", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:change", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("incidents:instruction", 0, "302 200 200 403 403 403 403 403 403 403"),
    ("incidents:instruction", 1, "302 200 200 403 403 403 403 403 403 403"),
    ("incidents:minutes", 0, "302 405 403 403 403 403 403 403 403 403"),
    ("incidents:minutes", 1, "302 405 403 403 403 403 403 403 403 403"),
    ("api:change-notice-list", 0, "401 200 200 200 200 403 200 403 403 403"),
    ("api:change-notice-detail", 0, "401 200 200 200 200 403 200 403 403 403"),
    ("api:change-notice-detail", 1, "401 200 200 404 404 403 200 403 403 403"),
    ("api:incident-mail-instruction", 0, "401 405 405 403 403 403 403 403 403 403"),
    ("api:incident-mail-instruction", 1, "401 405 405 403 403 403 403 403 403 403"),
    ("api:incident-mail-minutes", 0, "401 405 405 403 403 403 403 403 403 403"),
    ("api:incident-mail-minutes", 1, "401 405 405 403 403 403 403 403 403 403"),
    ("incidents:campaign", 0, "302 200 200 403 403 403 200 403 403 403"),
    ("incidents:campaign_close", 0, "302 405 403 403 403 403 403 403 403 403"),
    ("incidents:campaigns", 0, "302 200 200 403 403 403 200 403 403 403"),
    ("incidents:create", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:create", 1, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:deliveries", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:delivery_create", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:delivery_create", 1, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:delivery_edit", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:delivery_edit", 1, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:delivery_file", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:delivery_file", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("incidents:rectification_mail", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:rectification_mail", 1, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:staff_list", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:staff_list", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("incidents:staff_list_file", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:staff_list_file", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("incidents:detail", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:detail", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("incidents:edit", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:edit", 1, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:evidence_add", 0, "302 200 403 200 200 403 403 403 403 403"),
    ("incidents:evidence_add", 1, "302 200 403 404 404 403 403 403 403 403"),
    ("incidents:evidence_file", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:evidence_file", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("incidents:list", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:praise", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("incidents:praise_apply", 0, "302 403 403 200 200 200 403 403 403 403"),
    ("incidents:praise_apply", 1, "302 403 403 404 404 404 403 403 403 403"),
    ("incidents:praise_decide", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:praise_decide", 1, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:praise_file", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:praise_file", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("incidents:rate", 0, "302 403 403 403 403 200 403 403 403 403"),
    ("incidents:rectification", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:rectification", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("incidents:rectification_create", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:rectification_create", 1, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:rectification_file", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:rectification_file", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("incidents:rectification_respond", 0, "302 200 403 200 200 403 403 403 403 403"),
    ("incidents:rectification_respond", 1, "302 200 403 404 404 403 403 403 403 403"),
    ("incidents:rectification_verify", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:rectification_verify", 1, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:rectifications", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:report", 0, "302 200 403 200 200 403 403 403 403 403"),
    ("incidents:report", 1, "302 200 403 404 404 403 403 403 403 403"),
    ("incidents:report_file", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:report_file", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("incidents:step", 0, "302 200 403 200 200 403 403 403 403 403"),
    ("incidents:step", 1, "302 200 403 404 404 403 403 403 403 403"),
    ("incidents:step", 2, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:step_file", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:step_file", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("settlement:create", 0, "302 405 403 403 403 403 403 403 403 403"),
    ("settlement:detail", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("settlement:detail", 1, "302 200 200 404 403 403 200 403 403 403"),
    ("settlement:index", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("payments:detail", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("payments:detail", 1, "302 200 200 404 403 403 200 403 403 403"),
    ("payments:panel", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("payments:panel", 1, "302 200 200 404 403 403 200 403 403 403"),
    ("settlement:reopen", 0, "302 405 403 403 403 403 403 403 403 403"),
    ("settlement:review", 0, "302 403 403 403 403 403 405 403 403 403"),
    ("settlement:sign", 0, "302 405 403 403 403 403 403 403 403 403"),
    ("settlement:submit", 0, "302 405 403 403 403 403 403 403 403 403"),
    ("settlement:xlsx", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("settlement:xlsx", 1, "302 200 200 404 403 403 200 403 403 403"),
    ("settlement:pdf", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("settlement:pdf", 1, "302 200 200 404 403 403 200 403 403 403"),
    ("settlement:docx", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("settlement:docx", 1, "302 200 200 404 403 403 200 403 403 403"),
    ("dashboards:data", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("dashboards:data", 1, "302 200 200 200 403 403 200 403 403 403"),
    ("dashboards:data", 2, "302 200 200 404 403 403 200 403 403 403"),
    ("dashboards:index", 0, "302 200 200 200 403 403 200 403 403 403"),
    # --- API of issue 6 (read; as the pages) ---
    ("api:delivery-detail", 0, "401 200 200 200 200 403 200 403 403 403"),
    ("api:delivery-detail", 1, "401 200 200 404 404 403 200 403 403 403"),
    ("api:delivery-staff-list", 0, "401 200 200 200 200 403 200 403 403 403"),
    ("api:delivery-staff-list", 1, "401 200 200 404 404 403 200 403 403 403"),
    ("api:delivery-list", 0, "401 200 200 200 200 403 200 403 403 403"),
    ("api:incident-detail", 0, "401 200 200 200 200 403 200 403 403 403"),
    ("api:incident-detail", 1, "401 200 200 404 404 403 200 403 403 403"),
    ("api:incident-list", 0, "401 200 200 200 200 403 200 403 403 403"),
    ("api:praise-application-detail", 0, "401 200 200 200 200 403 200 403 403 403"),
    ("api:praise-application-detail", 1, "401 200 200 404 404 403 200 403 403 403"),
    ("api:praise-application-list", 0, "401 200 200 200 200 403 200 403 403 403"),
    ("api:rectification-detail", 0, "401 200 200 200 200 403 200 403 403 403"),
    ("api:rectification-detail", 1, "401 200 200 404 404 403 200 403 403 403"),
    ("api:rectification-mail", 0, "401 405 403 403 403 403 403 403 403 403"),
    ("api:rectification-mail", 1, "401 405 403 403 403 403 403 403 403 403"),
    ("api:rectification-list", 0, "401 200 200 200 200 403 200 403 403 403"),
    ("api:settlement-detail", 0, "401 200 200 200 403 403 200 403 403 403"),
    ("api:settlement-detail", 1, "401 200 200 404 403 403 200 403 403 403"),
    ("api:settlement-list", 0, "401 200 200 200 403 403 200 403 403 403"),
    # --- the printed ticket form: as the ticket's page (recipients: their unit's) ---
    ("tickets_print:pdf", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("tickets_print:pdf", 1, "302 200 200 404 404 404 200 403 403 403"),
    ("tickets_print:docx", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("tickets_print:docx", 1, "302 200 200 404 404 404 200 403 403 403"),
    ("tickets_print:verify", 0, "302 200 200 200 200 200 200 403 403 403"),
    # --- work orders (opsqm.facts.tickets): the desk creates, dispatches and closes; the
    #     vendor of the ticket works it; the recipient of its unit signs, rates and
    #     agrees to extensions; assessor and supervisor read; admins 403; out of
    #     scope 404; POST-only actions 405 on GET for the roles that may POST them.
    #     The one-time signing link needs no login (an invalid token is 404). ---
    ("tickets:acknowledge", 0, "302 403 403 405 405 403 403 403 403 403"),
    ("tickets:acknowledge", 1, "302 403 403 404 404 403 403 403 403 403"),
    ("tickets:at_risk", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("tickets:attachment", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("tickets:attachment", 1, "302 200 200 404 404 404 200 403 403 403"),
    ("tickets:board", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("tickets:call", 0, "302 403 405 403 403 403 403 403 403 403"),
    ("tickets:call", 1, "302 403 405 403 403 403 403 403 403 403"),
    ("tickets:cost", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("tickets:cost", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("tickets:detail", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("tickets:detail", 1, "302 200 200 404 404 404 200 403 403 403"),
    ("tickets:dispatch", 0, "302 403 405 403 403 403 403 403 403 403"),
    ("tickets:dispatch", 1, "302 403 405 403 403 403 403 403 403 403"),
    ("tickets:extension", 0, "302 403 403 405 405 403 403 403 403 403"),
    ("tickets:extension", 1, "302 403 403 404 404 403 403 403 403 403"),
    ("tickets:extension_decide", 0, "302 403 403 403 403 405 403 403 403 403"),
    ("tickets:extension_decide", 1, "302 403 403 403 403 404 403 403 403 403"),
    ("tickets:finding_close", 0, "302 403 403 405 405 403 403 403 403 403"),
    ("tickets:finding_close", 1, "302 403 403 404 404 403 403 403 403 403"),
    ("tickets:form_upload", 0, "302 403 403 405 405 403 403 403 403 403"),
    ("tickets:form_upload", 1, "302 403 403 404 404 403 403 403 403 403"),
    ("tickets:improper", 0, "302 403 405 403 403 403 403 403 403 403"),
    ("tickets:improper", 1, "302 403 405 403 403 403 403 403 403 403"),
    ("tickets:fault", 0, "302 405 403 403 403 403 403 403 403 403"),
    ("tickets:fault", 1, "302 405 403 403 403 403 403 403 403 403"),
    ("tickets:resend_mail", 0, "302 403 405 403 403 403 403 403 403 403"),
    ("tickets:resend_mail", 1, "302 403 405 403 403 403 403 403 403 403"),
    ("tickets:mine", 0, "302 403 403 200 200 403 403 403 403 403"),
    ("tickets:new", 0, "302 403 200 403 403 403 403 403 403 403"),
    ("tickets:no_signature", 0, "302 403 403 405 405 403 403 403 403 403"),
    ("tickets:no_signature", 1, "302 403 403 404 404 403 403 403 403 403"),
    ("tickets:phone_confirm", 0, "302 403 405 403 403 403 403 403 403 403"),
    ("tickets:phone_confirm", 1, "302 403 405 403 403 403 403 403 403 403"),
    ("tickets:phone_resolve", 0, "302 403 405 403 403 403 403 403 403 403"),
    ("tickets:phone_resolve", 1, "302 403 405 403 403 403 403 403 403 403"),
    ("tickets:refused_mail", 0, "302 403 200 403 403 403 403 403 403 403"),
    ("tickets:resolve", 0, "302 403 403 405 405 403 403 403 403 403"),
    ("tickets:resolve", 1, "302 403 403 404 404 403 403 403 403 403"),
    ("tickets:security_new", 0, "302 403 200 403 403 403 403 403 403 403"),
    ("tickets:sign", 0, "302 403 403 403 403 200 403 403 403 403"),
    ("tickets:sign", 1, "302 403 403 403 403 404 403 403 403 403"),
    ("tickets:sign_link", 0, "302 403 405 403 403 403 403 403 403 403"),
    ("tickets:sign_link", 1, "302 403 405 403 403 403 403 403 403 403"),
    ("tickets:sign_token", 0, "404 404 404 404 404 404 404 404 404 404"),
    ("tickets:signature_image", 0, "302 404 404 404 404 404 404 403 403 403"),
    ("tickets:signature_image", 1, "302 404 404 404 404 404 404 403 403 403"),
    ("tickets:unit", 0, "302 403 403 403 403 200 403 403 403 403"),
    ("tickets:work", 0, "302 403 403 405 405 403 403 403 403 403"),
    ("tickets:work", 1, "302 403 403 404 404 403 403 403 403 403"),
    # API: list/retrieve in scope; the vendor's actions are POST-only.
    ("api:ticket-acknowledge", 0, "401 403 403 405 405 403 403 403 403 403"),
    ("api:ticket-acknowledge", 1, "401 403 403 405 405 403 403 403 403 403"),
    ("api:ticket-detail", 0, "401 200 200 200 200 200 200 403 403 403"),
    ("api:ticket-detail", 1, "401 200 200 404 404 404 200 403 403 403"),
    ("api:ticket-list", 0, "401 200 200 200 200 200 200 403 403 403"),
    ("api:ticket-record-work", 0, "401 403 403 405 405 403 403 403 403 403"),
    ("api:ticket-record-work", 1, "401 403 403 405 405 403 403 403 403 403"),
    ("api:ticket-request-extension", 0, "401 403 403 405 405 403 403 403 403 403"),
    ("api:ticket-request-extension", 1, "401 403 403 405 405 403 403 403 403 403"),
    ("api:ticket-resolve", 0, "401 403 403 405 405 403 403 403 403 403"),
    ("api:ticket-resolve", 1, "401 403 403 405 405 403 403 403 403 403"),
    # --- attendance (issue 5): business roles read, scoped (recipients their unit's
    #     contracts); imports: the assessor, the desk and vendor managers (own);
    #     leave: vendor roles ask, the unit's head decides; calendar: bureau roles
    #     read, the assessor keeps it; demands: bureau demands, all read ---
    ("attendance:index", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("attendance:imports", 0, "302 200 200 200 403 403 403 403 403 403"),
    ("attendance:import_detail", 0, "302 200 200 200 403 403 403 403 403 403"),
    ("attendance:import_detail", 1, "302 200 200 404 403 403 403 403 403 403"),
    ("attendance:unmatched_map", 0, "302 405 405 405 403 403 403 403 403 403"),
    ("attendance:unmatched_map", 1, "302 405 405 404 403 403 403 403 403 403"),
    ("attendance:unmatched_dismiss", 0, "302 405 405 405 403 403 403 403 403 403"),
    ("attendance:unmatched_dismiss", 1, "302 405 405 404 403 403 403 403 403 403"),
    ("attendance:month", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("attendance:month", 1, "302 200 200 404 404 404 200 403 403 403"),
    ("attendance:month_xlsx", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("attendance:month_xlsx", 1, "302 200 200 404 404 404 200 403 403 403"),
    ("attendance:day", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("attendance:day", 1, "302 200 200 404 404 404 200 403 403 403"),
    # makeup punches: the assessor, or the head of a unit the contract serves (POST only)
    ("attendance:punch_confirm", 0, "302 405 403 403 403 405 403 403 403 403"),
    ("attendance:punch_confirm", 1, "302 405 403 404 404 404 403 403 403 403"),
    ("attendance:punch_withdraw", 0, "302 405 403 403 403 405 403 403 403 403"),
    ("attendance:punch_withdraw", 1, "302 405 403 404 404 404 403 403 403 403"),
    ("attendance:leaves", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("attendance:leave_create", 0, "302 403 403 200 200 403 403 403 403 403"),
    ("attendance:leave_detail", 0, "302 200 200 200 404 200 200 403 403 403"),
    ("attendance:leave_detail", 1, "302 200 200 404 404 404 200 403 403 403"),
    ("attendance:leave_decide", 0, "302 403 403 403 403 405 403 403 403 403"),
    ("attendance:leave_decide", 1, "302 403 403 403 403 404 403 403 403 403"),
    ("attendance:calendar", 0, "302 200 200 403 403 403 200 403 403 403"),
    ("attendance:calendar_year", 0, "302 200 200 403 403 403 200 403 403 403"),
    ("attendance:calendar_day_remove", 0, "302 405 403 403 403 403 403 403 403 403"),
    ("attendance:unit_heads", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("attendance:unit_head_remove", 0, "302 405 403 403 403 403 403 403 403 403"),
    ("attendance:demands", 0, "302 200 200 200 200 200 200 403 403 403"),
    ("api:attendance-punches", 0, "401 405 405 405 403 403 403 403 403 403"),
    # --- issue 7: acceptance (register, reviews, workflow, packages: the bureau and the
    #     vendor manager read, the vendor manager uploads and applies (own contracts),
    #     the supervisor reviews, the assessor keeps the checklist and accepts;
    #     inspections: vendor roles record, bureau roles read; the desk opens a work
    #     order from a finding) and reports (as the acceptance page) ---
    ("acceptance:accept", 0, "302 405 403 403 403 403 403 403 403 403"),
    ("acceptance:accept", 1, "302 405 403 403 403 403 403 403 403 403"),
    ("acceptance:apply", 0, "302 403 403 405 403 403 403 403 403 403"),
    ("acceptance:apply", 1, "302 403 403 404 403 403 403 403 403 403"),
    ("acceptance:checklist", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("acceptance:checklist", 1, "302 200 403 403 403 403 403 403 403 403"),
    ("acceptance:deliverable", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("acceptance:deliverable", 1, "302 200 200 404 403 403 200 403 403 403"),
    ("acceptance:detail", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("acceptance:detail", 1, "302 200 200 404 403 403 200 403 403 403"),
    ("acceptance:index", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("acceptance:inspection", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("acceptance:inspection", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("acceptance:inspection_complete", 0, "302 403 403 405 405 403 403 403 403 403"),
    ("acceptance:inspection_complete", 1, "302 403 403 404 404 403 403 403 403 403"),
    ("acceptance:inspection_pdf", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("acceptance:inspection_pdf", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("acceptance:inspections", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("acceptance:inspections", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("acceptance:package", 0, "302 405 403 405 403 403 405 403 403 403"),
    ("acceptance:package", 1, "302 405 403 404 403 403 405 403 403 403"),
    ("acceptance:package_file", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("acceptance:package_file", 1, "302 200 200 404 403 403 200 403 403 403"),
    ("acceptance:result_photo", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("acceptance:result_photo", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("acceptance:result_ticket", 0, "302 403 405 403 403 403 403 403 403 403"),
    ("acceptance:result_ticket", 1, "302 403 405 403 403 403 403 403 403 403"),
    ("acceptance:review", 0, "302 403 403 403 403 403 405 403 403 403"),
    ("acceptance:review", 1, "302 403 403 403 403 403 405 403 403 403"),
    ("acceptance:review_document", 0, "302 403 403 403 403 403 405 403 403 403"),
    ("acceptance:review_document", 1, "302 403 403 403 403 403 405 403 403 403"),
    ("acceptance:settings", 0, "302 405 403 403 403 403 403 403 403 403"),
    ("acceptance:settings", 1, "302 405 403 403 403 403 403 403 403 403"),
    ("acceptance:submit", 0, "302 403 403 405 403 403 403 403 403 403"),
    ("acceptance:submit", 1, "302 403 403 404 403 403 403 403 403 403"),
    ("acceptance:upload", 0, "302 403 403 405 403 403 403 403 403 403"),
    ("acceptance:upload", 1, "302 403 403 404 403 403 403 403 403 403"),
    ("acceptance:version_file", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("acceptance:version_file", 1, "302 200 200 404 403 403 200 403 403 403"),
    ("reports:download", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("reports:download", 1, "302 200 200 404 403 403 200 403 403 403"),
    ("reports:index", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("reports:index", 1, "302 200 200 404 403 403 200 403 403 403"),
    ("reports:register", 0, "302 403 403 405 403 403 403 403 403 403"),
    # scheduled reports (issue 15 §3): the assessor's; starting a run is POST-only
    ("reports:schedules", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("reports:schedule_create", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("reports:schedule", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("reports:schedule", 1, "302 404 403 403 403 403 403 403 403 403"),
    ("reports:schedule_edit", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("reports:schedule_send_now", 0, "302 405 403 403 403 403 403 403 403 403"),
    ("reports:run_retry", 0, "302 405 403 403 403 403 403 403 403 403"),
    ("api:report-schedule-list", 0, "401 200 403 403 403 403 403 403 403 403"),
    ("api:report-schedule-detail", 0, "401 200 403 403 403 403 403 403 403 403"),
    ("api:report-schedule-detail", 1, "401 404 403 403 403 403 403 403 403 403"),
    ("api:report-schedule-send-now", 0, "401 405 403 403 403 403 403 403 403 403"),
    ("reports:register", 1, "302 403 403 404 403 403 403 403 403 403"),
    # --- issue 16: liability (第十二条), force majeure (合同 十一), agreed delays (十.1):
    #     the incident readers see them; the assessor records; the vendor manager
    #     records a force-majeure notice and its explanation (own contracts) ---
    ("incidents:liability", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:liability", 1, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:liability_withdraw", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:liability_withdraw", 1, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:liability_file", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:liability_file", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("incidents:force_majeure_list", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:force_majeure", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:force_majeure", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("incidents:force_majeure_create", 0, "302 200 403 200 403 403 403 403 403 403"),
    ("incidents:force_majeure_create", 1, "302 200 403 404 403 403 403 403 403 403"),
    ("incidents:force_majeure_file", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:force_majeure_file", 1, "302 200 200 404 404 403 200 403 403 403"),
    # the decision an `excused` reference names: a redirect to its page
    ("incidents:force_majeure_ref", 0, "302 302 302 302 302 403 302 403 403 403"),
    ("incidents:force_majeure_ref", 1, "302 302 302 404 404 403 302 403 403 403"),
    ("incidents:delay_agreement", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:delay_agreement", 1, "302 200 403 403 403 403 403 403 403 403"),
    ("incidents:delay_agreement_file", 0, "302 200 200 200 200 403 200 403 403 403"),
    ("incidents:delay_agreement_file", 1, "302 200 200 404 404 403 200 403 403 403"),
    ("api:liability-list", 0, "401 200 200 200 200 403 200 403 403 403"),
    ("api:liability-detail", 0, "401 200 200 200 200 403 200 403 403 403"),
    ("api:liability-detail", 1, "401 200 200 404 404 403 200 403 403 403"),
    ("api:force-majeure-list", 0, "401 200 200 200 200 403 200 403 403 403"),
    ("api:force-majeure-detail", 0, "401 200 200 200 200 403 200 403 403 403"),
    ("api:force-majeure-detail", 1, "401 200 200 404 404 403 200 403 403 403"),
    ("api:force-majeure-explanation", 0, "401 405 403 405 403 403 403 403 403 403"),
    ("api:force-majeure-explanation", 1, "401 405 403 405 403 403 403 403 403 403"),
    ("api:force-majeure-decision", 0, "401 405 403 403 403 403 403 403 403 403"),
    ("api:force-majeure-decision", 1, "401 405 403 403 403 403 403 403 403 403"),
    ("api:delay-agreement-list", 0, "401 200 200 200 200 403 200 403 403 403"),
    ("api:delay-agreement-detail", 0, "401 200 200 200 200 403 200 403 403 403"),
    ("api:delay-agreement-detail", 1, "401 200 200 404 404 403 200 403 403 403"),
    # --- payments API and termination (合同 五, 十.2, 十.3): the payment pages' readers;
    #     the assessor records ---
    ("payments:terminate", 0, "302 200 403 403 403 403 403 403 403 403"),
    ("payments:terminate", 1, "302 200 403 403 403 403 403 403 403 403"),
    ("payments:termination_file", 0, "302 200 200 200 403 403 200 403 403 403"),
    ("payments:termination_file", 1, "302 200 200 404 403 403 200 403 403 403"),
    ("api:payment-schedule-list", 0, "401 200 200 200 403 403 200 403 403 403"),
    ("api:payment-schedule-detail", 0, "401 200 200 200 403 403 200 403 403 403"),
    ("api:payment-schedule-detail", 1, "401 200 200 404 403 403 200 403 403 403"),
    ("api:invoice-list", 0, "401 200 200 200 403 403 200 403 403 403"),
    ("api:invoice-detail", 0, "401 200 200 200 403 403 200 403 403 403"),
    ("api:invoice-detail", 1, "401 200 200 404 403 403 200 403 403 403"),
    ("api:payment-list", 0, "401 200 200 200 403 403 200 403 403 403"),
    ("api:payment-detail", 0, "401 200 200 200 403 403 200 403 403 403"),
    ("api:payment-detail", 1, "401 200 200 404 403 403 200 403 403 403"),
    ("api:termination-list", 0, "401 200 200 200 403 403 200 403 403 403"),
    ("api:termination-detail", 0, "401 200 200 200 403 403 200 403 403 403"),
    ("api:termination-detail", 1, "401 200 200 404 403 403 200 403 403 403"),
    # --- issue 13: no login; /healthz fails here (no worker has beaten), /metrics
    # answers the test client's loopback address (OPSQM_METRICS_ALLOWED) ---
    ("ops:healthz", 0, "503 503 503 503 503 503 503 503 503 503"),
    ("ops:metrics", 0, "200 200 200 200 200 200 200 200 200 200"),
]


def _walk(
    patterns: list[Any], namespace: str = "", params: frozenset[str] = frozenset()
) -> Iterator[tuple[str, frozenset[str]]]:
    for p in patterns:
        pat = p.pattern
        names = frozenset(getattr(pat, "converters", {}) or {}) | frozenset(pat.regex.groupindex)
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(p.url_patterns, full, params | names)
        elif isinstance(p, URLPattern):
            if not p.name:
                raise AssertionError(f"unnamed url pattern {pat}: name it")
            yield (f"{namespace}:{p.name}" if namespace else p.name), params | names


def project_urls() -> dict[str, frozenset[str]]:
    """Every named url of the project and its path parameters.  The `format`
    suffix variants of DRF routers (`…\\.json`) answer like their base url."""
    out: dict[str, frozenset[str]] = {}
    for name, params in _walk(get_resolver().url_patterns):
        if "format" in params:
            continue
        out.setdefault(name, params)
    return out


@pytest.fixture(scope="module")
def matrix_data(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, Any], dict[str, Any], Path]]:
    """(users, objects, upload directory), built once for the module (they take a
    third of a second, and the table has some 300 rows) inside a transaction rolled
    back at the module's end.  Each test runs in a savepoint of it (pytest-django's
    `db`), so whatever a request writes is undone before the next row."""
    from django.db import transaction
    from django.test.utils import override_settings

    media = tmp_path_factory.mktemp("matrix-uploads")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        vendor_a, vendor_b = make_vendor("a"), make_vendor("b")
        unit_a, unit_b = make_unit("a"), make_unit("b")
        contract_a = make_contract("a", vendor_a, unit_a)
        contract_b = make_contract("b", vendor_b, unit_b)
        users = make_users(vendor_a, unit_a)
        objs = _objects(users, contract_a, contract_b, vendor_a, vendor_b, unit_a, unit_b)
        yield users, objs, media
        transaction.set_rollback(True)


@pytest.fixture
def users(matrix_data: Any, db: Any) -> dict[str, Any]:
    return dict(matrix_data[0])


@pytest.fixture
def objects(matrix_data: Any, db: Any, settings: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = matrix_data[2]  # where the objects' files are
    return dict(matrix_data[1])


def _objects(
    users: dict[str, Any],
    contract_a: Any,
    contract_b: Any,
    vendor_a: Any,
    vendor_b: Any,
    unit_a: Any,
    unit_b: Any,
) -> dict[str, Any]:
    from opsqm.infra.audit.services import log_action
    from opsqm.infra.jobs.models import Job

    rec = log_action("test.matrix", summary="a record to look at")
    # A job row as the assessor's long work would leave it (no handler needs to run).
    job = Job.objects.create(kind="test.matrix", created_by=users[Role.ASSESSOR])
    objs: dict[str, Any] = {
        "user": users[Role.ASSESSOR].pk,
        "missing": 987654,
        "audit": rec.seq,
        "job": job.pk,
        "contract_a": contract_a.pk,
        "contract_b": contract_b.pk,
        "code_a": contract_a.code,
        "code_b": contract_b.code,
        "vendor_a": vendor_a.pk,
        "vendor_b": vendor_b.pk,
        "unit_a": unit_a.pk,
        "unit_b": unit_b.pk,
    }
    from opsqm.facts.tickets.models import Ticket

    for tag, contract, unit in (("a", contract_a, unit_a), ("b", contract_b, unit_b)):
        ticket = Ticket.objects.create(
            contract=contract,
            number=f"GD-2025-9{tag}",
            problem=f"GD-2025-9{tag}",
            unit=unit,
            dispatched_at=datetime.datetime(2025, 3, 1, 9, tzinfo=datetime.UTC),
        )
        objs[f"ticket_{tag}"] = ticket.pk
    _ticket_flow_objects(objs)
    from tests.incidents.matrix_objects import add_objects

    add_objects(objs, users, contract_a, contract_b)
    from tests.acceptance.matrix_objects import add_objects as add_acceptance_objects

    add_acceptance_objects(objs, users, contract_a, contract_b)
    from opsqm.derived.reports.models import ReportRun, ReportSchedule

    schedule = ReportSchedule.objects.create(
        contract=contract_a, report="ledger", frequency="monthly", day=5,
        starts_on=contract_a.start, active=False,
    )  # fmt: skip
    objs["schedule_a"] = schedule.pk
    objs["run_a"] = ReportRun.objects.create(
        schedule=schedule, due_at=datetime.datetime(2025, 3, 5, tzinfo=datetime.UTC)
    ).pk
    try:
        from opsqm.facts.staff.models import Replacement, StaffMember
    except ImportError:  # pragma: no cover - the staff app not there yet
        return objs
    for tag, contract in (("a", contract_a), ("b", contract_b)):
        out = StaffMember.objects.create(
            contract=contract,
            person=f"P-{tag}-1",
            name=f"工程师{tag}1",
            entered_on=datetime.date(2025, 1, 1),
        )
        new = StaffMember.objects.create(
            contract=contract,
            person=f"P-{tag}-2",
            name=f"工程师{tag}2",
            entered_on=datetime.date(2025, 3, 1),
        )
        rep = Replacement.objects.create(
            contract=contract,
            person_out=out,
            person_in=new,
            replaced_at=datetime.datetime(2025, 3, 1, 9, tzinfo=datetime.UTC),
        )
        out.resume.save("cv.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
        objs[f"staff_{tag}"] = out.pk
        objs[f"replacement_{tag}"] = rep.pk
    from tests.attendance.matrix_objects import add_objects as add_attendance_objects

    add_attendance_objects(objs, users, contract_a, contract_b)
    return objs


def _ticket_flow_objects(objs: dict[str, Any]) -> None:
    """An attachment, an extension request and a finding on tickets A and B."""
    from opsqm.facts.tickets.models import Attachment, Extension, Finding, Ticket

    for tag in ("a", "b"):
        ticket = Ticket.objects.get(pk=objs[f"ticket_{tag}"])
        att = Attachment(ticket=ticket, kind="log", name="a.log", size=3, sha256="0" * 64)
        att.file.save("a.log", ContentFile(b"ok\n"), save=True)
        ext = Extension.objects.create(
            ticket=ticket,
            requested_to=datetime.datetime(2025, 3, 3, 9, tzinfo=datetime.UTC),
            reason="备件",
        )
        finding = Finding.objects.create(ticket=ticket, description="弱口令")
        objs[f"att_{tag}"], objs[f"ext_{tag}"], objs[f"finding_{tag}"] = att.pk, ext.pk, finding.pk


class DocumentBuilt(Exception):
    """The view started to build a PDF or DOCX: it has granted access."""


def _building(*args: Any, **kwargs: Any) -> None:
    raise DocumentBuilt


@contextlib.contextmanager
def documents_not_built() -> Iterator[None]:
    """Stop any view where it starts to lay out a PDF (WeasyPrint) or a DOCX
    (opsqm.infra.documents.docx): seconds per document, and nothing the table checks."""
    with (
        mock.patch("weasyprint.HTML", _building),
        mock.patch("opsqm.infra.documents.docx.DocxDocument.__init__", _building),
    ):
        yield


def _answer(response: Any) -> int:
    """The status code, or 200 where the view went as far as building a document."""
    if response.exc_info and isinstance(response.exc_info[1], DocumentBuilt):
        return 200
    return int(response.status_code)


def _get(client: Client, url: str) -> int:
    with documents_not_built():
        return _answer(client.get(url))


@pytest.mark.django_db
def test_every_url_is_in_the_matrix(objects: dict[str, Any]) -> None:
    urls = project_urls()
    in_table = {name for name, _, _ in MATRIX}
    missing = sorted(set(urls) - in_table)
    stale = sorted(in_table - set(urls))
    discover = bool(os.environ.get("OPSQM_MATRIX_DISCOVER"))
    if discover and missing:
        _print_discovered(missing, objects)
    assert not missing, (
        "These urls are not in tests/web/test_permission_matrix.py MATRIX; add the "
        f"designed answer of every role (OPSQM_MATRIX_DISCOVER=1 helps): {missing}"
    )
    assert not stale, f"MATRIX names urls that no longer exist: {stale}"
    twice = sorted(row for row, count in Counter((n, i) for n, i, _ in MATRIX).items() if count > 1)
    assert not twice, f"MATRIX lists these rows more than once: {twice}"
    for name, params in urls.items():
        if params:
            assert name in PARAMS, f"{name} has path parameters {sorted(params)}: add to PARAMS"
            for variant in PARAMS[name]:
                path_keys = {k for k in variant if not k.startswith("?")}
                assert path_keys == set(params), f"{name}: PARAMS must fill {sorted(params)}"


def _url(name: str, index: int, objects: dict[str, Any]) -> str:
    variants = PARAMS.get(name, [{}])
    # A value "=text" is the literal text; any other names a fixture object.
    # A key "?name" is a query-string parameter.
    values = {k: v[1:] if v.startswith("=") else objects[v] for k, v in variants[index].items()}
    kwargs = {k: v for k, v in values.items() if not k.startswith("?")}
    query = urlencode({k[1:]: v for k, v in values.items() if k.startswith("?")})
    return reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")


def _clients(users: dict[str, Any]) -> dict[str, Client]:
    # A crash shows as 500 in the table instead of stopping the test.
    clients = {"anonymous": Client(raise_request_exception=False)}
    for role in COLUMNS[1:]:
        c = Client(raise_request_exception=False)
        c.force_login(users[role])
        clients[str(role)] = c
    return clients


def _print_discovered(names: list[str], objects: dict[str, Any]) -> None:
    from opsqm.infra.accounts.models import User

    users = {u.username: u for u in User.objects.all()}
    clients = _clients(users)
    for name in names:
        for i in range(len(PARAMS.get(name, [{}]))):
            try:
                url = _url(name, i, objects)
            except Exception as exc:
                print(f"# {name}: cannot build: {exc}")
                continue
            row = " ".join(str(_get(clients[str(col)], url)) for col in COLUMNS)
            print(f'    ("{name}", {i}, "{row}"),')


# Rows whose designed answer the code does not give yet (remove when fixed).
KNOWN_BUGS: dict[tuple[str, int], str] = {}


def _rows() -> list[Any]:
    return [
        pytest.param(*row, marks=pytest.mark.xfail(reason=KNOWN_BUGS[row[:2]], strict=True))
        if row[:2] in KNOWN_BUGS
        else row
        for row in MATRIX
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "index", "expected"), _rows())
def test_designed_answer(
    users: dict[str, Any], objects: dict[str, Any], name: str, index: int, expected: str
) -> None:
    url = _url(name, index, objects)
    answers = expected.split()
    assert len(answers) == len(COLUMNS), f"{name}: {len(COLUMNS)} answers expected"
    got = []
    for col, client in _clients(users).items():
        with documents_not_built():
            response = client.get(url)
        got.append(str(_answer(response)))
        if response.status_code == 302 and col == "anonymous":
            assert response["Location"].startswith(reverse("accounts:login")), url
    wrong = [
        f"{col}: {g} (designed {e})"
        for col, g, e in zip(COLUMNS, got, answers, strict=True)
        if g != e
    ]
    assert not wrong, f"GET {url}: " + "; ".join(wrong)
