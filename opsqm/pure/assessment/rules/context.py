"""What every rule needs: the evidence, the instant, the rulebook, helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from opsqm.pure.assessment.model import TZ, ContractEvidence, LedgerItem
from opsqm.pure.assessment.rulebook import Rulebook
from opsqm.pure.assessment.workcalendar import WorkCalendar

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal) -> Decimal:
    """Yuan to the cent, ROUND_HALF_UP (spec §1)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), TZ)


@dataclass(slots=True)
class Context:
    """One assessment's evidence, instant, rulebook and calendar."""

    evidence: ContractEvidence
    as_of: datetime  # aware, in TZ
    rulebook: Rulebook
    calendar: WorkCalendar
    final: bool

    @property
    def amount(self) -> Decimal:
        return self.evidence.contract.amount

    @property
    def as_of_date(self) -> date:
        return self.as_of.date()

    def fine(self, rate: Decimal) -> Decimal:
        return money(self.amount * rate)

    def item(
        self,
        rule: str,
        points: Decimal,
        ref: str,
        at: datetime | None,
        note: str,
        line: int = 0,
        fine: Decimal = ZERO,
    ) -> LedgerItem:
        return LedgerItem(
            rule=rule,
            clause=self.rulebook.clauses[rule],
            points=points,
            fine=fine,
            ref=ref,
            at=at,
            note=note,
            line=line,
        )


def hours_text(span: timedelta) -> str:
    """Hours for a note, truncated (never rounded across a threshold): 30.0, 24.01, 3.99."""
    centi = span // timedelta(seconds=36)  # 1/100 hour, exact
    whole, frac = divmod(centi, 100)
    return f"{whole}.{frac:02d}" if frac % 10 else f"{whole}.{frac // 10}"


def percent(rate: Decimal) -> str:
    """0.005 → "0.5%", 0.05 → "5%"."""
    text = format((rate * 100).normalize(), "f")
    return f"{text}%"
