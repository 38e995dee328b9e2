"""第十一条: a proposed incident level, with its reasons, for people to confirm.

Pure Python (no Django): the facts of an incident in, a `Proposal` out.  The level
that counts (I1) is the final level of 第十四条五, decided by the IT department with
the vendor, the supervisor and experts; this module only proposes.

Readings (docs/incidents.md):

- Durations are strict: "系统瘫痪>2h" is more than 120 minutes, so exactly 2 h is
  not a level-1 outage and 2 h 1 min is.  The same for >4 h (level 2) and >24 h
  (level 3).  An outage still going on is measured up to "now" (the caller's).
- A core-system paralysis is also a failure of functions: one lasting 2 h or less
  but more than 4 h cannot happen, so paralysis > 2 h → 1 is the only paralysis case;
  a paralysis of 2 h or less proposes no level by duration.
- Data loss/damage of core data and leaks of sensitive core data are level 1
  whatever the duration (一级事故 "或核心数据丢失"); so is a major information-security
  event caused by a known, unfixed vulnerability (第十一条(一)3).
- Video-conference faults (啸叫、回声/噪音、画面不同步, 第十一条(三)4) and operation
  mistakes during video-conference support (第十一条(四)) are level 3 without a
  duration threshold: the >24 h of the level-3 heading cannot sensibly apply to a
  meeting.
- Human error (第十一条(四)): deleting core data → 1; a wrong command bringing part of
  the systems down → 2; a video-conference operation mistake → 3.
- Several findings: the most severe level wins; every reason is listed.
- "若故障影响核心业务功能，可根据实际影响程度提升事故等级": when core business is hit,
  the proposal is raised by one level (3 → 2, 2 → 1; 1 stays).  The clause says
  "may": the reason says so, and people decide at 第十四条五.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Scope(StrEnum):
    """What stopped working."""

    CORE_PARALYSED = "core_paralysed"  # 核心系统瘫痪 / 全网中断 / 数据中心宕机
    PARTIAL_FUNCTION = "partial_function"  # 部分功能失效 (关键业务模块、业务流程中断)
    NON_CORE = "non_core"  # 非核心服务异常
    NONE = "none"  # no outage (e.g. a data leak only)


class HumanError(StrEnum):
    NONE = ""
    DELETED_CORE_DATA = "deleted_core_data"  # 误删核心数据 → 1
    WRONG_COMMAND_PARTIAL_OUTAGE = "wrong_command"  # 错误命令导致部分宕机 → 2
    VIDEO_CONFERENCE_OPERATION = "video_conference"  # 视频会议保障期间操作失误 → 3


LEVEL_1_OUTAGE_MINUTES = 120  # > 2 h
LEVEL_2_OUTAGE_MINUTES = 240  # > 4 h
LEVEL_3_OUTAGE_MINUTES = 1440  # > 24 h


@dataclass(frozen=True)
class Facts:
    scope: Scope = Scope.NONE
    outage_minutes: int | None = None  # None: no outage or unknown
    core_data_lost: bool = False  # 核心数据丢失/损坏
    sensitive_data_leaked: bool = False  # 数据泄露（涉及敏感核心数据）
    major_security_event: bool = False  # 已知安全漏洞未修复，造成重大信息安全事件
    video_conference_fault: bool = False  # 音频啸叫、回声/噪音干扰、画面不同步
    human_error: HumanError = HumanError.NONE
    core_business_affected: bool = False  # 影响核心业务功能


@dataclass(frozen=True)
class Reason:
    level: int | None  # the level this finding gives (None: none by itself)
    clause: str
    text: str

    def as_dict(self) -> dict[str, object]:
        return {"level": self.level, "clause": self.clause, "text": self.text}


@dataclass(frozen=True)
class Proposal:
    level: int | None  # None: no incident level follows from the facts
    reasons: tuple[Reason, ...]
    raised: bool = False  # the level was raised for core business impact

    def as_list(self) -> list[dict[str, object]]:
        return [r.as_dict() for r in self.reasons]


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes from `start` to `end` (seconds dropped), never negative."""
    return max(int((end - start).total_seconds() // 60), 0)


def _hours(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"{h} 小时 {m} 分" if m else f"{h} 小时"


def _outage(facts: Facts) -> list[Reason]:
    minutes = facts.outage_minutes
    if facts.scope == Scope.NONE or minutes is None:
        return []
    span = _hours(minutes)
    if facts.scope == Scope.CORE_PARALYSED:
        if minutes > LEVEL_1_OUTAGE_MINUTES:
            return [Reason(1, "第十一条(一)", f"核心系统瘫痪 {span}，超过 2 小时")]
        return [Reason(None, "第十一条(一)", f"核心系统瘫痪 {span}，未超过 2 小时")]
    if facts.scope == Scope.PARTIAL_FUNCTION:
        if minutes > LEVEL_2_OUTAGE_MINUTES:
            return [Reason(2, "第十一条(二)", f"部分功能失效 {span}，超过 4 小时")]
        return [Reason(None, "第十一条(二)", f"部分功能失效 {span}，未超过 4 小时")]
    if minutes > LEVEL_3_OUTAGE_MINUTES:
        return [Reason(3, "第十一条(三)", f"非核心服务异常 {span}，超过 24 小时")]
    return [Reason(None, "第十一条(三)", f"非核心服务异常 {span}，未超过 24 小时")]


def classify(facts: Facts) -> Proposal:
    """The level 第十一条 gives these facts, and why."""
    reasons = _outage(facts)
    if facts.core_data_lost:
        reasons.append(Reason(1, "第十一条(一)2", "核心数据丢失/损坏"))
    if facts.sensitive_data_leaked:
        reasons.append(Reason(1, "第十一条(一)2", "数据泄露（涉及敏感核心数据）"))
    if facts.major_security_event:
        reasons.append(Reason(1, "第十一条(一)3", "已知安全漏洞未修复，造成重大信息安全事件"))
    if facts.human_error == HumanError.DELETED_CORE_DATA:
        reasons.append(Reason(1, "第十一条(四)", "人为操作失误：误删核心数据"))
    elif facts.human_error == HumanError.WRONG_COMMAND_PARTIAL_OUTAGE:
        reasons.append(Reason(2, "第十一条(四)", "人为操作失误：错误命令导致部分宕机"))
    elif facts.human_error == HumanError.VIDEO_CONFERENCE_OPERATION:
        reasons.append(Reason(3, "第十一条(四)", "视频会议保障期间操作失误"))
    if facts.video_conference_fault:
        reasons.append(
            Reason(3, "第十一条(三)4", "视频会议类故障（音频啸叫、回声/噪音干扰、画面不同步）")
        )
    levels = [r.level for r in reasons if r.level is not None]
    level = min(levels) if levels else None
    raised = False
    if facts.core_business_affected and level is not None:
        if level > 1:
            raised = True
            reasons.append(
                Reason(
                    level - 1,
                    "第十一条(四)",
                    "故障影响核心业务功能，可根据实际影响程度提升事故等级："
                    f"{level} 级 → {level - 1} 级（建议，由第十四条五最终定级确认）",
                )
            )
            level -= 1
        else:
            reasons.append(
                Reason(1, "第十一条(四)", "故障影响核心业务功能；已是一级事故，无从提升")
            )
    if level is None and not reasons:
        reasons.append(Reason(None, "第十一条", "所记录的情况不构成第十一条所列的运维事故"))
    return Proposal(level, tuple(reasons), raised)
