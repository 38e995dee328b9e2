"""Generate a bureau-sized year of evidence (deterministic, seedable).

50 contracts, each with 500 tickets and 5 on-site staff who punch in and out on
every workday of a one-year period (some late, early or missing, for realism),
plus a few leaves, replacements, incidents, evaluations, praises and delays:
about 150,000 lines of evidence log v1.

    .venv/bin/python bench/generate.py [--seed 7] [--contracts 50] [--out bench/out/year.jsonl]
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import chinese_calendar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from opsqm.pure.assessment.evidence_log import write_evidence_log  # noqa: E402
from opsqm.pure.assessment.model import (  # noqa: E402
    TZ,
    Archive,
    Contract,
    ContractEvidence,
    Evaluation,
    EvaluationResult,
    Incident,
    Leave,
    LeaveKind,
    Praise,
    PraiseLevel,
    Priority,
    Punch,
    Replacement,
    Satisfaction,
    ServiceDelay,
    Signature,
    Staff,
    Ticket,
    TicketRecord,
)

VENDORS = [
    "北京凯辉科技有限公司", "北京华信运维服务有限公司", "中科软通信息技术有限公司",
    "北京数联网络工程有限公司", "京安智维科技有限公司",
]  # fmt: skip
SERVICES = [
    "移动执法终端软件运维",
    "视频专网运维",
    "机房基础设施运维",
    "业务系统运维",
    "桌面终端运维",
]
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"
UNITS = ["清河分局", "海淀分局", "朝阳分局", "指挥中心"]


def at(day: date, hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm, ss), TZ)


def workdays(start: date, end: date) -> list[date]:
    days, d = [], start
    while d <= end:
        if chinese_calendar.is_workday(d):
            days.append(d)
        d += timedelta(days=1)
    return days


def punches_for(rng: random.Random, cid: str, person: str, days: list[date]) -> list[Punch]:
    out = []
    for d in days:
        r = rng.random()
        if r < 0.002:
            continue  # absent
        in_min = 8 * 60 + rng.randint(25, 59)
        if rng.random() < 0.006:
            in_min = 9 * 60 + rng.choice([3, 12, 25, 70, 150])  # late
        out_min = 17 * 60 + 30 + rng.randint(0, 45)
        if rng.random() < 0.003:
            out_min = 17 * 60 + 30 - rng.choice([10, 40, 90])  # early
        out.append(Punch(cid, person, at(d, in_min // 60, in_min % 60, rng.randint(0, 59))))
        if r < 0.004:
            continue  # forgot the evening punch
        out.append(Punch(cid, person, at(d, out_min // 60, out_min % 60, rng.randint(0, 59))))
    return out


def tickets_for(rng: random.Random, cid: str, start: date, n: int) -> list[Ticket]:
    t0 = at(start, 8, 0)
    stamps = sorted(t0 + timedelta(seconds=rng.randint(0, 360 * 86400)) for _ in range(n))
    out = []
    for i, dispatched in enumerate(stamps, 1):
        urgent = rng.random() < 0.1
        limit = 8 if urgent else 24
        hours = rng.uniform(0.5, limit * 0.9)
        if rng.random() < 0.02:
            hours = limit + rng.choice([2, 6, 20, 30, 60])  # overdue
        resolved = dispatched + timedelta(hours=hours)
        ack = dispatched + timedelta(minutes=rng.randint(3, 90))
        if rng.random() < 0.03:
            ack = dispatched + timedelta(hours=rng.randint(5, 12))
        tid = f"GD-{cid[-3:]}-{i:04d}"
        problem = tid if rng.random() > 0.02 or not out else out[-1].problem
        out.append(
            Ticket(
                contract=cid,
                id=tid,
                problem=problem,
                priority=Priority.URGENT if urgent else Priority.NORMAL,
                dispatched_at=dispatched,
                acknowledged_at=ack.replace(microsecond=0),
                extended_to=None,
                resolved_at=resolved.replace(microsecond=0),
                signature=rng.choices(list(Signature), [95, 4, 1])[0],
                satisfaction=Satisfaction.UNSATISFIED
                if rng.random() < 0.01
                else Satisfaction.SATISFIED,
                record=TicketRecord(rng.random() > 0.01, True, rng.random() > 0.01),
                template_ok=rng.random() > 0.005,
                forged=False,
                archive=Archive.IMPROPER if rng.random() < 0.01 else Archive.OK,
            )
        )
    return out


def contract_year(rng: random.Random, k: int, tickets: int, staff_n: int) -> ContractEvidence:
    cid = f"C-B{k:03d}"
    start = date(2025, 1, 1) + timedelta(days=rng.randint(0, 300))
    end = start.replace(year=start.year + 1) - timedelta(days=1)
    amount = Decimal(rng.randrange(200_000, 2_000_000, 10_000)).quantize(Decimal("0.01"))
    c = Contract(
        id=cid,
        title=SERVICES[k % len(SERVICES)],
        vendor=VENDORS[k % len(VENDORS)],
        amount=amount,
        final_payment=(amount / 4).quantize(Decimal("0.01")),
        start=start,
        end=end,
        bond=k % 7 == 0,
    )
    ev = ContractEvidence(c)
    days = workdays(start, end)
    for j in range(1, staff_n + 1):
        verified = start if rng.random() > 0.1 else start + timedelta(days=3)
        name = rng.choice(SURNAMES) + "工"
        ev.staff.append(Staff(cid, f"S{j:02d}", name, True, start, verified, None))
    swap = k % 5 == 0 and staff_n > 0  # one replacement in every fifth contract
    for s in ev.staff:
        if swap and s is ev.staff[-1]:
            cut = days[len(days) // 2]
            s.left_on = cut
            ev.punches += punches_for(rng, cid, s.person, [d for d in days if d < cut])
            new = Staff(cid, f"S{staff_n + 1:02d}", rng.choice(SURNAMES) + "工", True, cut, cut)
            ev.staff.append(new)
            ev.punches += punches_for(rng, cid, new.person, [d for d in days if d >= cut])
            ev.replacements.append(
                Replacement(
                    cid, s.person, new.person, at(cut, 9, 0), at(cut, 9, 0) - timedelta(days=10)
                )
            )
            break
        ev.punches += punches_for(rng, cid, s.person, days)
    for _ in range(rng.randint(2, 6)):
        d = rng.choice(days)
        late = rng.random() < 0.3
        req = at(d, 8, 0) - timedelta(hours=2 if late else 72)
        ev.leaves.append(
            Leave(
                cid, rng.choice(ev.staff).person, LeaveKind.LEAVE, at(d, 9, 0), at(d, 17, 30), req
            )
        )
    ev.punches.sort(key=lambda p: p.at)
    ev.tickets = tickets_for(rng, cid, start, tickets)
    if rng.random() < 0.3:
        occurred = at(rng.choice(days), 14, 0)
        ev.incidents.append(
            Incident(
                cid, f"SG-{k:03d}", rng.randint(1, 3), occurred, occurred + timedelta(hours=20)
            )
        )
    for q in range(4):
        qd = start + timedelta(days=91 * q + 80)
        quarter = f"{qd.year}Q{(qd.month - 1) // 3 + 1}"
        for unit in UNITS[:2]:
            result = (
                EvaluationResult.UNSATISFIED if rng.random() < 0.05 else EvaluationResult.SATISFIED
            )
            ev.evaluations.append(Evaluation(cid, quarter, unit, result))
    if rng.random() < 0.4:
        ev.praises.append(
            Praise(cid, f"E-{k:03d}", rng.choice(list(PraiseLevel)), at(rng.choice(days), 10, 0))
        )
    if rng.random() < 0.2:
        due = start + timedelta(days=100)
        ev.service_delays.append(
            ServiceDelay(cid, "季度报告", due, due + timedelta(days=rng.randint(1, 20)))
        )
    return ev


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--contracts", type=int, default=50)
    ap.add_argument("--tickets", type=int, default=500, help="per contract")
    ap.add_argument("--staff", type=int, default=5, help="on-site staff per contract")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "year.jsonl")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "wb") as fh:
        n = write_evidence_log(
            (contract_year(rng, k, args.tickets, args.staff) for k in range(args.contracts)), fh
        )
    print(f"wrote {n} lines to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
