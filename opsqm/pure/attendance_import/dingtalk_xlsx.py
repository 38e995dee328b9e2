"""Reading the XLSX files DingTalk's admin console exports (原始记录 and 每日统计).

The workbook is read by python-calamine when installed, else by openpyxl in
read-only mode (xlsx_source.py); both stream rows into the same code.  Every
sheet with a DingTalk header is read; a sheet without one (a notes sheet) is
skipped; a workbook with none is an error.  All-or-nothing: any issue raises
`DingTalkImportError` after the whole file has been checked, so the user sees
every bad cell at once and nothing half-imported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from datetime import date, datetime
from itertools import chain, islice

from opsqm.pure.assessment.model import TZ

from .errors import ImportIssue, IssueCollector, show_value
from .headers import FIELDS, HEADER_SCAN_ROWS, IDENTITY, LABELS, Column, HeaderLayout, find_header
from .kinds import punch_kind
from .records import DingTalkDay, DingTalkPunch, DingTalkWorkbook, SheetSummary
from .values import CellError, CellTime, clean_text, parse_date, parse_time
from .xlsx_source import Engine, Source, open_sheets

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 1000
_SHIFT_KEY = re.compile(r"(上班|下班)(\d*)")
# The scheduled times of a shift are no punches: a file that has only them would give
# everyone a perfect day, so it is refused with the reason.
_WHY_REQUIRED = {
    "punch_time": "；考勤时间、班次和工作时长是排班信息，不作为打卡导入",
}


def read_dingtalk_xlsx(
    source: Source, *, progress: Progress | None = None, engine: Engine = "auto"
) -> DingTalkWorkbook:
    """Parse a DingTalk attendance export (path, bytes or binary file object).

    `progress(done, total)` is called about every 1,000 rows and once at the end;
    `total` is an estimate from the sheets' dimensions (never below `done`).
    `engine` picks the XLSX reader (see xlsx_source); "auto" is the fastest present."""
    with ExitStack() as stack:
        sheets = open_sheets(source, stack, engine)
        reader = _Reader(progress, sum(s.estimated_rows for s in sheets))
        for sheet in sheets:
            reader.read_sheet(sheet.title, sheet.first_row, sheet.rows)
        return reader.finish()


def _cell(values: Sequence[object], col: Column | None) -> object:
    if col is None or col.index >= len(values):
        return None
    return values[col.index]


class _Reader:
    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0
        self.issues = IssueCollector()
        self.result = DingTalkWorkbook()

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and self.done % PROGRESS_EVERY == 0:
            self.progress(self.done, max(self.total, self.done))

    def finish(self) -> DingTalkWorkbook:
        if not self.result.sheets and not self.issues:
            names = "、".join(LABELS[k] for k in ("name", "date", "punch_time"))
            self.issues.add(ImportIssue(f"未找到钉钉考勤表头（应含 {names} 等列）"))
        self.issues.raise_if_any()
        if self.progress is not None:
            self.progress(self.done, self.done)
        return self.result

    # --- one sheet ------------------------------------------------------------

    def read_sheet(self, title: str, first_row: int, rows: Iterator[tuple[object, ...]]) -> None:
        head = list(islice(rows, HEADER_SCAN_ROWS + 1))
        header = find_header(head, first_row)
        if header is None or not self._complete(title, header):
            if header is None:
                self.result.skipped_sheets.append(title)
            for _ in chain(head, rows):  # keep the progress honest
                self.tick()
            return
        skip = header.data_start - first_row  # title and header rows
        for _ in head[:skip]:
            self.tick()
        data = chain(head[skip:], rows)
        if header.kind == "daily":
            self._read_daily(title, header, data)
        else:
            self._read_punches(title, header, data)

    def _complete(self, title: str, header: HeaderLayout) -> bool:
        """Report the required columns the header lacks."""
        missing = []
        if "date" not in header.fields:
            missing.append("date")
        if header.kind is None:
            missing.append("punch_time")
        for key in missing:
            names = "、".join(FIELDS[key][:3])
            why = _WHY_REQUIRED.get(key, "")
            self.issues.add(
                ImportIssue(
                    f"缺少必需列「{LABELS[key]}」（可用列名：{names}）{why}",
                    sheet=title,
                    row=header.rows[-1],
                )
            )
        return not missing

    def _issue(self, title: str, row: int, col: Column | None, value: object, msg: str) -> None:
        self.issues.add(
            ImportIssue(
                msg,
                sheet=title,
                row=row,
                column=col.letter if col else None,
                header=col.header if col else None,
                value=None if value is None else show_value(value),
            )
        )

    def _identity(
        self, title: str, row: int, values: Sequence[object], header: HeaderLayout
    ) -> tuple[str | None, str | None, str | None] | None:
        f = header.fields
        name = clean_text(_cell(values, f.get("name")))
        job = clean_text(_cell(values, f.get("job_number")))
        uid = clean_text(_cell(values, f.get("user_id")))
        if name is None and job is None and uid is None:
            first = next((f[k] for k in IDENTITY if k in f), None)
            self._issue(title, row, first, None, "缺少人员（姓名、工号、UserId 均为空）")
            return None
        return name, job, uid

    def _date(
        self, title: str, row: int, values: Sequence[object], col: Column, required: bool
    ) -> date | bool | None:
        """The row's date; None when empty and not required; False after an issue."""
        raw = _cell(values, col)
        if clean_text(raw) is None and not required:
            return None
        try:
            return parse_date(raw)
        except CellError as exc:
            self._issue(title, row, col, raw, str(exc))
            return False

    def _time(
        self, title: str, row: int, values: Sequence[object], col: Column
    ) -> CellTime | bool | None:
        raw = _cell(values, col)
        try:
            return parse_time(raw)
        except CellError as exc:
            self._issue(title, row, col, raw, str(exc))
            return False

    def _data_rows(
        self, header: HeaderLayout, rows: Iterable[Sequence[object]]
    ) -> Iterator[tuple[int, Sequence[object]]]:
        """(sheet row number, values) of each data row that is not blank; every row,
        blank or not, counts for the progress."""
        rowno = header.data_start - 1
        for values in rows:
            rowno += 1
            self.tick()
            if all(v is None or v == "" for v in values):
                continue
            yield rowno, values

    def _read_punches(
        self, title: str, header: HeaderLayout, rows: Iterable[Sequence[object]]
    ) -> None:
        f = header.fields
        time_col, date_col, result_col = f["punch_time"], f["date"], f.get("result")
        approvals_col = f.get("approvals")  # a raw row's own approval (补卡申请)
        out = self.result.punches
        data_rows = punches = without = 0
        for rowno, values in self._data_rows(header, rows):
            data_rows += 1
            when = self._time(title, rowno, values, time_col)
            if when is False:
                continue
            if when is None:
                without += 1  # 未打卡 / 缺卡: nothing to import, P3 sees the gap
                continue
            assert isinstance(when, CellTime)
            day = self._date(title, rowno, values, date_col, required=when.day is None)
            who = self._identity(title, rowno, values, header)
            if day is False or who is None:
                continue
            at = when.on(day if isinstance(day, date) else date.min).replace(tzinfo=TZ)
            result = clean_text(_cell(values, result_col))
            kind = punch_kind(
                result,
                clean_text(_cell(values, time_col)),
                clean_text(_cell(values, approvals_col)),
            )
            out.append(DingTalkPunch(rowno, *who, at, result, title, kind))
            punches += 1
        self.result.sheets.append(_summary(title, "punches", header, data_rows, punches, without))

    def _read_daily(
        self, title: str, header: HeaderLayout, rows: Iterable[Sequence[object]]
    ) -> None:
        date_col = header.fields["date"]
        approvals_col = header.fields.get("approvals")
        # 上班1, 下班1, 上班2, … whatever the column order; each with its result column.
        results_by_key = {_shift_key(c): c for c in header.shift_results}
        shifts = sorted(header.shift_times, key=_shift_order)
        pairs = [(c, results_by_key.get(_shift_key(c))) for c in shifts]
        result_col = header.fields.get("result")  # a daily "考勤结果" column, if any
        kept = [*header.shift_results, *header.stats, *([result_col] if result_col else [])]
        data_rows = punches = without = 0
        for rowno, values in self._data_rows(header, rows):
            data_rows += 1
            who = self._identity(title, rowno, values, header)
            day = self._date(title, rowno, values, date_col, required=True)
            times: list[datetime] = []
            row_punches: list[DingTalkPunch] = []
            bad = day is False or who is None
            for time_col, result_col in pairs:
                when = self._time(title, rowno, values, time_col)
                if when is False:
                    bad = True
                elif isinstance(when, CellTime) and isinstance(day, date) and who is not None:
                    at = when.on(day).replace(tzinfo=TZ)
                    times.append(at)
                    # The kind from this shift's own result: the day's approvals
                    # column does not say which of its punches an approval made.
                    result = clean_text(_cell(values, result_col))
                    kind = punch_kind(result, clean_text(_cell(values, time_col)))
                    punch = DingTalkPunch(rowno, *who, at, result, title, kind)
                    row_punches.append(punch)
            if bad:
                continue
            assert isinstance(day, date) and who is not None
            results = {}
            for col in kept:
                text = clean_text(_cell(values, col))
                if text is not None:
                    results[col.header] = text
            approvals = clean_text(_cell(values, approvals_col))
            self.result.days.append(DingTalkDay(rowno, *who, day, times, results, approvals, title))
            self.result.punches.extend(row_punches)
            punches += len(row_punches)
            without += not row_punches
        self.result.sheets.append(_summary(title, "daily", header, data_rows, punches, without))


def _shift_key(col: Column) -> tuple[str, int]:
    match = _SHIFT_KEY.match(col.names[0])
    assert match is not None  # shift columns matched this pattern in headers.py
    return match[1], int(match[2] or 1)


def _shift_order(col: Column) -> tuple[int, int]:
    side, number = _shift_key(col)
    return number, 0 if side == "上班" else 1


def _summary(
    title: str, kind: str, header: HeaderLayout, data_rows: int, punches: int, without: int
) -> SheetSummary:
    columns = {key: col.letter for key, col in header.fields.items()}
    for col in header.shift_times:
        columns[col.header] = col.letter
    return SheetSummary(
        title,
        "daily" if kind == "daily" else "punches",
        header.rows,
        columns,
        data_rows,
        punches,
        without,
    )
