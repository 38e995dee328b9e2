"""`opsqm demo`: a demo bureau that has used OpsQM for a few months, loaded through
the service functions (so the audit log has every record).  Idempotent: does nothing
when the demo contract exists.

The history of each contract is registered (punches, tickets with their facts given,
as the registers take them); the last weeks of the seed contract run through the real
flows: work orders from intake to archive, a DingTalk import job, monthly inspections,
the deliverables register and the acceptance.  Those steps happen at their hour of the
story: the services' own clock (`_now()` of the ticket and acceptance services) reads
the story's instant while a step runs (`_clock`), and the bureau's mail server is
played by storing the service desk's copy of each mail through the poller's
`store_inbound` with a receive time a few seconds after the send.  Nothing is sent:
the outbox stays queued (no SMTP server is needed).  The audit log keeps its own
clock, so its records say when the demo was loaded.  docs/demo.md describes it all.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any
from unittest import mock

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from opsqm.facts.contracts import services as contracts
from opsqm.facts.contracts.models import Contract
from opsqm.facts.contracts.servicekit import save_audited
from opsqm.facts.incidents import services as incidents
from opsqm.facts.staff import services as staff
from opsqm.facts.tickets import services as tickets
from opsqm.facts.tickets.models import Ticket
from opsqm.infra.accounts.models import User
from opsqm.infra.accounts.roles import Role
from opsqm.infra.audit.services import log_action
from opsqm.pure.assessment.model import TZ
from opsqm.pure.assessment.workcalendar import calendar_for

DEMO_PASSWORD = "Demo-2025!pass"
SEED_CONTRACT = "C-2025-001"
# The seed contract renewed with the same vendor for the next year: once the seed
# year is over, today's reports are the renewal's work (a report after a contract's
# end would otherwise count in that contract's final ledger).
RENEWAL_CONTRACT = "C-2026-004"

# username, role, full name, vendor index, unit name
ACCOUNTS = (
    ("sysadmin", Role.SYSTEM_ADMIN, "系统管理员", None, None),
    ("assessor", Role.ASSESSOR, "刘晶（信息技术处）", None, None),
    ("desk", Role.SERVICE_DESK, "服务台 王敏", None, None),
    ("supervisor", Role.SUPERVISOR, "监理 赵强", None, None),
    ("kh_manager", Role.VENDOR_MANAGER, "汤利斌（凯辉）", 0, None),
    ("kh_engineer", Role.VENDOR_ENGINEER, "张工（凯辉）", 0, None),
    ("recipient", Role.RECIPIENT, "清河分局 陈科长", None, "清河分局"),
    ("secadmin", Role.SECURITY_ADMIN, "安全管理员", None, None),
    ("auditadmin", Role.AUDIT_ADMIN, "审计管理员", None, None),
)
VENDORS = (
    ("北京凯辉科技有限公司", "kaihui-om@bjjgj.intranet", "tanglibin@kaihui.example", "汤利斌"),
    ("北京华信运维服务有限公司", "huaxin-om@bjjgj.intranet", "manager@huaxin.example", "李经理"),
    ("北京中科数安科技有限公司", "zkshuan-om@bjjgj.intranet", "boss@zkshuan.example", "周经理"),
)
UNITS = ("清河分局", "天河监狱", "前进监狱", "良乡监狱", "女子监狱")


def _at(d: date, h: int, m: int = 0) -> datetime:
    return datetime.combine(d, time(h, m), TZ)


# The bureau's mail server, played by the demo: the service desk's copies of OpsQM's
# mail are stored as if the poller had fetched them from this mailbox.
DEMO_MAILBOX = "demo-mail-server (no real server)/INBOX"
DEMO_UIDVALIDITY = 1
DEMO_WORKER = "demo"
SERVER_DELAY = timedelta(seconds=3)  # the send → the server's receive time

# DingTalk's raw punch records (原始记录), the columns of its admin console export.
DINGTALK_HEADER = (
    "姓名", "考勤组", "部门", "工号", "职位", "UserId", "考勤日期", "考勤时间",
    "打卡时间", "打卡结果", "打卡地址", "打卡备注", "异常打卡原因", "打卡设备",
)  # fmt: skip
WEEKDAYS_CN = "一二三四五六日"

# 合同 八: the documents' names as the vendor files them.
DOCUMENT_NAMES = {
    "annual_summary": "项目年度总结报告",
    "quarterly_report": "季度报告",
    "work_orders": "工单",
    "monthly_inspection": "月度巡检记录",
    "software_upgrade": "软件升级记录",
    "data_dictionary": "数据字典",
    "backup_check": "数据库备份检查记录",
    "backup_config": "数据库备份配置表",
    "recovery_test": "数据恢复测试报告",
    "data_statement": "数据情况说明",
    "risk_assessment": "数据风险评估报告",
    "patch_records": "漏洞补丁维护记录",
    "security_training": "网络安全教育培训记录",
}


@contextmanager
def _clock(at: datetime) -> Iterator[None]:
    """Run a step of the story at `at`: the ticket services read their time through
    `common.now()`, the acceptance services through `_now()`.  The audit log keeps the
    real time of the load."""
    from opsqm.derived.acceptance import services as acceptance
    from opsqm.facts.tickets.services import common as ticket_clock

    with (
        mock.patch.object(ticket_clock, "now", lambda: at),
        mock.patch.object(acceptance, "_now", lambda: at),
    ):
        yield


def _png(points: Sequence[tuple[int, int]], width: int = 240, height: int = 80) -> bytes:
    """A grey-scale PNG with a pen stroke through `points` (a drawn signature, a
    photo's stand-in): written by hand, no imaging library needed."""
    rows = [bytearray(b"\xff" * width) for _ in range(height)]
    for (x0, y0), (x1, y1) in pairwise(points):
        n = max(abs(x1 - x0), abs(y1 - y0), 1)
        for i in range(n + 1):
            x, y = x0 + (x1 - x0) * i // n, y0 + (y1 - y0) * i // n
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    if 0 <= x + dx < width and 0 <= y + dy < height:
                        rows[y + dy][x + dx] = 40

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        tickets.PNG_MAGIC
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


SIGNATURE_STROKE = ((14, 58), (40, 18), (62, 60), (88, 22), (112, 56), (150, 28), (226, 40))
PHOTO_STROKE = ((20, 20), (220, 20), (220, 60), (20, 60), (20, 20), (120, 40))


def _pdf(lines: Sequence[str]) -> bytes:
    """A one-page PDF with a few lines of ASCII text: the stand-in for a document the
    vendor scanned or wrote elsewhere."""

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = "BT /F1 12 Tf 56 780 Td 18 TL " + " ".join(f"({esc(t)}) '" for t in lines) + " ET"
    stream = text.encode("ascii", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _dingtalk_xlsx(first: date, last: date, rows: list[list[Any]], made: datetime) -> bytes:
    """A DingTalk 原始记录 export: title rows above the header, dates as
    "26-09-01 星期二", punch times as text with seconds."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "原始记录"
    width = len(DINGTALK_HEADER)
    for title in (
        f"原始记录 统计日期：{first:%Y-%m-%d} 至 {last:%Y-%m-%d}",
        f"报表生成时间：{made:%Y-%m-%d %H:%M}",
    ):
        ws.append([title])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    ws.append(list(DINGTALK_HEADER))
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class Command(BaseCommand):
    help = "Load the demo bureau (contracts, staff, tickets, users of every role)."

    def handle(self, *args: Any, **options: Any) -> None:
        if Contract.objects.filter(code=SEED_CONTRACT).exists():
            self.stdout.write("The demo bureau is already loaded; nothing to do.")
        else:
            with transaction.atomic():
                self._load()
            self.stdout.write(self.style.SUCCESS("Demo bureau loaded."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, name, _v, _u in ACCOUNTS:
            self.stdout.write(f"  {username:12} {Role(role).label}  {name}")

    # --- the bureau ------------------------------------------------------------------

    def _load(self) -> None:
        self.rng = random.Random(20251025)
        self.now = timezone.now().astimezone(TZ)
        self.cal = calendar_for(_default_rulebook().calendar)
        vendors = [
            contracts.create_vendor(
                {"name": n, "intranet_mailbox": i, "manager_mailbox": m, "contact": c}
            )
            for n, i, m, c in VENDORS
        ]
        units = {n: contracts.create_unit({"name": n, "head": f"{n}信息科"}) for n in UNITS}
        self._accounts(vendors, units)
        self.users = {u.username: u for u in User.objects.all()}
        self._mail_uid = 0
        self.withheld: list[tuple[Any, datetime]] = []
        year = self.now.year
        seed = contracts.create_contract(
            {
                "code": SEED_CONTRACT,
                "title": "移动执法终端软件运维",
                "vendor": vendors[0],
                "amount": Decimal("530000.00"),
                "final_payment": Decimal("132500.00"),
                "start": date(2025, 10, 25),
                "end": date(2026, 10, 24),
                "bond": False,
            },
            [units["清河分局"], units["天河监狱"], units["前进监狱"]],
        )
        network = contracts.create_contract(
            {
                "code": "C-2026-002",
                "title": "网络与机房运维",
                "vendor": vendors[1],
                "amount": Decimal("860000.00"),
                "final_payment": Decimal("215000.00"),
                "start": date(year, 1, 1),
                "end": date(year, 12, 31),
                "bond": True,
            },
            [units["良乡监狱"], units["女子监狱"], units["清河分局"]],
        )
        video = contracts.create_contract(
            {
                "code": "C-2026-003",
                "title": "视频会议系统运维",
                "vendor": vendors[2],
                "amount": Decimal("320000.00"),
                "final_payment": Decimal("80000.00"),
                "start": date(year, 3, 1),
                "end": date(year + 1, 2, 28),
                "bond": False,
                "rulebook_overrides": {"tickets.ack_window_hours": 2},
            },
            [units["天河监狱"], units["前进监狱"]],
        )
        renewal = None
        if self.now.date() > seed.end:
            renewal = contracts.create_contract(
                {
                    "code": RENEWAL_CONTRACT,
                    "title": "移动执法终端软件运维（续签）",
                    "vendor": vendors[0],
                    "amount": Decimal("530000.00"),
                    "final_payment": Decimal("132500.00"),
                    "start": seed.end + timedelta(days=1),
                    "end": date(seed.end.year + 1, seed.end.month, seed.end.day),
                    "bond": False,
                },
                list(seed.units.all()),  # the units the seed served
            )
        import_month = self._import_month(seed)
        self._contract(
            seed,
            "KH",
            ["张工", "李工", "王工"],
            list(seed.units.all()),
            replace=True,
            withhold=import_month,
            open_work=False,
        )
        if renewal is not None:  # the same engineers stay on
            people = ["张工", "李工", "赵工"]
            self._contract(renewal, "KH", people, list(renewal.units.all()), open_work=False)
        self._contract(network, "HX", ["孙工", "周工", "吴工"], list(network.units.all()))
        self._contract(video, "ZK", ["郑工", "冯工"], list(video.units.all()))

        incidents.record_incident(
            seed,
            {
                "code": "SG-01",
                "title": "执法终端同步服务中断",
                "level": 3,
                "occurred_at": _at(date(2026, 9, 8), 14),
                "reported_at": _at(date(2026, 9, 11), 10),
                "systems": "执法终端数据同步服务（非核心）",
                "impact": "终端数据同步延迟，现场执法不受影响",
                "scope": "non_core",
                "restored_at": _at(date(2026, 9, 9), 17),
            },
        )
        incidents.record_evaluation(
            seed, {"quarter": "2026Q2", "unit": units["清河分局"], "result": "unsatisfied"}
        )
        incidents.record_evaluation(
            seed, {"quarter": "2026Q2", "unit": units["天河监狱"], "result": "satisfied"}
        )
        incidents.record_praise(
            seed, {"event": "E-07", "level": "service_unit", "at": _at(date(2026, 5, 20), 10)}
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
            {"event": "E-11", "level": "leader_in_charge", "at": _at(date(year, 4, 2), 10)},
        )
        self._issue6(seed, network, units)
        self._recent_work(seed, renewal or seed, import_month)

    def _issue6(self, seed: Contract, network: Contract, units: dict[str, Any]) -> None:
        """Incidents awaiting determination, an evaluation campaign, a praise
        application, rectification notices, contracted deliveries and a settlement
        statement with the supervisor (docs/incidents.md, docs/settlement.md)."""
        from opsqm.derived.settlement import services as settlement
        from opsqm.facts.incidents.models import DeterminationStep

        users = {u.username: u for u in User.objects.all()}
        assessor, engineer = users["assessor"], users["kh_engineer"]
        sg01 = seed.incidents.get(code="SG-01")
        incidents.record_step(sg01, 1, {"notes": "收集同步服务日志、监控数据"}, engineer)
        incidents.record_step(
            sg01, 2, {"notes": "非核心服务异常超过 24 小时", "level": 3}, engineer
        )
        incidents.record_step(
            sg01,
            DeterminationStep.Step.FINAL,
            {
                "level": 3,
                "participants": {
                    "it": "刘晶",
                    "vendor": "汤利斌",
                    "supervisor": "赵强",
                    "experts": "",
                },
                "conclusion": "非核心服务异常超过 24 小时，定为三级事故（第十一条(三)）。",
            },
            assessor,
        )
        occurred = (self.now - timedelta(hours=9)).replace(minute=0, second=0, microsecond=0)
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
        incidents.record_step(
            pending, 1, {"notes": "交换机日志、端口状态已导出"}, users["assessor"]
        )
        incidents.add_evidence(
            pending, {"kind": "user_feedback", "note": "良乡监狱信息科电话报障记录"}, assessor
        )
        # the last finished quarter's evaluation, open, one unit has rated
        q = (self.now.month - 1) // 3
        quarter = f"{self.now.year}Q{q}" if q else f"{self.now.year - 1}Q4"
        campaign = incidents.open_campaign(quarter, assessor)
        entry = campaign.entries.filter(unit=units["清河分局"], contract=network).first()
        if entry is not None:
            incidents.rate(entry, "satisfied", "响应及时", users["recipient"])
        incidents.apply_praise(
            seed,
            {
                "event": "E-12",
                "level": "leader_in_charge",
                "praised_on": (self.now - timedelta(days=20)).date(),
                "description": "全国两会期间视频会议保障零故障，主管局领导表扬",
            },
            users["kh_manager"],
        )
        received = (self.now - timedelta(days=8)).date()
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
        incidents.respond_rectification(done, {"response": "已补充截图并归档"}, engineer)
        incidents.verify_rectification(done, True, "", assessor)
        incidents.record_service_delay(
            network,
            {
                "obligation": "维护人员名单及联系方式",
                "kind": "staff_list",
                "basis_on": network.start,
                "delivered": network.start,
            },
        )
        if settlement.is_over(seed):
            st = settlement.create_statement(seed, assessor)
            settlement.submit(st, assessor)

    def _accounts(self, vendors: list[Any], units: dict[str, Any]) -> None:
        from opsqm.infra.accounts import services as accounts

        admin = User(username="sysadmin", role=Role.SYSTEM_ADMIN, full_name="系统管理员")
        admin.set_password(DEMO_PASSWORD)
        admin.save()
        log_action("account.create", obj=admin, summary="demo: system administrator")
        for username, role, name, v, u in ACCOUNTS[1:]:
            accounts.create_user(
                admin,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                full_name=name,
                vendor=vendors[v] if v is not None else None,
                unit=units[u] if u else None,
            )
        User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).update(
            must_change_password=False
        )
        log_action(
            "demo.accounts",
            object_type="accounts.user",
            summary="demo accounts: documented password, no change required",
        )

    # --- one contract's evidence ----------------------------------------------------

    def _window(self, contract: Contract) -> tuple[date, date]:
        # The whole period so far: a day without evidence would be an absence (P3).
        # Today counts once its on-site hours (to 17:30) are over.
        today = self.now.date()
        last = today if self.now.time() >= time(17, 45) else today - timedelta(days=1)
        return contract.start, min(last, contract.end)

    def _contract(
        self,
        contract: Contract,
        prefix: str,
        names: list[str],
        units: list[Any],
        replace: bool = False,
        withhold: tuple[date, date] | None = None,
        open_work: bool = True,
    ) -> None:
        """Staff, punches and registered tickets over the period so far.  `withhold`:
        the punches of these days are not recorded here but kept in `self.withheld`
        for the DingTalk export the demo imports.  Without `open_work` the contract
        gets no registered open tickets (its open work comes from the real flow)."""
        rng = self.rng
        first, last = self._window(contract)
        people = []
        for n, name in enumerate(names, start=1):
            s = staff.register_staff(
                contract,
                {
                    "person": f"{prefix}{n:02d}",
                    "name": name,
                    "on_site": True,
                    "entered_on": contract.start,
                    "id_number": f"11010819900101{n:03d}X",
                },
            )
            # The third person was verified two days after the first day (P1).
            verified = contract.start + timedelta(days=2 if n == 3 else 0)
            staff.record_verification(
                s,
                {
                    "verified_on": verified,
                    "id_card_checked": True,
                    "resume_checked": True,
                    "degree_or_certificate_checked": True,
                    "remarks": "原件核验",
                },
            )
            people.append(s)
        if replace:
            day = first + timedelta(days=30)
            newcomer = staff.register_staff(
                contract,
                {"person": f"{prefix}{len(names) + 1:02d}", "name": "赵工", "entered_on": day},
            )
            staff.record_verification(
                newcomer,
                {
                    "verified_on": day,
                    "id_card_checked": True,
                    "resume_checked": True,
                    "degree_or_certificate_checked": True,
                },
            )
            staff.register_replacement(
                contract,
                {
                    "person_out": people[-1],
                    "person_in": newcomer,
                    "replaced_at": _at(day, 9),
                    "notified_at": _at(day - timedelta(days=4), 10),  # < 7 days: P2
                    "emergency": False,
                    "reason": "原驻场人员调岗",
                },
            )
            people[-1].refresh_from_db()
            people.append(newcomer)

        # Punches on workdays: a good on-site team, with the odd slip a year brings.
        for s in people:
            instants = []
            d = first
            while d <= last:
                active = s.entered_on <= d and (s.left_on is None or d < s.left_on)
                if active and self.cal.is_workday(d):
                    roll = rng.random()
                    if roll < 0.002:
                        pass  # absent
                    elif roll < 0.005:
                        instants.append(_at(d, 8, rng.randint(30, 58)))  # forgot to punch out
                    else:
                        late = roll > 0.99
                        arrive = (9, rng.randint(5, 50)) if late else (8, rng.randint(30, 58))
                        instants.append(_at(d, *arrive))
                        instants.append(_at(d, 17, rng.randint(31, 59)))
                d += timedelta(days=1)
            if withhold is not None:
                held = [i for i in instants if withhold[0] <= i.date() <= withhold[1]]
                self.withheld += [(s, i) for i in held]
                instants = [i for i in instants if not withhold[0] <= i.date() <= withhold[1]]
            staff.record_punches(s, instants, "dingtalk")
        leave_day = first + timedelta(days=10)
        while not self.cal.is_workday(leave_day):
            leave_day += timedelta(days=1)
        staff.record_leave(
            people[0],
            {
                "kind": "leave",
                "start": _at(leave_day, 9),
                "end": _at(leave_day, 17, 30),
                "requested_at": _at(leave_day - timedelta(days=3), 15),
                "approved": True,
            },
        )

        # Tickets: about one a week, a few overdue, the latest still open.
        n = 0
        d = first
        while d <= last:
            if self.cal.is_workday(d) and rng.random() < 0.2:
                n += 1
                self._ticket(contract, n, _at(d, rng.randint(9, 16), rng.randint(0, 59)), units)
            d += timedelta(days=1)
        if contract.end >= self.now.date() and open_work:
            for hours_ago in (30, 5, 1):  # open now: one overdue, two counting down
                n += 1
                self._ticket(contract, n, self.now - timedelta(hours=hours_ago), units, open_=True)

    def _ticket(
        self, contract: Contract, n: int, at: datetime, units: list[Any], open_: bool = False
    ) -> None:
        rng = self.rng
        urgent = rng.random() < 0.2
        sla = 8 if urgent else 24
        roll = rng.random()
        # About one in twenty runs over its deadline.
        took = sla + rng.randint(5, 40) if roll < 0.05 else rng.randint(1, sla - 1)
        resolved = None if open_ else at + timedelta(hours=took, minutes=rng.randint(0, 50))
        # A registered ticket, its facts given (as the registers take them): no flow.
        save_audited(
            Ticket(contract=contract),
            {
                "number": f"GD-{n:04d}",
                "problem": f"GD-{n:04d}",
                "title": rng.choice(
                    [
                        "终端无法登录",
                        "数据同步失败",
                        "打印异常",
                        "视频卡顿",
                        "账号权限变更",
                        "网络中断",
                    ]
                ),
                "unit": rng.choice(units),
                "priority": "urgent" if urgent else "normal",
                "dispatched_at": at,
                "acknowledged_at": at + timedelta(minutes=rng.randint(5, 90)),
                "resolved_at": resolved,
                "signature": "none" if resolved and rng.random() < 0.03 else "signed",
                "satisfaction": "" if resolved is None else "satisfied",
                "record_steps": rng.random() > 0.03,
                "archive": "pending" if resolved is None else "ok",
            },
            action="ticket.create",
        )

    # --- the last weeks of the seed contract, through the real flows -----------------

    def _import_month(self, contract: Contract) -> tuple[date, date] | None:
        """The calendar month before the one the contract's window ends in (the last
        whole month on record), clipped to the period: the DingTalk export imported."""
        first, last = self._window(contract)
        start = (last.replace(day=1) - timedelta(days=1)).replace(day=1)
        end = last.replace(day=1) - timedelta(days=1)
        start = max(start, first)
        return (start, end) if start <= end else None

    def _recent_work(
        self, seed: Contract, current: Contract, import_month: tuple[date, date] | None
    ) -> None:
        """`current`: the contract today's reports belong to (the seed, or its renewal
        once the seed year is over)."""
        if import_month is not None:
            self._dingtalk_import(seed, import_month)
        self._inspections(seed)
        self._work_orders(current)
        self._acceptance(seed)
        # The ticket jobs the flow queued that need no mail server (copying server
        # times already known); the outbox (`mail.send`) stays queued.
        self._run_jobs("tickets.server_times")

    def _run_jobs(self, *kinds: str) -> None:
        """Run the due jobs of `kinds` here, as `opsqm worker` would."""
        from opsqm.infra.jobs.models import JobStatus
        from opsqm.infra.jobs.services import claim, run_job

        while (job := claim(DEMO_WORKER, list(kinds))) is not None:
            if run_job(job, DEMO_WORKER) != JobStatus.DONE:
                raise CommandError(f"demo job {job.kind} #{job.pk}: {job.last_error}")

    # DingTalk ------------------------------------------------------------------------

    def _dingtalk_import(self, contract: Contract, month: tuple[date, date]) -> None:
        """The vendor manager uploads the month's DingTalk export (原始记录); the import
        job reads, matches and stores it like the worker.  A colleague who covered
        three days is not on the contract's staff: he lands on the review list."""
        rng = self.rng
        first, last = month
        days: dict[tuple[str, str, date], list[datetime]] = {}
        for s, at in self.withheld:
            days.setdefault((s.name, s.person, at.date()), []).append(at)
        workdays = [
            first + timedelta(days=n)
            for n in range((last - first).days + 1)
            if self.cal.is_workday(first + timedelta(days=n))
        ]
        for d in workdays[3:6]:
            days[("钱工", "KH09", d)] = [
                _at(d, 8, rng.randint(35, 58)),
                _at(d, 17, rng.randint(31, 50)),
            ]

        def row(name: str, job: str, d: date, shift: str, at: datetime | None) -> list[Any]:
            if at is None:
                shown, result = "", "缺卡"
            else:
                shown = f"{at:%Y-%m-%d %H:%M}:{rng.randint(0, 59):02d}"
                late = shift == "09:00" and at.time() > time(9)
                early = shift == "17:30" and at.time() < time(17, 30)
                result = "迟到" if late else "早退" if early else "正常"
            weekday = f"{d:%y-%m-%d} 星期{WEEKDAYS_CN[d.weekday()]}"
            return [name, "凯辉驻场运维", "运维部", job, "运维工程师", "", weekday, shift,
                    shown, result, "北京市监狱管理局", "", "", "手机"]  # fmt: skip

        rows = []
        for (name, job, d), instants in sorted(days.items(), key=lambda kv: (kv[0][2], kv[0][1])):
            instants.sort()
            rows.append(row(name, job, d, "09:00", instants[0]))
            rows.append(row(name, job, d, "17:30", instants[1] if len(instants) > 1 else None))
        made = _at(last + timedelta(days=1), 9)
        data = _dingtalk_xlsx(first, last, rows, min(made, self.now))
        from opsqm.facts.attendance import services as attendance

        upload = SimpleUploadedFile(f"钉钉考勤-原始记录-{first:%Y%m}.xlsx", data)
        attendance.start_xlsx_import(self.users["kh_manager"], upload, contract)
        self._run_jobs("attendance.import")

    # Monthly inspections ---------------------------------------------------------------

    def _inspections(self, seed: Contract) -> None:
        """The engineer's inspections of the last two whole months (checklist on a
        tablet, PDF record → a version of the month's 月度巡检记录); the latest found
        weak terminal batteries, which the desk opened as a work order."""
        from opsqm.derived.acceptance import services as acceptance

        engineer = self.users["kh_engineer"]
        today = self.now.date()
        months = [
            p for p in acceptance.months(seed) if p.last < today and (p.last - p.first).days >= 3
        ][-2:]
        self.inspected = {p.label for p in months}
        for n, p in enumerate(months):
            day = p.last - timedelta(days=3)
            start = _at(day, 9, 30)
            with _clock(start):
                insp = acceptance.start_inspection(seed, p.first, engineer)
            finding = None
            for i, result in enumerate(insp.results.order_by("item__order", "pk")):
                issue = n == len(months) - 1 and result.group == "terminals" and finding is None
                with _clock(start + timedelta(minutes=6 * (i + 1))):
                    if issue:
                        photo = SimpleUploadedFile("电池检测.png", _png(PHOTO_STROKE))
                        acceptance.record_result(
                            result,
                            engineer,
                            outcome="issue",
                            note="3 台终端电池健康度低于 80%，满电续航不足 4 小时",
                            photo=photo,
                        )
                        finding = result
                    else:
                        acceptance.record_result(result, engineer, outcome="ok")
            with _clock(_at(day, 11, 20)):
                acceptance.complete_inspection(
                    insp,
                    engineer,
                    summary="发现 1 项问题，已报服务台派单" if finding else "各项检查正常",
                )
            if finding is not None:
                self._finding_ticket(finding, day)

    def _finding_ticket(self, finding: Any, day: date) -> None:
        """The desk opens the inspection's finding as a work order; closed by the
        engineer, with no one at a unit to sign: the desk confirms by phone."""
        from opsqm.derived.acceptance import services as acceptance

        with _clock(_at(day, 14)):
            t = acceptance.open_ticket(finding, self.users["desk"])
        self._call(t, _at(day, 14, 10), "张工（凯辉）", "需更换电池，派单")
        t = self._dispatch(t, _at(day, 14, 20))
        self._ack(t, _at(day, 14, 45))
        nxt = day + timedelta(days=1)
        self._work(
            t,
            _at(nxt, 10, 30),
            analysis="3 台终端电池老化（循环次数超过 800 次），健康度 72%–78%。",
            steps="1. 更换 3 块原厂电池；\n2. 校准电量计；\n3. 登记电池序列号。",
            verification="满电续航恢复至 9 小时以上，终端运行正常。",
        )
        t = self._resolve(t, _at(nxt, 10, 40))
        with _clock(_at(nxt, 11)):
            tickets.record_no_signature(
                t,
                user=self.users["kh_engineer"],
                reason="巡检发现的问题，无报障人到场签字，请服务台电话确认",
            )
        at = _at(nxt, 15)
        with _clock(at):
            t = tickets.confirm_by_phone(
                t,
                user=self.users["desk"],
                called_at=at,
                person="刘晶（信息技术处）",
                outcome="确认 3 台终端已更换电池，运行正常",
                satisfaction="satisfied",
            )
        self._server(t.archive_message, at)

    # Work orders -------------------------------------------------------------------------

    def _work_orders(self, contract: Contract) -> None:
        """A handful of user reports of the last days, each left where the flow has
        it now: archived, closed by phone, awaiting the recipient's signature, in
        progress near its deadline (with an extension asked), awaiting the
        engineer's acknowledgement, and a fresh report awaiting the desk's call."""
        units = {u.name: u for u in contract.units.all()}
        qinghe, tianhe, qianjin = units["清河分局"], units["天河监狱"], units["前进监狱"]
        now = self.now
        engineer, recipient = self.users["kh_engineer"], self.users["recipient"]

        # Archived: signed by the recipient three days ago.
        day = (now - timedelta(days=3)).date()
        photo = SimpleUploadedFile("现场照片.png", _png(PHOTO_STROKE))
        t = self._intake(
            contract,
            _at(day, 9, 12),
            reporter="清河分局 孙警官",
            phone="010-6931 2201",
            unit=qinghe,
            system="移动执法终端 MT-0231",
            title="执法终端无法同步执法记录",
            description="二监区 2 台执法终端同步执法记录时提示“服务器连接超时”，已持续半天。",
            attachments=[photo],
        )
        self._call(t, _at(day, 9, 25), "张工（凯辉）", "需远程排查同步服务，派单")
        t = self._dispatch(t, _at(day, 9, 31))
        self._ack(t, _at(day, 9, 52))
        log = SimpleUploadedFile(
            "sync-service.log",
            f"{day} 09:40:12 WARN sync-gateway: upstream timeout (30s)\n"
            f"{day} 09:40:42 ERROR sync-gateway: queue full, 1203 records pending\n".encode(),
        )
        self._work(
            t,
            _at(day, 14, 5),
            analysis="同步网关的消息队列积压，超时阈值过低，终端上传失败。",
            steps="1. 清理积压队列；\n2. 超时阈值由 30 秒调为 120 秒；\n3. 重启同步网关。",
            verification="2 台终端各上传 1 条执法记录，同步成功。",
            attachments=[("log", log)],
        )
        t = self._resolve(t, _at(day, 14, 8))
        at = _at(day, 15, 20)
        with _clock(at):
            t = tickets.sign(
                t,
                png=_png(SIGNATURE_STROKE),
                satisfaction="satisfied",
                signer_name="陈科长",
                user=recipient,
            )
        self._server(t.archive_message, at)

        # Closed by phone yesterday, within the two hours (no work order).
        day = (now - timedelta(days=1)).date()
        t = self._intake(
            contract,
            _at(day, 10, 40),
            reporter="前进监狱 周警官",
            phone="010-6931 5502",
            unit=qianjin,
            system="执法终端 App",
            title="执法终端 App 登录提示密码过期",
            description="三监区民警登录执法终端 App 提示密码过期，无法修改。",
        )
        self._call(t, _at(day, 10, 48), "李工（凯辉）", "电话指导民警在门户重置密码")
        with _clock(_at(day, 11, 30)):
            tickets.close_by_phone(t, user=self.users["desk"], note="电话指导重置密码后已登录")

        # Resolved this morning: the recipient's signature is awaited.
        start = now - timedelta(hours=27)
        t = self._intake(
            contract,
            start,
            reporter="清河分局 陈科长",
            phone="010-6931 2200",
            unit=qinghe,
            system="执法终端管理平台",
            title="终端管理平台报表导出失败",
            description="管理平台导出月度执法统计报表时报错“导出任务失败”。",
        )
        self._call(t, start + timedelta(minutes=10), "张工（凯辉）", "需查看平台日志，派单")
        t = self._dispatch(t, start + timedelta(minutes=20))
        self._ack(t, start + timedelta(minutes=50))
        self._work(
            t,
            now - timedelta(hours=5),
            analysis="报表导出服务的临时目录所在磁盘已满，导出文件无法写入。",
            steps="1. 清理 30 天前的临时导出文件；\n2. 增加临时目录定期清理任务。",
            verification="重新导出 10 月执法统计报表成功。",
        )
        self._resolve(t, now - timedelta(hours=4, minutes=50))

        # Urgent, acknowledged, 1 h 30 min left of its 8 hours; an extension is asked.
        start = now - timedelta(hours=6, minutes=50)
        t = self._intake(
            contract,
            start,
            reporter="清河分局 王警官",
            phone="010-6931 2210",
            unit=qinghe,
            system="移动执法终端（全部）",
            title="执法终端证书校验失败",
            description="全分局执法终端登录时提示“证书无效”，无法进入执法系统。",
            priority="urgent",
        )
        self._call(t, start + timedelta(minutes=8), "张工（凯辉）", "紧急，立即派单")
        t = self._dispatch(t, start + timedelta(minutes=20))
        self._ack(t, start + timedelta(minutes=45))
        with _clock(now - timedelta(hours=2)):
            tickets.record_work(
                t,
                user=engineer,
                analysis="终端信任的中间证书已于今日到期，新证书需终端厂商签发。",
                steps="",
                verification="",
            )
        with _clock(now):
            tickets.request_extension(
                t,
                user=engineer,
                requested_to=now + timedelta(hours=20),
                reason="新证书需终端厂商签发，预计明日上午到位",
            )

        # Dispatched 25 minutes ago, not acknowledged yet.
        start = now - timedelta(minutes=50)
        t = self._intake(
            contract,
            start,
            reporter="清河分局 刘警官",
            phone="010-6931 2230",
            unit=qinghe,
            system="移动执法终端 MT-0415",
            title="执法终端扫码功能失灵",
            description="一监区 1 台执法终端扫描人员二维码无反应，拍照功能正常。",
        )
        self._call(t, start + timedelta(minutes=10), "李工（凯辉）", "需现场检查，派单")
        self._dispatch(t, start + timedelta(minutes=25))

        # Reported a few minutes ago: the desk has to phone the vendor.
        self._intake(
            contract,
            now - timedelta(minutes=12),
            reporter="天河监狱 赵警官",
            phone="010-6931 3301",
            unit=tianhe,
            system="执法终端 App",
            title="执法终端 App 闪退",
            description="四监区 3 台终端打开执法 App 后立即闪退，重启无效。",
        )

    # the flow's steps, each at its instant of the story

    def _intake(self, contract: Contract, at: datetime, **fields: Any) -> Any:
        with _clock(at + timedelta(minutes=2)):
            return tickets.record_intake(
                contract, user=self.users["desk"], reported_at=at, **fields
            )

    def _call(self, t: Any, at: datetime, person: str, outcome: str) -> None:
        with _clock(at):
            tickets.log_vendor_call(
                t, user=self.users["desk"], called_at=at, person=person, outcome=outcome
            )

    def _dispatch(self, t: Any, at: datetime) -> Any:
        with _clock(at):
            t = tickets.dispatch(t, user=self.users["desk"])
        return self._server(t.dispatch_message, at)

    def _ack(self, t: Any, at: datetime) -> None:
        with _clock(at):
            tickets.acknowledge(t, user=self.users["kh_engineer"])

    def _work(
        self,
        t: Any,
        at: datetime,
        *,
        analysis: str,
        steps: str,
        verification: str,
        attachments: Sequence[tuple[str, Any]] = (),
    ) -> None:
        with _clock(at):
            tickets.record_work(
                t,
                user=self.users["kh_engineer"],
                analysis=analysis,
                steps=steps,
                verification=verification,
                attachments=attachments,
            )

    def _resolve(self, t: Any, at: datetime) -> Any:
        with _clock(at):
            t = tickets.resolve(t, user=self.users["kh_engineer"])
        return self._server(t.resolution_message, at)

    def _server(self, outbound: Any, sent: datetime) -> Any:
        """The bureau's mail server received `outbound` SERVER_DELAY after it was
        sent: its copy in the service desk's mailbox is stored as the poller stores
        what it fetches, and the inbound-mail job copies the time onto the ticket."""
        from opsqm.facts.tickets.models import Ticket
        from opsqm.infra.mail.services import store_inbound

        self._mail_uid += 1
        store_inbound(
            DEMO_MAILBOX,
            DEMO_UIDVALIDITY,
            self._mail_uid,
            sent + SERVER_DELAY,
            outbound.raw_bytes(),
        )
        self._run_jobs("mail.inbound")
        return Ticket.objects.get(number=outbound.ticket_ref)

    # Deliverables and acceptance -------------------------------------------------------

    def _acceptance(self, seed: Contract) -> None:
        """The vendor files 合同 八's documents as they fall due (one late, the last
        quarter's report generated by OpsQM), the supervisor reviews them (one quarterly
        report returned and filed again); once the period is over the vendor has
        applied for acceptance and the supervisor has it to review."""
        from opsqm.derived.acceptance import services as acceptance
        from opsqm.derived.acceptance.models import OPTIONAL_KINDS, Deliverable, Kind
        from opsqm.derived.reports.services import generate

        rng = self.rng
        manager, supervisor = self.users["kh_manager"], self.users["supervisor"]
        now, today = self.now, self.now.date()
        over = today > seed.end
        acceptance.ensure_register(seed)
        owed = [
            d
            for d in Deliverable.objects.filter(contract=seed).order_by("due", "pk")
            if d.kind not in OPTIONAL_KINDS
            and (over or d.due < today)
            and not (d.kind == Kind.MONTHLY_INSPECTION and d.period in self.inspected)
        ]
        quarterly = [d for d in owed if d.kind == Kind.QUARTERLY_REPORT]
        generated = quarterly[-1] if quarterly else None
        returned = quarterly[-2] if len(quarterly) > 1 else None
        monthly = [d for d in owed if d.kind == Kind.MONTHLY_INSPECTION]
        late = monthly[2] if len(monthly) > 2 else None
        filed: list[tuple[datetime, Any]] = []
        latest = now - timedelta(hours=3)
        for d in owed:
            ends = acceptance.period_of(seed, d.period).last if d.period else seed.end
            window = max((d.due - ends).days - 1, 0)
            day = (
                d.due + timedelta(days=3)
                if d is late
                else d.due - timedelta(days=rng.randint(0, window))
            )
            at = min(_at(day, 10, rng.randint(0, 59)), latest)
            name = f"{DOCUMENT_NAMES[d.kind]}-{seed.code}{'-' + d.period if d.period else ''}"
            with _clock(at):
                if d is generated:
                    data, file_name, _type = generate(seed, "quarterly", d.period, "pdf")
                    acceptance.register_generated(d, manager, file_name, data)
                else:
                    pdf = _pdf(
                        [
                            "OpsQM demo document (stand-in for the vendor's file)",
                            f"{seed.code} {d.kind} {d.period or 'whole period'}",
                            f"filed by the vendor manager on {at:%Y-%m-%d %H:%M}",
                        ]
                    )
                    acceptance.upload_version(d, manager, SimpleUploadedFile(f"{name}.pdf", pdf))
            filed.append((at, d))
        # The supervisor reviews what was filed more than a week ago.
        for at, d in filed:
            review = at + timedelta(days=3)
            if review > now - timedelta(days=7):
                continue
            acceptance.submit_for_review(d, manager)
            with _clock(review):
                if d is returned:
                    acceptance.review_deliverable(
                        d,
                        supervisor,
                        approve=False,
                        comments="未写明三级事故 SG-01 的处置经过和整改措施，请补充后重新提交。",
                    )
                else:
                    acceptance.review_deliverable(d, supervisor, approve=True, comments="")
            if d is returned:
                again = review + timedelta(days=2)
                with _clock(min(again, latest)):
                    pdf = _pdf(["OpsQM demo document, second version", f"{seed.code} {d.period}"])
                    acceptance.upload_version(
                        d,
                        manager,
                        SimpleUploadedFile(f"季度报告-{seed.code}-{d.period}-v2.pdf", pdf),
                        note="补充 SG-01 处置经过",
                    )
        if over:
            with _clock(max(latest, max((at for at, _d in filed), default=latest))):
                acceptance.apply_for_acceptance(seed, manager)


def _default_rulebook() -> Any:
    from opsqm.derived.ledger.services import default_rulebook as load

    return load(settings.OPSQM_DEFAULT_RULEBOOK)
