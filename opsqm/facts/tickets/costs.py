"""What a ticket costs, computed by the engine — never by arithmetic here.

`ticket_costs(ticket)`: the ledger items whose `ref` is the ticket, now.
`at_risk(tickets, hours)`: open tickets whose deadline, or one of the contract's T6
overdue steps (第十七条六(一)), passes within `hours`; for each, the engine is asked at
that instant (as_of = the threshold) and the items of the ticket are compared with
today's.  The engine gets the contract's ticket records only (rules T1–T8 read
nothing else), so a question costs one small assessment per contract and instant.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from opsqm.facts.contracts.models import Contract
from opsqm.facts.contracts.rulebooks import default_rulebook
from opsqm.facts.contracts.scoring import model_contract, number_lines
from opsqm.facts.tickets.evidence import ticket_records
from opsqm.facts.tickets.models import Ticket, latest_step
from opsqm.pure.assessment import model as m
from opsqm.pure.assessment.engine import assess
from opsqm.pure.assessment.rulebook import Rulebook, rulebook_for
from opsqm.pure.assessment.rules.tickets import overdue_steps

# A threshold is met "after" this instant: the engine counts hours past the deadline,
# so ask one second after the step (4 h overdue is "h ≥ 4").
_STEP = datetime.timedelta(seconds=1)


def _ticket_evidence(contract: Contract) -> m.ContractEvidence:
    ev = m.ContractEvidence(contract=model_contract(contract))
    ev.tickets = ticket_records(contract.code, Ticket.objects.filter(contract=contract))
    number_lines(ev)
    return ev


def _rulebook(ev: m.ContractEvidence) -> Rulebook:
    return rulebook_for(ev.contract, default_rulebook(settings.OPSQM_DEFAULT_RULEBOOK))


def _assess(
    ev: m.ContractEvidence, as_of: datetime.datetime, book: Rulebook | None = None
) -> m.Ledger:
    return assess(ev, as_of.astimezone(m.TZ), book or _rulebook(ev))


def _items_by_ref(ledger: m.Ledger) -> dict[str, list[m.LedgerItem]]:
    out: dict[str, list[m.LedgerItem]] = defaultdict(list)
    for item in ledger.items:
        out[item.ref].append(item)
    return out


@dataclass
class Cost:
    items: list[m.LedgerItem] = field(default_factory=list)
    problem: str = ""

    @property
    def points(self) -> Decimal:
        return sum((i.points for i in self.items), Decimal("0.00"))

    @property
    def fine(self) -> Decimal:
        return sum((i.fine for i in self.items), Decimal("0.00"))


def ticket_costs(ticket: Ticket, as_of: datetime.datetime | None = None) -> Cost:
    """The engine's items for this ticket (ref = its number) at `as_of` (now)."""
    if ticket.dispatched_at is None:
        return Cost()
    try:
        ledger = _assess(_ticket_evidence(ticket.contract), as_of or timezone.now())
    except ValueError as exc:  # a broken rulebook override, a calendar gap
        return Cost(problem=str(exc))
    return Cost(items=_items_by_ref(ledger).get(ticket.number, []))


@dataclass
class Risk:
    ticket: Ticket
    threshold: str
    at: datetime.datetime
    points_now: Decimal
    points_then: Decimal
    items_then: list[m.LedgerItem]

    @property
    def delta(self) -> Decimal:
        return self.points_then - self.points_now

    @property
    def hours_overdue(self) -> int:
        """The step's hours past the deadline (0 for the deadline itself)."""
        assert self.ticket.deadline is not None
        return int((self.at - self.ticket.deadline).total_seconds()) // 3600


def at_risk(tickets: Any, hours: float = 4, now: datetime.datetime | None = None) -> list[Risk]:
    """Open tickets with a threshold within `hours`, and what it would cost (engine)."""
    now = now or timezone.now()
    horizon = now + datetime.timedelta(hours=hours)
    qs = (
        tickets.filter(
            resolved_at__isnull=True,
            resolution_message__isnull=True,
            deadline__isnull=False,
            deadline__gt=now - latest_step(Contract.objects.all()),
            deadline__lte=horizon,
        )
        .select_related("contract__vendor", "unit")
        .order_by("deadline", "id")
    )
    by_contract: dict[int, list[Ticket]] = defaultdict(list)
    for t in qs[:500]:
        by_contract[t.contract_id].append(t)
    out: list[Risk] = []
    for group in by_contract.values():
        contract = group[0].contract
        try:
            ev = _ticket_evidence(contract)
            book = _rulebook(ev)
            cache: dict[datetime.datetime, dict[str, list[m.LedgerItem]]] = {}

            def items(
                at: datetime.datetime,
                ev: m.ContractEvidence = ev,
                book: Rulebook = book,
                c: Any = cache,
            ) -> Any:
                if at not in c:  # the contract's rulebook, built once for every instant
                    c[at] = _items_by_ref(_assess(ev, at, book))
                return c[at]

            current = items(now)
            for t in group:
                assert t.deadline is not None
                for key, offset in overdue_steps(book.tickets):
                    at = t.deadline + offset
                    if not (now < at <= horizon):
                        continue
                    then = items(at + _STEP).get(t.number, [])
                    out.append(
                        Risk(
                            ticket=t,
                            threshold=key,
                            at=at,
                            points_now=sum(
                                (i.points for i in current.get(t.number, [])), Decimal("0.00")
                            ),
                            points_then=sum((i.points for i in then), Decimal("0.00")),
                            items_then=then,
                        )
                    )
        except ValueError:
            continue  # the ledger page explains a broken rulebook
    out.sort(key=lambda r: (r.at, r.ticket.number))
    return out
