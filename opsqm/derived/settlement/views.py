"""Settlement pages: the statement of a contract (or, before the period end, the
forecast), its workflow and its exports."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from opsqm.derived.acceptance.services import is_accepted
from opsqm.derived.ledger.services import ref_links
from opsqm.derived.settlement import compensation, exports, services
from opsqm.derived.settlement.models import SettlementStatement
from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.models import Contract
from opsqm.infra.accounts.requests import AuthenticatedRequest
from opsqm.infra.core.access import require_role
from opsqm.infra.core.formats import shown_time
from opsqm.infra.core.roles import Role
from opsqm.infra.core.spreadsheet import XLSX_CONTENT_TYPE
from opsqm.infra.core.viewkit import post_step
from opsqm.pure.assessment.ledger_json import ledger_to_dict

READERS = (Role.ASSESSOR, Role.SUPERVISOR, Role.SERVICE_DESK, Role.VENDOR_MANAGER)


def _role(request: HttpRequest) -> str:
    return str(getattr(request.user, "role", ""))


def _contract(request: HttpRequest, code: str) -> Contract:
    require_role(request.user, *READERS)
    return get_object_or_404(visible_contracts(request.user), code=code)


def _statement(contract: Contract) -> SettlementStatement | None:
    return SettlementStatement.objects.filter(contract=contract).first()


def _links(contract: Contract) -> dict[str, str]:
    """Evidence references of the ledger → the page showing them: the ledger page's
    links, and the incidents, deliveries and praise a settlement also names."""
    links = ref_links(contract)
    for pk, code in contract.incidents.values_list("pk", "code"):
        links[code] = reverse("incidents:detail", args=[pk])
    deliveries = reverse("incidents:deliveries") + f"?contract={contract.pk}"
    for obligation in contract.service_delays.values_list("obligation", flat=True):
        links[obligation] = deliveries
    praise = reverse("incidents:praise") + f"?contract={contract.pk}"
    for event in contract.praises.values_list("event", flat=True):
        links[event] = praise
    return links


def _ledger_view(contract: Contract) -> tuple[dict[str, Any] | None, str]:
    try:
        return ledger_to_dict(services.year_end_ledger(contract)), ""
    except ValueError as exc:  # a calendar gap, a broken override
        return None, str(exc)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *READERS)
    statements = {s.contract_id: s for s in SettlementStatement.objects.all()}
    rows = []
    for c in visible_contracts(request.user).order_by("code"):
        rows.append(
            {
                "contract": c,
                "statement": statements.get(c.pk),
                "over": services.is_over(c),
                "period_end": services.period_end(c),
            }
        )
    return render(request, "settlement/index.html", {"rows": rows})


def _copies(contract: Contract) -> list[dict[str, Any]]:
    """The manager's copies of the signed statement (第二十一条), with server times."""
    from opsqm.facts.incidents.models import NoticeMail
    from opsqm.facts.incidents.views.notices import mail_rows

    return mail_rows(NoticeMail.objects.filter(contract=contract, purpose="settlement"))


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    contract = _contract(request, code)
    st = _statement(contract)
    over = services.is_over(contract)
    problem = ""
    diff = None
    if st is not None and st.frozen:
        ledger = st.frozen_ledger
        try:
            diff = services.difference(st)
        except ValueError as exc:
            problem = str(exc)
    else:
        ledger, problem = _ledger_view(contract)
    today = None
    if not over:
        from opsqm.derived.ledger.services import safe_ledger

        now_ledger, _p = safe_ledger(contract)
        today = ledger_to_dict(now_ledger) if now_ledger else None
    links = _links(contract)
    groups = exports.groups(ledger) if ledger else []
    for g in groups:
        g["rows"] = [
            {"item": i, "url": links.get(i["ref"]) or links.get(i["ref"].split(" ")[0])}
            for i in g["items"]
        ]
    role = _role(request)
    comp = _compensation(st, contract, ledger)
    return render(
        request,
        "settlement/detail.html",
        {
            "contract": contract,
            "st": st,
            "ledger": ledger,
            "today": today,
            "problem": problem,
            "groups": groups,
            "diff": diff,
            "over": over,
            "period_end": services.period_end(contract),
            "is_assessor": role == Role.ASSESSOR,
            "is_supervisor": role == Role.SUPERVISOR,
            "now": timezone.now(),
            # 合同 五.2: the final payment is made once the project is accepted.
            "accepted": is_accepted(contract),
            "comp": comp,
            "copies": _copies(contract),
        },
    )


