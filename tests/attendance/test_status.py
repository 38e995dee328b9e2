"""day_status agrees with the engine: a day is charged (迟到/早退/缺卡/缺勤) exactly
when the engine's ledger has a P3/P4 item for that person-day, with the same minutes."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from opsqm.facts.attendance.status import CHARGED, day_status
from opsqm.pure.assessment import model as m
from opsqm.pure.assessment.engine import assess
from opsqm.pure.assessment.model import TZ
from opsqm.pure.assessment.rulebook import load_rulebook
from opsqm.pure.assessment.workcalendar import calendar_for

RB = load_rulebook()
CAL = calendar_for(RB.calendar)
START = date(2025, 9, 1)
END = date(2025, 11, 30)


def _at(d: date, h: int, mi: int, s: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, h, mi, s, tzinfo=TZ)


def _evidence(seed: int) -> m.ContractEvidence:
    rng = random.Random(seed)
    contract = m.Contract("C1", "t", "v", Decimal("100.00"), Decimal("10.00"), START, END)
    ev = m.ContractEvidence(contract=contract)
    for i in range(4):
        entered = START + timedelta(days=rng.choice([0, 0, 5, 20]))
        left = rng.choice([None, None, END - timedelta(days=10)])
        ev.staff.append(
            m.Staff("C1", f"S{i}", f"n{i}", rng.random() < 0.85, entered, entered, left)
        )
    ev.replacements.append(
        m.Replacement("C1", "S3", "S2", _at(date(2025, 11, 3), 9, 0), _at(date(2025, 10, 1), 9, 0))
    )
    d = START
    while d <= END:
        for s in ev.staff:
            r = rng.random()
            if r < 0.05:
                continue  # absent
            on = _at(d, 8, 30) + timedelta(minutes=rng.choice([0, 10, 29, 31, 45, 95, 150, 200]))
            ev.punches.append(m.Punch("C1", s.person, on.replace(second=rng.randint(0, 59))))
            if r < 0.1:
                continue  # one punch only
            off = _at(d, 17, 40) - timedelta(minutes=rng.choice([0, 5, 15, 70, 130, 400]))
            ev.punches.append(m.Punch("C1", s.person, off))
            if r > 0.97:
                ev.punches.append(m.Punch("C1", s.person, _at(d, 12, rng.randint(0, 59))))
            if r > 0.93:
                kind = rng.choice([m.LeaveKind.LEAVE, m.LeaveKind.COMP_TIME])
                span = rng.choice([(9, 0, 12, 0), (13, 0, 17, 30), (9, 0, 17, 30), (10, 0, 11, 0)])
                start, end = _at(d, span[0], span[1]), _at(d, span[2], span[3])
                requested = start - timedelta(hours=rng.choice([48, 3, -1, -5]))
                approved = rng.random() < 0.8
                emergency = rng.random() < 0.3
                ev.leaves.append(
                    m.Leave("C1", s.person, kind, start, end, requested, emergency, approved)
                )
        d += timedelta(days=1)
    # A leave over two days and one asked after as_of.
    ev.leaves.append(
        m.Leave(
            "C1",
            "S0",
            m.LeaveKind.LEAVE,
            _at(date(2025, 10, 14), 13, 0),
            _at(date(2025, 10, 15), 12, 0),
            _at(date(2025, 10, 10), 9, 0),
        )
    )
    # Leaves must not repeat a start per person (the DB's leave_once).
    unique: dict[tuple[str, datetime], m.Leave] = {}
    for lv in ev.leaves:
        unique.setdefault((lv.person, lv.start), lv)
    ev.leaves = list(unique.values())
    return ev


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("as_of", [_at(date(2025, 11, 20), 12, 0), _at(date(2025, 12, 5), 9, 0)])
def test_charged_days_are_the_engines_p3_p4_days(seed: int, as_of: datetime) -> None:
    ev = _evidence(seed)
    ledger = assess(ev, as_of, RB)
    engine: dict[str, list[str]] = {}
    for item in ledger.items:
        if item.rule in ("P3", "P4"):
            engine.setdefault(item.ref, []).append(item.note)
    ours: dict[str, list[str]] = {}
    for s in ev.staff:
        punches = [p for p in ev.punches if p.person == s.person]
        leaves = [lv for lv in ev.leaves if lv.person == s.person]
        d = START
        while d <= END:
            st = day_status(
                d,
                staff=s,
                contract=ev.contract,
                punches=punches,
                leaves=leaves,
                replacements=ev.replacements,
                rules=RB.personnel,
                calendar=CAL,
                as_of=as_of,
            )
            if st.charged:
                ours[f"{s.person} {d.isoformat()}"] = list(st.codes)
                assert all(c in CHARGED for c in st.codes)
            d += timedelta(days=1)
    assert set(ours) == set(engine)
    assert engine, "the sample must charge something"
    for ref, codes in ours.items():
        notes = engine[ref]
        if "absent" in codes:
            assert notes == ["缺勤（无打卡）"]
        elif "missing_punch" in codes:
            assert notes == ["未打卡（仅 1 次打卡）"]
        else:
            kinds = sorted("late" if n.startswith("迟到") else "early" for n in notes)
            assert kinds == sorted(codes)


def test_minutes_match_the_engine_note() -> None:
    ev = _evidence(5)
    as_of = _at(date(2025, 12, 5), 9, 0)
    ledger = assess(ev, as_of, RB)
    notes = {
        (i.ref, i.note[:2]): int(re.findall(r"\d+", i.note)[0])
        for i in ledger.items
        if i.rule == "P4"
    }
    checked = 0
    for (ref, what), minutes in notes.items():
        person, day = ref.split()
        s = next(x for x in ev.staff if x.person == person)
        st = day_status(
            date.fromisoformat(day),
            staff=s,
            contract=ev.contract,
            punches=[p for p in ev.punches if p.person == person],
            leaves=[lv for lv in ev.leaves if lv.person == person],
            replacements=ev.replacements,
            rules=RB.personnel,
            calendar=CAL,
            as_of=as_of,
        )
        assert (st.late_minutes if what == "迟到" else st.early_minutes) == minutes
        checked += 1
    assert checked > 10


def test_excused_and_rest_days() -> None:
    contract = m.Contract("C1", "t", "v", Decimal(1), Decimal(0), START, END)
    s = m.Staff("C1", "S0", "n", True, START, START)
    day = date(2025, 9, 3)  # a Wednesday
    full = m.Leave(
        "C1", "S0", m.LeaveKind.COMP_TIME, _at(day, 9, 0), _at(day, 17, 30), _at(day, 8, 0)
    )
    kw = {
        "staff": s,
        "contract": contract,
        "replacements": [],
        "rules": RB.personnel,
        "calendar": CAL,
        "as_of": _at(END, 18, 0),
    }
    assert day_status(day, punches=[], leaves=[full], **kw).label == "调休"  # type: ignore[arg-type]
    morning = m.Leave(
        "C1", "S0", m.LeaveKind.LEAVE, _at(day, 9, 0), _at(day, 12, 0), _at(day, 8, 0)
    )
    st = day_status(day, punches=[_at(day, 11, 58), _at(day, 17, 31)], leaves=[morning], **kw)  # type: ignore[arg-type]
    assert st.codes == ("normal",) and st.partial_leave and str(st.window[0]) == "12:00:00"  # type: ignore[index]
    rejected = m.Leave(
        "C1",
        "S0",
        m.LeaveKind.LEAVE,
        _at(day, 9, 0),
        _at(day, 17, 30),
        _at(day, 8, 0),
        False,
        False,
    )
    assert day_status(day, punches=[], leaves=[rejected], **kw).label == "缺勤"  # type: ignore[arg-type]
    assert day_status(date(2025, 9, 6), punches=[], leaves=[], **kw).label == "休息"  # type: ignore[arg-type]
    # 2025-09-28 is a Sunday make-up workday (National Day).
    assert day_status(date(2025, 9, 28), punches=[], leaves=[], **kw).label == "缺勤"  # type: ignore[arg-type]
