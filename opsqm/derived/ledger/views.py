"""Ledger pages: the engine's answer for the contracts in the user's scope."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from opsqm.derived.ledger.services import (
    contract_ledger,
    item_groups,
    ref_links,
    safe_ledger,
)
from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.models import Contract
from opsqm.infra.core.access import require_role
from opsqm.infra.core.roles import Role
from opsqm.infra.core.viewkit import parse_as_of
from opsqm.pure.assessment.ledger_json import ledger_to_dict

LEDGER_ROLES = (Role.ASSESSOR, Role.SUPERVISOR, Role.SERVICE_DESK, Role.VENDOR_MANAGER)


def _as_of(request: HttpRequest) -> Any:
    return parse_as_of(request.GET.get("as_of"))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *LEDGER_ROLES)
    try:
        as_of = _as_of(request)
    except ValueError:
        return HttpResponseBadRequest(_("as_of must be an ISO date or instant."))
    rows = []
    for c in visible_contracts(request.user).order_by("code"):
        ledger, problem = safe_ledger(c, as_of)
        rows.append({"contract": c, "ledger": ledger, "problem": problem})
    return render(request, "ledger/index.html", {"rows": rows, "as_of": request.GET.get("as_of")})


def _contract(request: HttpRequest, code: str) -> Contract:
    require_role(request.user, *LEDGER_ROLES)
    return get_object_or_404(visible_contracts(request.user), code=code)


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    contract = _contract(request, code)
    try:
        as_of = _as_of(request)
    except ValueError:
        return HttpResponseBadRequest(_("as_of must be an ISO date or instant."))
    ledger, problem = safe_ledger(contract, as_of)
    groups = item_groups(ledger) if ledger else []
    links = ref_links(contract)
    for g in groups:
        g["rows"] = [
            {"item": i, "url": links.get(i.ref) or links.get(i.ref.split(" ")[0].split("→")[0])}
            for i in g["items"]
        ]
    return render(
        request,
        "ledger/detail.html",
        {
            "contract": contract,
            "ledger": ledger,
            "problem": problem,
            "groups": groups,
            "as_of": request.GET.get("as_of", ""),
        },
    )


@login_required
def detail_json(request: HttpRequest, code: str) -> HttpResponse:
    contract = _contract(request, code)
    try:
        as_of = _as_of(request)
    except ValueError:
        return JsonResponse({"as_of": [_("as_of must be an ISO date or instant.")]}, status=400)
    try:
        ledger = contract_ledger(contract, as_of)
    except ValueError as exc:
        return JsonResponse({"detail": str(exc)}, status=409)
    return JsonResponse(ledger_to_dict(ledger), json_dumps_params={"ensure_ascii": False})
