"""The ledger of a contract: the one engine on the adapter's evidence.

Exactly what `opsqm score` gives on the contract's export: the same evidence
(`opsqm.derived.evidence.adapter`), the same rulebook resolution (`rulebook_for` over the
default rulebook) and the same `assess`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from opsqm.derived.evidence.adapter import contract_evidence
from opsqm.facts.attendance.calendar import with_db_calendar
from opsqm.facts.contracts.models import Contract
from opsqm.pure.assessment import model as m
from opsqm.pure.assessment.engine import assess
from opsqm.pure.assessment.model import RULE_IDS, RULE_TITLES, TZ, Ledger
from opsqm.pure.assessment.rulebook import Rulebook, load_rulebook, rulebook_for


@lru_cache(maxsize=8)
def _load_rulebook(name: str) -> Rulebook:
    return load_rulebook(name)


def default_rulebook(name: str | None = None) -> Rulebook:
    """The shipped rulebook `name`, by default the configured one
    (settings.OPSQM_DEFAULT_RULEBOOK); loaded once per process."""
    return _load_rulebook(name or settings.OPSQM_DEFAULT_RULEBOOK)


# The old private name, still imported by the demo command (being rewritten elsewhere).
_default_rulebook = default_rulebook


def contract_rulebook(contract: m.Contract) -> Rulebook:
    """The rulebook a contract is assessed under, with the calendar years the
    assessor keeps in the database (docs/attendance.md)."""
    default = default_rulebook()
    return rulebook_for(with_db_calendar(contract), default)


def contract_ledger(contract: Contract, as_of: datetime | None = None) -> Ledger:
    evidence = contract_evidence(contract)
    rulebook = contract_rulebook(evidence.contract)
    when = (as_of or timezone.now()).astimezone(TZ)
    return assess(evidence, when, rulebook)


def ledgers(contracts: Iterable[Contract], as_of: datetime | None = None) -> list[Ledger]:
    when = as_of or timezone.now()
    return [contract_ledger(c, when) for c in contracts]


def parse_as_of(text: str | None) -> datetime | None:
    """`?as_of=`: an ISO instant or date; a naive value is Beijing time.  ValueError if bad."""
    if not text:
        return None
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=TZ)
    return value


def safe_ledger(contract: Contract, as_of: datetime | None = None) -> tuple[Ledger | None, str]:
    """The ledger, or None and the reason (a calendar gap, a broken override) — home
    pages show the reason rather than failing.  From the kept ledger when it holds
    (docs/ledger.md); an explicit `as_of` is computed and not kept."""
    from opsqm.derived.ledger.kept import kept_ledger  # kept reads this module

    return kept_ledger(contract, as_of, keep=as_of is None)


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


def ref_links(contract: Contract) -> dict[str, str]:
    """Evidence references a ledger may name (a person, a work-order number) → the
    page showing them."""
    links: dict[str, str] = {}
    for pk, person in contract.staff.values_list("pk", "person"):
        links[person] = reverse("staff:detail", args=[pk])
    try:
        for pk, number in contract.tickets.values_list("pk", "number"):
            links[number] = reverse("tickets:detail", args=[pk])
    except NoReverseMatch:  # the work-order pages come with a later issue
        pass
    return links