def _compensation(
    st: SettlementStatement | None, contract: Contract, ledger: dict[str, Any] | None
) -> dict[str, Any] | None:
    """第十二条 compensation (合同 五.5): frozen at sign-off, else as recorded now."""
    if st is not None and st.frozen and st.frozen_compensation:
        return st.frozen_compensation
    if ledger is None:
        return None
    return compensation.frozen(ledger, compensation.lines(contract))


def _act(request: HttpRequest, code: str, role: str, step: Any) -> HttpResponse:
    """A step of the statement's workflow: `role` only (403), POST only (405), a
    contract in scope (404); `step(contract)` calls the service."""
    require_role(request.user, role)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    contract = _contract(request, code)
    return post_step(
        request,
        lambda: step(contract),
        _("Settlement statement updated."),
        reverse("settlement:detail", kwargs={"code": contract.code}),
    )


def _existing(contract: Contract) -> SettlementStatement:
    st = _statement(contract)
    if st is None:
        raise ValidationError(_("There is no statement yet."))
    return st


@login_required
def create(request: AuthenticatedRequest, code: str) -> HttpResponse:
    return _act(request, code, Role.ASSESSOR, lambda c: services.create_statement(c, request.user))


@login_required
def submit(request: AuthenticatedRequest, code: str) -> HttpResponse:
    return _act(request, code, Role.ASSESSOR, lambda c: services.submit(_existing(c), request.user))


@login_required
def review(request: AuthenticatedRequest, code: str) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    comments = request.POST.get("comments", "")
    return _act(
        request,
        code,
        Role.SUPERVISOR,
        lambda c: services.review(_existing(c), request.user, approve, comments),
    )


@login_required
def sign(request: AuthenticatedRequest, code: str) -> HttpResponse:
    return _act(
        request, code, Role.ASSESSOR, lambda c: services.sign_off(_existing(c), request.user)
    )


@login_required
def reopen(request: AuthenticatedRequest, code: str) -> HttpResponse:
    return _act(
        request,
        code,
        Role.ASSESSOR,
        lambda c: services.reopen_after_change(_existing(c), request.user),
    )


def _document_data(contract: Contract) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The ledger a document shows (frozen if signed, else the engine at the period
    end now), its metadata rows and its status label.  ValueError if not computable."""
    st = _statement(contract)
    if st is not None and st.frozen and st.frozen_ledger is not None:
        meta = {
            _("Signed off by"): st.signed_by.display_name if st.signed_by else "",
            _("Signed off at"): shown_time(st.signed_at) if st.signed_at else "",
            _("Evidence export SHA-256"): st.evidence_sha256,
            _("Rulebook"): st.rulebook,
        }
        ledger = {**st.frozen_ledger, "compensation": _compensation(st, contract, st.frozen_ledger)}
        return ledger, meta, str(st.get_status_display())
    live = services.year_end_ledger(contract)
    label = st.get_status_display() if st else _("Forecast (no statement yet)")
    meta = {
        _("Evidence export SHA-256"): services.evidence_sha256(contract),
        _("Rulebook"): live.rulebook,
    }
    data = ledger_to_dict(live)
    return {**data, "compensation": _compensation(st, contract, data)}, meta, str(label)


def _download(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    contract = _contract(request, code)
    try:
        ledger, meta, status = _document_data(contract)
    except ValueError as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    name = f"settlement-{contract.code}.{kind}"
    if kind == "xlsx":
        body = exports.statement_xlsx(contract, ledger, {_("Status"): status, **meta})
        content_type = XLSX_CONTENT_TYPE
    else:
        from opsqm.derived.settlement import printing

        doc = printing.printable(contract, ledger, meta, status)
        if kind == "pdf":
            from opsqm.infra.documents.pdf import PDF_CONTENT_TYPE

            body, content_type = printing.pdf_bytes(doc), PDF_CONTENT_TYPE
        else:
            from opsqm.infra.documents.docx import DOCX_CONTENT_TYPE

            body, content_type = printing.docx_bytes(doc), DOCX_CONTENT_TYPE
    resp = HttpResponse(body, content_type=content_type)
    resp["Content-Disposition"] = content_disposition_header(kind != "pdf", name) or ""
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    return resp


@login_required
def xlsx(request: HttpRequest, code: str) -> HttpResponse:
    return _download(request, code, "xlsx")


@login_required
def pdf(request: HttpRequest, code: str) -> HttpResponse:
    return _download(request, code, "pdf")


@login_required
def docx(request: HttpRequest, code: str) -> HttpResponse:
    return _download(request, code, "docx")
