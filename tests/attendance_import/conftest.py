"""Helpers of the DingTalk import tests: realistic workbooks built in memory."""

from __future__ import annotations

import io
from datetime import datetime

import pytest

from bench.dingtalk_fixture import Sheet, write_xlsx
from opsqm.pure.assessment.model import TZ
from opsqm.pure.attendance_import import xlsx_source

ENGINES = ["openpyxl"] + (["calamine"] if xlsx_source.python_calamine is not None else [])


def xlsx(*sheets: Sheet) -> bytes:
    buf = io.BytesIO()
    write_xlsx(buf, list(sheets))
    return buf.getvalue()


def bj(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)  # type: ignore[misc]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Every XLSX test runs on both readers: they must agree."""
    return str(request.param)
