"""`opsqm demo`: a small demo bureau, through the service functions (so the audit
log has every record).  Idempotent: does nothing when the demo contract exists."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from opsqm.accounts.models import User
from opsqm.accounts.roles import Role
from opsqm.assessment.model import TZ
from opsqm.assessment.workcalendar import calendar_for
from opsqm.audit.services import log_action
from opsqm.contracts import services as contracts
from opsqm.contracts.models import Contract
from opsqm.incidents import services as incidents
from opsqm.staff import services as staff
from opsqm.tickets import services as tickets

DEMO_PASSWORD = "Demo-2025!pass"
SEED_CONTRACT = "C-2025-001"

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
        self._contract(seed, "KH", ["张工", "李工", "王工"], list(seed.units.all()), replace=True)
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

    def _issue6(self, seed: Contract, network: Contract, units: dict[str, Any]) -> None:
        """Incidents awaiting determination, an evaluation campaign, a praise
        application, rectification notices, contracted deliveries and a settlement
        statement with the supervisor (docs/incidents.md, docs/settlement.md)."""
        from opsqm.incidents.models import DeterminationStep
        from opsqm.settlement import services as settlement

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
        from opsqm.accounts import services as accounts

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
    ) -> None:
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
        if contract.end >= self.now.date():
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
        tickets.create_ticket(
            contract,
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
        )


def _default_rulebook() -> Any:
    from opsqm.ledger.services import default_rulebook as load

    return load(settings.OPSQM_DEFAULT_RULEBOOK)
