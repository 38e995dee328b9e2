"""Incidents, evaluations, praise, delays and rectification (docs/incidents.md): the
seed contract's history (SG-01, two 2026Q2 evaluations, a praise, a late quarterly
report), its determination, and the open matters of today (SG-02 awaiting its
determination, the last quarter's evaluation campaign, a praise application,
rectification notices, the staff-list delivery)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from opsqm.edges.demo.story import Story, at
from opsqm.facts.contracts.models import Contract
from opsqm.facts.incidents import services as incidents


def record_history(story: Story, seed: Contract, network: Contract, units: dict[str, Any]) -> None:
    incidents.record_incident(
        seed,
        {
            "code": "SG-01",
            "title": "执法终端同步服务中断",
            "level": 3,
            "occurred_at": at(date(2026, 9, 8), 14),
            "reported_at": at(date(2026, 9, 11), 10),
            "systems": "执法终端数据同步服务（非核心）",
            "impact": "终端数据同步延迟，现场执法不受影响",
            "scope": "non_core",
            "restored_at": at(date(2026, 9, 9), 17),
        },
    )
    incidents.record_evaluation(
        seed, {"quarter": "2026Q2", "unit": units["清河分局"], "result": "unsatisfied"}
    )
    incidents.record_evaluation(
        seed, {"quarter": "2026Q2", "unit": units["天河监狱"], "result": "satisfied"}
    )
    incidents.record_praise(
        seed, {"event": "E-07", "level": "service_unit", "at": at(date(2026, 5, 20), 10)}
    )
    incidents.record_service_delay(
        seed,
        {
            "obligation": "季度报告 2026Q2",
            "due": date(2026, 7, 10),
            "delivered": date(2026, 7, 18),
        },
    )
    incidents.record_praise(
        network,
        {"event": "E-11", "level": "leader_in_charge", "at": at(date(story.now.year, 4, 2), 10)},
    )


def open_matters(story: Story, seed: Contract, network: Contract, units: dict[str, Any]) -> None:
    _determine_sg01(story, seed)
    _pending_incident(story, network)
    _campaign(story, network, units)
    incidents.apply_praise(
        seed,
        {
            "event": "E-12",
            "level": "leader_in_charge",
            "praised_on": (story.now - timedelta(days=20)).date(),
            "description": "全国两会期间视频会议保障零故障，主管局领导表扬",
        },
        story.users["kh_manager"],
    )
    _rectifications(story, seed, network)
    incidents.record_service_delay(
        network,
        {
            "obligation": "维护人员名单及联系方式",
            "kind": "staff_list",
            "basis_on": network.start,
            "delivered": network.start,
        },
    )


def _determine_sg01(story: Story, seed: Contract) -> None:
    """SG-01 through the determination steps to its final level (第十四条)."""
    from opsqm.facts.incidents.models import DeterminationStep

    assessor, engineer = story.users["assessor"], story.users["kh_engineer"]
    sg01 = seed.incidents.get(code="SG-01")
    incidents.record_step(sg01, 1, {"notes": "收集同步服务日志、监控数据"}, engineer)
    incidents.record_step(sg01, 2, {"notes": "非核心服务异常超过 24 小时", "level": 3}, engineer)
    incidents.record_step(
        sg01,
        DeterminationStep.Step.FINAL,
        {
            "level": 3,
            "participants": {"it": "刘晶", "vendor": "汤利斌", "supervisor": "赵强", "experts": ""},
            "conclusion": "非核心服务异常超过 24 小时，定为三级事故（第十一条(三)）。",
        },
        assessor,
    )


def _pending_incident(story: Story, network: Contract) -> None:
    """SG-02, this morning: evidence collected, its determination awaited."""
    assessor = story.users["assessor"]
    occurred = (story.now - timedelta(hours=9)).replace(minute=0, second=0, microsecond=0)
    pending = incidents.record_incident(
        network,
        {
            "code": "SG-02",
            "title": "良乡监狱核心交换机故障",
            "occurred_at": occurred,
            "restored_at": occurred + timedelta(hours=5),
            "systems": "良乡监狱核心交换机、办公网",
            "impact": "办公网部分业务中断 5 小时",
            "scope": "partial_function",
            "core_business_affected": True,
        },
        assessor,
    )
    incidents.record_step(pending, 1, {"notes": "交换机日志、端口状态已导出"}, assessor)
    incidents.add_evidence(
        pending, {"kind": "user_feedback", "note": "良乡监狱信息科电话报障记录"}, assessor
    )


def _campaign(story: Story, network: Contract, units: dict[str, Any]) -> None:
    """The last finished quarter's evaluation, open; one unit has rated."""
    now = story.now
    q = (now.month - 1) // 3
    quarter = f"{now.year}Q{q}" if q else f"{now.year - 1}Q4"
    campaign = incidents.open_campaign(quarter, story.users["assessor"])
    entry = campaign.entries.filter(unit=units["清河分局"], contract=network).first()
    if entry is not None:
        incidents.rate(entry, "satisfied", "响应及时", story.users["recipient"])


def _rectifications(story: Story, seed: Contract, network: Contract) -> None:
    """ZG-01 open with a tracked delivery; ZG-02 answered and verified."""
    assessor = story.users["assessor"]
    received = (story.now - timedelta(days=8)).date()
    incidents.issue_rectification(
        network,
        {
            "code": "ZG-01",
            "subject": "机房巡检记录不完整",
            "description": "补齐上月机房巡检记录并说明原因",
            "received_on": received,
        },
        assessor,
        track_delivery=True,
    )
    done = incidents.issue_rectification(
        seed,
        {
            "code": "ZG-02",
            "subject": "工单处理步骤截图缺失",
            "description": "工单处理日志补充操作步骤截图（第十四条六）",
            "received_on": received,
        },
        assessor,
    )
    incidents.respond_rectification(
        done, {"response": "已补充截图并归档"}, story.users["kh_engineer"]
    )
    incidents.verify_rectification(done, True, "", assessor)
