"""CSV and XLSX output that a spreadsheet program cannot turn against its user.

A cell whose text starts with = + - @ (or tab / carriage return) is read as a
formula by Excel and WPS ("CSV injection"): `=HYPERLINK(...)` in a ticket title
would become a live link in the bureau's export.  Every text cell therefore goes
through `safe_text`, which prefixes such text with an apostrophe; XLSX cells are
also written with the explicit string type, so nothing is ever a formula.
Numbers, dates and booleans pass unchanged.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from opsqm.infra.core.formats import shown_time

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Money(Decimal):
    """An amount of yuan: a number in the workbook (formatted ¥132,500.00), the text
    ¥132,500.00 everywhere else (CSV, DOCX, printed pages)."""

    def __str__(self) -> str:
        sign = "-" if self < 0 else ""
        return f"{sign}¥{abs(Decimal(self)):,.2f}"


MONEY_FORMAT = '"¥"#,##0.00;-"¥"#,##0.00'
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"


def safe_text(value: str) -> str:
    """Text that no spreadsheet reads as a formula."""
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_value(value: Any) -> Any:
    """A cell value: numbers/dates/booleans as they are, everything else as safe text."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | datetime.date | datetime.time):
        return value
    return safe_text(str(value))


def csv_value(value: Any) -> Any:
    """A CSV cell: a time as 2026-10-25 00:00 on the bureau's clock (str() would write
    2026-10-25 00:00:00+08:00), a date as 2026-10-25, the rest as `safe_value`."""
    if isinstance(value, datetime.date):
        return shown_time(value)
    return safe_value(value)


def iter_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV text piece by piece (for StreamingHttpResponse), UTF-8 BOM first so
    that Excel opens Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow([csv_value(v) for v in header])
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    return "".join(iter_csv(header, rows))


def xlsx_row(ws: Any, row: Iterable[Any]) -> list[Any]:
    """One row of write-only cells for `ws`: values through `safe_value`, text
    stripped of the characters XLSX cannot hold and typed as a string (never a
    formula), aware datetimes without their zone (Excel has none)."""
    from openpyxl.cell import WriteOnlyCell

    out = []
    for v in row:
        value = safe_value(v)
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            # the bureau's wall clock (Asia/Shanghai), then without a zone
            value = timezone.localtime(value).replace(tzinfo=None)
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell = WriteOnlyCell(ws, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        elif isinstance(value, Money):
            cell.number_format = MONEY_FORMAT
        elif isinstance(value, datetime.datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, datetime.date):
            cell.number_format = DATE_FORMAT
        out.append(cell)
    return out


Sheet = tuple[str, Sequence[Any] | None, Iterable[Iterable[Any]]]


def xlsx_workbook(sheets: Iterable[Sheet]) -> bytes:
    """A workbook of sheets (title, header or None, rows); every cell through `xlsx_row`."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title=title[:31] or "Sheet1")
        if header is not None:
            ws.append(xlsx_row(ws, header))
        for row in rows:
            ws.append(xlsx_row(ws, row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_bytes(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], *, title: str = "Sheet1"
) -> bytes:
    """A one-sheet workbook; text cells are strings (never formulas), guarded as in CSV."""
    return xlsx_workbook([(title, header, rows)])
