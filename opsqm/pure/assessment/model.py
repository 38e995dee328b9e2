"""Typed evidence and ledger records of the assessment core.

Plain data, no Django: the web platform, the evidence log reader and the engine all
speak these types.  Field names follow the evidence log v1 of
``shared/spec/assessment.md`` §3 so that a record and its JSON line read alike.

Every datetime is timezone-aware (the log refuses naive ones); dates are the
calendar dates of Asia/Shanghai.  Money and points are ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


class Priority(StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"


class Signature(StrEnum):
    SIGNED = "signed"
    PHONE_CONFIRMED = "phone_confirmed"
    NONE = "none"


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"


class Archive(StrEnum):
    OK = "ok"
    IMPROPER = "improper"
    PENDING = "pending"


class PunchKind(StrEnum):
    """How a punch was made (spec §3): at the site, away from it (外勤), or added
    afterwards by an approval in DingTalk (补卡)."""

    NORMAL = "normal"
    FIELD = "field"
    MAKEUP = "makeup"


class LeaveKind(StrEnum):
    LEAVE = "leave"
    COMP_TIME = "comp_time"


class PraiseLevel(StrEnum):
    MAIN_LEADER = "main_leader"
    LEADER_IN_CHARGE = "leader_in_charge"
    SERVICE_UNIT = "service_unit"


class EvaluationResult(StrEnum):
    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"


# The final payment when the log leaves it out (spec §3): 25 % of the amount (合同 五.2).
FINAL_PAYMENT_SHARE = Decimal("0.25")


def default_final_payment(amount: Decimal) -> Decimal:
    """25 % of `amount`, to the cent (ROUND_HALF_UP)."""
    return (amount * FINAL_PAYMENT_SHARE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- evidence ---------------------------------------------------------------
# `line` is the 1-based line of the evidence log the record came from (0 when it
# was built in memory); it never takes part in equality.


@dataclass(slots=True)
class Contract:
    """The contract line: parties, amounts and the service period (spec §3)."""

    id: str
    title: str
    vendor: str
    amount: Decimal
    final_payment: Decimal
    start: date
    end: date
    bond: bool = False
    # Optional v1 extensions: the rulebook this contract is assessed under and
    # single parameters it overrides (see opsqm.pure.assessment.rulebook).
    rulebook: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    line: int = field(default=0, compare=False)

    @property
    def period_end(self) -> datetime:
        """The instant the service period is over: midnight after `end`."""
        return datetime.combine(self.end + timedelta(days=1), time(0), TZ)


@dataclass(slots=True)
class Staff:
    """One on-site (or remote) person of the vendor: entry, verification, leaving."""

    contract: str
    person: str
    name: str
    on_site: bool
    entered_on: date
    verified_on: date | None = None
    left_on: date | None = None
    line: int = field(default=0, compare=False)


@dataclass(slots=True)
class Replacement:
    """One person replaced by another (第十六条二): planned or emergency."""

    contract: str
    person_out: str
    person_in: str
    replaced_at: datetime
    notified_at: datetime | None = None
    emergency: bool = False
    materials_at: datetime | None = None
    line: int = field(default=0, compare=False)


@dataclass(slots=True)
class Punch:
    """One attendance punch (打卡) of a person, with its kind (spec §3)."""

    contract: str
    person: str
    at: datetime
    line: int = field(default=0, compare=False)
    kind: PunchKind = PunchKind.NORMAL
    confirmed: bool = False  # a makeup punch counts only once the bureau confirmed it


@dataclass(slots=True)
class Leave:
    """A leave or comp time (请假/调休) of a person: its hours and when it was asked."""

    contract: str
    person: str
    kind: LeaveKind
    start: datetime
    end: datetime
    requested_at: datetime
    emergency: bool = False
    approved: bool = True
    line: int = field(default=0, compare=False)


@dataclass(slots=True)
class TicketRecord:
    """Which of the three key steps a ticket's record holds (第十七条二)."""

    analysis: bool = True
    steps: bool = True
    verification: bool = True

    @property
    def complete(self) -> bool:
        return self.analysis and self.steps and self.verification


@dataclass(slots=True)
class Ticket:
    """One work order (工单): dispatch, acknowledgement, deadline, closure, archive."""

    contract: str
    id: str
    problem: str
    priority: Priority
    dispatched_at: datetime
    acknowledged_at: datetime | None = None
    extended_to: datetime | None = None
    resolved_at: datetime | None = None
    signature: Signature = Signature.NONE
    satisfaction: Satisfaction | None = None
    record: TicketRecord = field(default_factory=TicketRecord)
    template_ok: bool = True
    forged: bool = False
    archive: Archive = Archive.PENDING
    # The decision that excuses it (合同 十一 force majeure, 十.1 an agreed delay),
    # e.g. "force_majeure:FM-2026-01"; None when nothing excuses it (spec §2).
    excused: str | None = None
    line: int = field(default=0, compare=False)


