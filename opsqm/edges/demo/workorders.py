"""The recent work orders, through the real flow: a handful of user reports of the
last days, each left where the flow has it now: archived, closed by phone, awaiting
the recipient's signature, in progress near its deadline (with an extension asked),
awaiting the engineer's acknowledgement, and a fresh report awaiting the desk's call."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from opsqm.edges.demo import flow
from opsqm.edges.demo.files import PHOTO_STROKE, SIGNATURE_STROKE, png
from opsqm.edges.demo.story import Story, at, clock
from opsqm.facts.contracts.models import Contract
from opsqm.facts.tickets import services as tickets


def run_work_orders(story: Story, contract: Contract) -> None:
    units = {u.name: u for u in contract.units.all()}
    _archived(story, contract, units["清河分局"])
    _closed_by_phone(story, contract, units["前进监狱"])
    _awaiting_signature(story, contract, units["清河分局"])
    _extension_asked(story, contract, units["清河分局"])
    _awaiting_acknowledgement(story, contract, units["清河分局"])
    # Reported a few minutes ago: the desk has to phone the vendor.
    flow.intake(
        story,
        contract,
        story.now - timedelta(minutes=12),
        reporter="天河监狱 赵警官",
        phone="010-6931 3301",
        unit=units["天河监狱"],
        system="执法终端 App",
        title="执法终端 App 闪退",
        description="四监区 3 台终端打开执法 App 后立即闪退，重启无效。",
    )


def _archived(story: Story, contract: Contract, unit: Any) -> None:
    """Archived: signed by the recipient three days ago."""
    day = (story.now - timedelta(days=3)).date()
    photo = SimpleUploadedFile("现场照片.png", png(PHOTO_STROKE))
    t = flow.intake(
        story,
        contract,
        at(day, 9, 12),
        reporter="清河分局 孙警官",
        phone="010-6931 2201",
        unit=unit,
        system="移动执法终端 MT-0231",
        title="执法终端无法同步执法记录",
        description="二监区 2 台执法终端同步执法记录时提示“服务器连接超时”，已持续半天。",
        attachments=[photo],
    )
    flow.call(story, t, at(day, 9, 25), "张工（凯辉）", "需远程排查同步服务，派单")
    t = flow.dispatch(story, t, at(day, 9, 31))
    flow.ack(story, t, at(day, 9, 52))
    log = SimpleUploadedFile(
        "sync-service.log",
        f"{day} 09:40:12 WARN sync-gateway: upstream timeout (30s)\n"
        f"{day} 09:40:42 ERROR sync-gateway: queue full, 1203 records pending\n".encode(),
    )
    flow.work(
        story,
        t,
        at(day, 14, 5),
        analysis="同步网关的消息队列积压，超时阈值过低，终端上传失败。",
        steps="1. 清理积压队列；\n2. 超时阈值由 30 秒调为 120 秒；\n3. 重启同步网关。",
        verification="2 台终端各上传 1 条执法记录，同步成功。",
        attachments=[("log", log)],
    )
    t = flow.resolve(story, t, at(day, 14, 8))
    signed = at(day, 15, 20)
    with clock(signed):
        t = tickets.sign(
            t,
            png=png(SIGNATURE_STROKE),
            satisfaction="satisfied",
            signer_name="陈科长",
            user=story.users["recipient"],
        )
    flow.server(story, t.archive_message, signed)


def _closed_by_phone(story: Story, contract: Contract, unit: Any) -> None:
    """Closed by phone yesterday, within the two hours (no work order)."""
    day = (story.now - timedelta(days=1)).date()
    t = flow.intake(
        story,
        contract,
        at(day, 10, 40),
        reporter="前进监狱 周警官",
        phone="010-6931 5502",
        unit=unit,
        system="执法终端 App",
        title="执法终端 App 登录提示密码过期",
        description="三监区民警登录执法终端 App 提示密码过期，无法修改。",
    )
    flow.call(story, t, at(day, 10, 48), "李工（凯辉）", "电话指导民警在门户重置密码")
    with clock(at(day, 11, 30)):
        tickets.close_by_phone(t, user=story.users["desk"], note="电话指导重置密码后已登录")


def _awaiting_signature(story: Story, contract: Contract, unit: Any) -> None:
    """Resolved this morning: the recipient's signature is awaited."""
    now = story.now
    start = now - timedelta(hours=27)
    t = flow.intake(
        story,
        contract,
        start,
        reporter="清河分局 陈科长",
        phone="010-6931 2200",
        unit=unit,
        system="执法终端管理平台",
        title="终端管理平台报表导出失败",
        description="管理平台导出月度执法统计报表时报错“导出任务失败”。",
    )
    flow.call(story, t, start + timedelta(minutes=10), "张工（凯辉）", "需查看平台日志，派单")
    t = flow.dispatch(story, t, start + timedelta(minutes=20))
    flow.ack(story, t, start + timedelta(minutes=50))
    flow.work(
        story,
        t,
        now - timedelta(hours=5),
        analysis="报表导出服务的临时目录所在磁盘已满，导出文件无法写入。",
        steps="1. 清理 30 天前的临时导出文件；\n2. 增加临时目录定期清理任务。",
        verification="重新导出 10 月执法统计报表成功。",
    )
    flow.resolve(story, t, now - timedelta(hours=4, minutes=50))


def _extension_asked(story: Story, contract: Contract, unit: Any) -> None:
    """Urgent, acknowledged, 1 h 30 min left of its 8 hours; an extension is asked."""
    now, engineer = story.now, story.users["kh_engineer"]
    start = now - timedelta(hours=6, minutes=50)
    t = flow.intake(
        story,
        contract,
        start,
        reporter="清河分局 王警官",
        phone="010-6931 2210",
        unit=unit,
        system="移动执法终端（全部）",
        title="执法终端证书校验失败",
        description="全分局执法终端登录时提示“证书无效”，无法进入执法系统。",
        priority="urgent",
    )
    flow.call(story, t, start + timedelta(minutes=8), "张工（凯辉）", "紧急，立即派单")
    t = flow.dispatch(story, t, start + timedelta(minutes=20))
    flow.ack(story, t, start + timedelta(minutes=45))
    with clock(now - timedelta(hours=2)):
        tickets.record_work(
            t,
            user=engineer,
            analysis="终端信任的中间证书已于今日到期，新证书需终端厂商签发。",
            steps="",
            verification="",
        )
    with clock(now):
        tickets.request_extension(
            t,
            user=engineer,
            requested_to=now + timedelta(hours=20),
            reason="新证书需终端厂商签发，预计明日上午到位",
        )


def _awaiting_acknowledgement(story: Story, contract: Contract, unit: Any) -> None:
    """Dispatched 25 minutes ago, not acknowledged yet."""
    start = story.now - timedelta(minutes=50)
    t = flow.intake(
        story,
        contract,
        start,
        reporter="清河分局 刘警官",
        phone="010-6931 2230",
        unit=unit,
        system="移动执法终端 MT-0415",
        title="执法终端扫码功能失灵",
        description="一监区 1 台执法终端扫描人员二维码无反应，拍照功能正常。",
    )
    flow.call(story, t, start + timedelta(minutes=10), "李工（凯辉）", "需现场检查，派单")
    flow.dispatch(story, t, start + timedelta(minutes=25))
