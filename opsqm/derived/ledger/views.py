"""Ledger pages: the engine's answer for the contracts in the user's scope."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from opsqm.derived.ledger.kept import Figures, figures, kept_ledger, kept_summaries
from opsqm.derived.ledger.services import item_groups, ref_links, ref_url
from opsqm.derived.ledger.templatetags.ledger_format import tier_badge
from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.models import Contract
from opsqm.facts.incidents.remedies import excused_rows
from opsqm.infra.core.access import require_role
from opsqm.infra.core.roles import Role
from opsqm.infra.core.templatetags.opsqm_format import money, score
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
    # The kept ledgers' figures: a bounded number of queries however many contracts.
    contracts = list(visible_contracts(request.user).select_related("vendor").order_by("code"))
    kept, _computed = kept_summaries(contracts, as_of, keep=as_of is None, read="head")
    as_of_text = request.GET.get("as_of")
    # The links once, not a `{% url %}` a row.
    query = f"?as_of={quote(as_of_text, safe='/')}" if as_of_text else ""
    detail_url = reverse("ledger:detail", args=["-"]).removesuffix("-/")
    writer = _RowWriter()
    rows = []
    for c in contracts:
        row = kept[c.pk]
        url = f"{detail_url}{quote(c.code, safe=RFC3986_SUBDELIMS + '/~:@')}/{query}"
        ledger = figures(row.summary) if row.summary else None
        rows.append(writer.row(c, url, ledger, row.problem))
    return render(
        request,
        "ledger/index.html",
        # Each row was written by format_html: every value in it escaped.
        {"rows": mark_safe("".join(rows)), "as_of": as_of_text},
    )


class _RowWriter:
    """A contract's row of the bureau's ledger, one string (every value escaped): fifty
    rows through the template language were half of the page's time."""

    def __init__(self) -> None:
        self.final, self.provisional = _("final"), _("provisional")
        self.termination = format_html(' <span class="badge bad">{}</span>', _("termination right"))

    def row(self, c: Contract, url: str, ledger: Figures | None, problem: str) -> str:
        head = format_html(
            '<tr>\n  <td><a href="{}">{}</a> {}</td>\n  <td>{}</td>\n', url, c.code, c.title,
            c.vendor.name,
        )  # fmt: skip
        if ledger is None:
            return head + format_html('  <td colspan="4" class="neg">{}</td>\n</tr>', problem)
        fines = ledger.fines["total"]
        return head + format_html(
            '  <td class="num">{}</td>\n  <td>{}</td>\n  <td class="num{}">{}</td>\n'
            "  <td>{}{}</td>\n</tr>",
            score(ledger.score),
            tier_badge(ledger.tier, ledger.final),
            " neg" if fines else "",
            money(fines),
            self.final if ledger.final else self.provisional,
            self.termination if ledger.flags.get("termination_right") else "",
        )


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
    ledger, problem = kept_ledger(contract, as_of, keep=as_of is None)
    groups = item_groups(ledger) if ledger else []
    links = ref_links(contract)
    for g in groups:
        g["rows"] = [{"item": i, "url": ref_url(links, i.ref)} for i in g["items"]]
    return render(
        request,
        "ledger/detail.html",
        {
            "contract": contract,
            "ledger": ledger,
            "problem": problem,
            "groups": groups,
            "as_of": request.GET.get("as_of", ""),
            "excused": excused_rows(contract),
        },
    )


@login_required
def detail_json(request: HttpRequest, code: str) -> HttpResponse:
    contract = _contract(request, code)
    try:
        as_of = _as_of(request)
    except ValueError:
        return JsonResponse({"as_of": [_("as_of must be an ISO date or instant.")]}, status=400)
    ledger, problem = kept_ledger(contract, as_of, keep=as_of is None)
    if ledger is None:
        return JsonResponse({"detail": problem}, status=409)
    data = ledger_to_dict(ledger)
    # spec §2: a provisional ledger's tier is a projection (A1 stays 0), labelled so
    data["tier_projected"] = not ledger.final
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