@dataclass(slots=True)
class Incident:
    """One operations incident (运维事故) and its report (第十四条五)."""

    contract: str
    id: str
    level: int  # 1, 2 or 3: the final level of 第十四条五
    occurred_at: datetime
    reported_at: datetime | None = None
    # The decision that excuses it (合同 十一 force majeure, 十.1 an agreed delay),
    # e.g. "force_majeure:FM-2026-01"; None when nothing excuses it (spec §2).
    excused: str | None = None
    line: int = field(default=0, compare=False)


@dataclass(slots=True)
class Evaluation:
    """A quarterly evaluation (季度考评) of the service by one unit."""

    contract: str
    quarter: str  # "2026Q1"
    unit: str
    result: EvaluationResult
    line: int = field(default=0, compare=False)


@dataclass(slots=True)
class Praise:
    """A praise (表扬) of the vendor, by its level."""

    contract: str
    event: str
    level: PraiseLevel
    at: datetime
    line: int = field(default=0, compare=False)


@dataclass(slots=True)
class ServiceDelay:
    """A contracted delivery (a report, a service) and when it came."""

    contract: str
    obligation: str
    due: date
    delivered: date | None = None
    # The decision that excuses it (合同 十一 force majeure, 十.1 an agreed delay),
    # e.g. "force_majeure:FM-2026-01"; None when nothing excuses it (spec §2).
    excused: str | None = None
    line: int = field(default=0, compare=False)


@dataclass(slots=True)
class ContractEvidence:
    """Everything the log holds about one contract, in log order."""

    contract: Contract
    staff: list[Staff] = field(default_factory=list)
    replacements: list[Replacement] = field(default_factory=list)
    punches: Sequence[Punch] = field(default_factory=list)  # the reader's: a PunchLog
    leaves: list[Leave] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    praises: list[Praise] = field(default_factory=list)
    service_delays: list[ServiceDelay] = field(default_factory=list)


# --- ledger -----------------------------------------------------------------

RULE_IDS: tuple[str, ...] = (
    "P1", "P2", "P3", "P4", "P5",
    "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8",
    "I1", "I2", "Q1", "R1", "D1", "A1",
)  # fmt: skip
FINE_RULES: tuple[str, ...] = ("I1", "T7", "D1", "A1")
# Each rule's title in the contract's own words (第十六条–第二十条, 合同 十.2), for
# ledgers shown to people: the text table, pages and reports.
RULE_TITLES: dict[str, str] = {
    "P1": "入场人员未核验",
    "P2": "未提前报备更换人员",
    "P3": "考勤缺勤或未打卡",
    "P4": "迟到早退",
    "P5": "未报备调休（请假未及时审批）",
    "T1": "工单未签字或评价不满意",
    "T2": "工单缺少关键步骤记录",
    "T3": "工单样式不符",
    "T4": "工单伪造签字或时间记录",
    "T5": "工单未按流程归档",
    "T6": "工单处理超时",
    "T7": "重复超时",
    "T8": "未及时查收内网邮箱导致延误",
    "I1": "运维事故",
    "I2": "未按时提交事故报告",
    "Q1": "季度考评不满意",
    "R1": "表扬加分",
    "D1": "未按时提供服务（违约金）",
    "A1": "年度考核罚款",
}


@dataclass(frozen=True, slots=True)
class LedgerItem:
    """One deduction, reward or fine, with the rule and clause it applies."""

    rule: str
    clause: str
    points: Decimal  # signed: deductions negative, rewards positive
    fine: Decimal  # yuan, >= 0
    ref: str  # the evidence it came from: ticket id, "S01 2025-11-03", incident id…
    at: datetime | None  # when the fact that costs happened
    note: str  # short Chinese explanation, e.g. "超时 30.0 小时"
    line: int = 0  # evidence log line of the fact (0 when unknown)


@dataclass(slots=True)
class Settlement:
    """The final payment after the fines: what is paid and what is owed."""

    final_payment: Decimal
    deducted: Decimal
    payable: Decimal
    vendor_owes: Decimal
    bond_claim: Decimal


@dataclass(slots=True)
class Ledger:
    """One contract's assessment at an instant: score, items, fines, settlement."""

    contract: str
    as_of: datetime
    final: bool
    score: Decimal
    items: list[LedgerItem]
    totals: dict[str, Decimal]  # every RULE_IDS key, points
    fines: dict[str, Decimal]  # FINE_RULES keys and "total"
    tier: str  # "pass" | "5%" | "10%" | "15%" (of the score as it stands)
    settlement: Settlement
    flags: dict[str, bool]
    rulebook: str = ""
