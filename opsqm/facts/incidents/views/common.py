"""What the incident pages share: the caller's role, the form page, the contract
filter, a contract's report hours per level and the protected files."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.models import Contract
from opsqm.facts.contracts.rulebooks import default_rulebook
from opsqm.facts.contracts.scoring import model_contract
from opsqm.facts.incidents.access import READERS
from opsqm.infra.core.access import require_role
from opsqm.infra.core.roles import Role
from opsqm.infra.core.uploads import serve_protected
from opsqm.pure.assessment.rulebook import rulebook_for

A = Role.ASSESSOR


def _role(request: HttpRequest) -> str:
    return str(getattr(request.user, "role", ""))


def _form_page(request: HttpRequest, form: Any, title: str, intro: str = "") -> HttpResponse:
    return render(request, "incidents/form.html", {"form": form, "title": title, "intro": intro})


def _contract_filter(request: HttpRequest, qs: Any) -> tuple[Any, Any, Any]:
    contracts = visible_contracts(request.user).order_by("code")
    contract = None
    if request.GET.get("contract"):
        contract = get_object_or_404(contracts, pk=request.GET["contract"])
        qs = qs.filter(contract=contract)
    return qs, contracts, contract


def report_hours(contract: Contract) -> dict[int, int]:
    try:
        rb = rulebook_for(
            model_contract(contract), default_rulebook(settings.OPSQM_DEFAULT_RULEBOOK)
        )
        return {lvl: v.report_hours for lvl, v in rb.incident_levels.items()}
    except ValueError:
        return {1: 12, 2: 24, 3: 48}


def _serve_file(
    request: HttpRequest,
    qs: Any,
    pk: int,
    field: str,
    fields: tuple[str, ...] = (),
    contract: str = "contract",
) -> FileResponse:
    """A stored file of an object in `qs`, for the readers of the object's contract
    (reached by the lookup `contract`); a field not among `fields` (if named) is 404."""
    require_role(request.user, *READERS)
    if fields and field not in fields:
        raise Http404
    qs = qs.filter(**{f"{contract}__in": visible_contracts(request.user)})
    return serve_protected(qs, pk, field)
