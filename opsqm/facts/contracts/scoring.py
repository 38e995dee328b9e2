"""A contract before the engine: its record in the assessment model, its evidence and
its ledger.

The evidence of a contract is read from every register (staff, tickets, incidents…)
by `opsqm.derived.evidence.adapter`, which stands above them all; it is provided
here by the ledger app's AppConfig.ready (`provide_evidence`), so that the pages of
the registers (the attendance month, the replacement register, the incident
deliveries) can ask for a ledger from below.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

from opsqm.facts.contracts.models import Contract
from opsqm.facts.contracts.rulebooks import contract_rulebook
from opsqm.pure.assessment import model as m
from opsqm.pure.assessment.engine import assess
from opsqm.pure.assessment.model import TZ, Ledger

EvidenceBuilder = Callable[[Contract], m.ContractEvidence]

_evidence: list[EvidenceBuilder] = []


def model_contract(c: Contract) -> m.Contract:
    """The contract record of the evidence log (without the declared calendar years:
    `contract_rulebook` adds those)."""
    return m.Contract(
        id=c.code,
        title=c.title,
        vendor=c.vendor.name,
        amount=c.amount,
        final_payment=c.final_payment,
        start=c.start,
        end=c.end,
        bond=c.bond,
        rulebook=c.rulebook or None,
        parameters=dict(c.rulebook_overrides or {}),
    )


def number_lines(ev: m.ContractEvidence) -> None:
    """Give each record the line it has in this contract's own export (`opsqm export
    --contract`), so that ledger items cite the same lines as `opsqm score` on it."""
    n = 1
    ev.contract.line = n
    for group in (
        ev.staff,
        ev.replacements,
        ev.punches,
        ev.leaves,
        ev.tickets,
        ev.incidents,
        ev.evaluations,
        ev.praises,
        ev.service_delays,
    ):
        for record in group:
            n += 1
            record.line = n


def provide_evidence(builder: EvidenceBuilder) -> None:
    """Set the function that reads a contract's whole evidence (the adapter)."""
    _evidence[:] = [builder]


def evidence_of(contract: Contract) -> m.ContractEvidence:
    """Everything the database holds about `contract`, as the engine reads it."""
    if not _evidence:
        raise RuntimeError("no evidence reader: the ledger app (opsqm.derived.ledger) provides it")
    return _evidence[0](contract)


def contract_ledger(contract: Contract, as_of: datetime | None = None) -> Ledger:
    """The engine's answer for `contract` at `as_of` (now by default): exactly what
    `opsqm score` gives on the contract's export."""
    evidence = evidence_of(contract)
    rulebook = contract_rulebook(evidence.contract)
    when = (as_of or timezone.now()).astimezone(TZ)
    return assess(evidence, when, rulebook)


KeptLedgerReader = Callable[..., tuple[Ledger | None, str]]

_kept: list[KeptLedgerReader] = []


def provide_kept_ledger(reader: KeptLedgerReader) -> None:
    """Set the function that serves a ledger from the kept ledgers (the ledger app's
    `opsqm.derived.ledger.kept.kept_ledger`)."""
    _kept[:] = [reader]


def safe_ledger(contract: Contract, as_of: datetime | None = None) -> tuple[Ledger | None, str]:
    """The ledger, or None and the reason (a calendar gap, a broken override) — home
    pages show the reason rather than failing.  From the kept ledger when it holds
    (docs/ledger.md); an explicit `as_of` is computed and not kept."""
    if _kept:
        return _kept[0](contract, as_of, keep=as_of is None)
    try:
        return contract_ledger(contract, as_of), ""
    except ValueError as exc:  # RulebookError, CalendarError
        return None, str(exc)
