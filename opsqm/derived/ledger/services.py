"""The ledger of a contract: the one engine on the adapter's evidence.

Exactly what `opsqm score` gives on the contract's export: the same evidence
(`opsqm.derived.evidence.adapter`), the same rulebook resolution (`rulebook_for` over the
default rulebook) and the same `assess`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from opsqm.facts.contracts.models import Contract
from opsqm.facts.contracts.rulebooks import contract_rulebook, default_rulebook
from opsqm.facts.contracts.scoring import contract_ledger, safe_ledger
from opsqm.pure.assessment.model import RULE_IDS, RULE_TITLES, Ledger

# The ledger of one contract and its rulebook are computed in the contracts layer
# (opsqm.facts.contracts.scoring / .rulebooks), so that register pages can ask too;
# this module adds what the ledger pages need around them.
__all__ = [
    "contract_ledger",
    "contract_rulebook",
    "default_rulebook",
    "item_groups",
    "ledgers",
    "ref_links",
    "rule_groups",
    "safe_ledger",
]


def ledgers(contracts: Iterable[Contract], as_of: datetime | None = None) -> list[Ledger]:
    when = as_of or timezone.now()
    return [contract_ledger(c, when) for c in contracts]


T = TypeVar("T")


def rule_groups(
    items: Iterable[T], totals: Mapping[str, Any], field: Callable[[T, str], Any]
) -> list[dict[str, Any]]:
    """Ledger items grouped by rule, in rule order, with the rule's totals: for the
    engine's `Item`s (`field=getattr`) and for the items of a ledger dict (spec §4,
    `field=operator.getitem`) alike."""
    by_rule: dict[str, list[T]] = {}
    for item in items:
        by_rule.setdefault(field(item, "rule"), []).append(item)
    return [
        {
            "rule": rule,
            "title": RULE_TITLES[rule],
            "clause": field(by_rule[rule][0], "clause"),
            "items": by_rule[rule],
            "points": totals.get(rule),
            "fine": sum((Decimal(field(i, "fine")) for i in by_rule[rule]), Decimal(0)),
        }
        for rule in RULE_IDS
        if by_rule.get(rule)
    ]


def item_groups(ledger: Ledger) -> list[dict[str, Any]]:
    """The engine's ledger items grouped by rule (see `rule_groups`)."""
    return rule_groups(ledger.items, ledger.totals, getattr)


def ref_links(contract: Contract, refs: Iterable[str] | None = None) -> dict[str, str]:
    """Evidence references a ledger may name (a person, a work-order number) → the
    page showing them: every one of the contract's, or only those `refs` can name
    (a few items on the home page: no reading of every ticket of the contract)."""
    staff = contract.staff.all()
    tickets = contract.tickets.all()
    if refs is not None:
        keys = {k for ref in refs for k in (ref, ref_key(ref))}
        staff, tickets = staff.filter(person__in=keys), tickets.filter(number__in=keys)
    links: dict[str, str] = {}
    for pk, person in staff.values_list("pk", "person"):
        links[person] = reverse("staff:detail", args=[pk])
    try:
        for pk, number in tickets.values_list("pk", "number"):
            links[number] = reverse("tickets:detail", args=[pk])
    except NoReverseMatch:  # the work-order pages come with a later issue
        pass
    return links


def ref_key(ref: str) -> str:
    """The person or number an item's reference starts with ("S01 2025-07-01",
    "GD-2025-0001→GD-2025-0002")."""
    return ref.split(" ")[0].split("→")[0]


def ref_url(links: dict[str, str], ref: str) -> str | None:
    """The page of an item's reference, if `links` (from `ref_links`) knows it."""
    return links.get(ref) or links.get(ref_key(ref))
