"""The ledger of a contract: the one engine on the adapter's evidence.

Exactly what `opsqm score` gives on the contract's export: the same evidence
(`opsqm.evidence.adapter`), the same rulebook resolution (`rulebook_for` over the
default rulebook) and the same `assess`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import timezone

from opsqm.assessment import model as m
from opsqm.assessment.engine import assess
from opsqm.assessment.model import TZ, Ledger
from opsqm.assessment.rulebook import Rulebook, load_rulebook, rulebook_for
from opsqm.attendance.calendar import with_db_calendar
from opsqm.contracts.models import Contract
from opsqm.evidence.adapter import contract_evidence


@lru_cache(maxsize=8)
def _default_rulebook(name: str) -> Rulebook:
    return load_rulebook(name)


def contract_rulebook(contract: m.Contract) -> Rulebook:
    """The rulebook a contract is assessed under, with the calendar years the
    assessor keeps in the database (docs/attendance.md)."""
    default = _default_rulebook(settings.OPSQM_DEFAULT_RULEBOOK)
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
    pages show the reason rather than failing."""
    try:
        return contract_ledger(contract, as_of), ""
    except ValueError as exc:  # RulebookError, CalendarError
        return None, str(exc)


def item_groups(ledger: Ledger) -> list[dict[str, Any]]:
    """Items grouped by rule, in rule order, with the rule's totals."""
    from opsqm.assessment.model import RULE_IDS, RULE_TITLES

    by_rule: dict[str, list[Any]] = {}
    for item in ledger.items:
        by_rule.setdefault(item.rule, []).append(item)
    groups = []
    for rule in RULE_IDS:
        items = by_rule.get(rule)
        if not items:
            continue
        groups.append(
            {
                "rule": rule,
                "title": RULE_TITLES[rule],
                "clause": items[0].clause,
                "items": items,
                "points": ledger.totals.get(rule),
                "fine": sum((i.fine for i in items), start=items[0].fine * 0),
            }
        )
    return groups
