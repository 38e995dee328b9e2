"""Attendance tests use the shared fixtures of tests/conftest.py (two vendors, units,
contracts, a user of every role) and add staff on contract A/B and DingTalk
workbooks built in memory."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest

from bench.dingtalk_fixture import RAW_HEADER, Sheet, dingtalk_date, write_xlsx


def raw_row(name: str, job: str, uid: str, day: datetime.date, hhmmss: str) -> list[Any]:
    shown = f"{day:%Y-%m-%d} {hhmmss}" if hhmmss else ""
    return [name, "驻场", "运维部", job, "工程师", uid, dingtalk_date(day), "09:00", shown,
            "正常" if hhmmss else "缺卡", "", "", "", ""]  # fmt: skip


def raw_xlsx(rows: list[list[Any]]) -> bytes:
    buf = io.BytesIO()
    write_xlsx(
        buf, [Sheet("原始记录", RAW_HEADER, rows, ["原始记录 统计日期：2025-03-01 至 2025-03-31"])]
    )
    return buf.getvalue()


@pytest.fixture
def staff_a(contract_a: Any) -> Any:
    from opsqm.facts.staff.models import StaffMember

    s1 = StaffMember.objects.create(
        contract=contract_a, person="S01", name="张伟", entered_on=datetime.date(2025, 1, 1),
        employee_no="KH001", dingtalk_user_id="U001",
    )  # fmt: skip
    s2 = StaffMember.objects.create(
        contract=contract_a, person="S02", name="李娜", entered_on=datetime.date(2025, 1, 1)
    )
    return s1, s2


@pytest.fixture
def staff_b(contract_b: Any) -> Any:
    from opsqm.facts.staff.models import StaffMember

    return StaffMember.objects.create(
        contract=contract_b, person="S01", name="王强", entered_on=datetime.date(2025, 1, 1),
        employee_no="KH901",
    )  # fmt: skip
