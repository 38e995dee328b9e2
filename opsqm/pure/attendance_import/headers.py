"""Finding the header of a DingTalk export by name, not by position.

Real exports put title rows above the header ("原始记录 统计日期：…", "报表生成时间…")
and, in the daily statistics, a two-level header: a merged "上班1" cell above
"打卡时间" / "打卡结果".  openpyxl's read-only mode does not expose merges: the
cells a merge covers simply read as empty.  So a two-level header is flattened by
rule: a top cell with a sub-header below it starts a group that runs right over
the columns whose top is empty and whose sub-header is not; a top cell with
nothing below is a vertically merged single header ("姓名").

Each column gets candidate names: the flattened one ("上班1打卡时间") first, then
the sub-header alone ("打卡时间", for a group such as "考勤结果" over ordinary
columns).  A field takes the first column matching its synonyms in priority order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

# canonical field → accepted header names (normalized), best first.  Raw records have
# both 打卡时间 (the actual punch) and 考勤时间 (the shift's scheduled time): only the
# first is a punch.  A file without it is refused, never read from the schedule.
FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "员工姓名", "名字", "name"),
    "job_number": ("工号", "员工编号", "员工工号", "jobnumber", "jobno"),
    "user_id": ("userid", "用户id", "钉钉id", "钉钉userid", "员工userid", "员工id"),
    "date": ("考勤日期", "日期", "打卡日期", "工作日期"),
    "punch_time": ("打卡时间", "实际打卡时间"),
    "result": ("打卡结果", "考勤结果", "结果"),
    "approvals": ("关联的审批单", "关联审批单", "审批单"),
}
LABELS = {
    "name": "姓名",
    "job_number": "工号",
    "user_id": "UserId",
    "date": "考勤日期",
    "punch_time": "打卡时间",
    "result": "打卡结果",
    "approvals": "关联的审批单",
}
IDENTITY = ("name", "job_number", "user_id")

_SHIFT_TIME = re.compile(r"^(上班|下班)(\d*)(?:打卡)?时间$")
_SHIFT_RESULT = re.compile(r"^(上班|下班)(\d*)(?:打卡)?结果$")
# Daily-statistics columns kept in DingTalkDay.results (besides the 上班N/下班N results).
STATS = frozenset((
    "出勤天数", "休息天数", "工作时长", "迟到次数", "迟到时长", "严重迟到次数", "严重迟到时长",
    "旷工迟到天数", "早退次数", "早退时长", "上班缺卡次数", "下班缺卡次数", "旷工天数",
    "出差时长", "外出时长", "加班时长", "加班总时长", "班次",
))  # fmt: skip
_STAT_PREFIXES = ("请假", "加班", "调休", "事假", "病假", "年假", "婚假", "产假", "丧假")
_UNIT_SUFFIX = re.compile(r"[(（][^()（）]*[)）]$")

HEADER_SCAN_ROWS = 20  # title rows above the header: DingTalk uses 1–3


def normalize(text: object) -> str:
    """Header text for matching: NFKC (full-width → half-width), no whitespace,
    lower-case, without a trailing unit such as "(分钟)"."""
    norm = unicodedata.normalize("NFKC", str(text))
    norm = "".join(norm.split()).lower()
    return _UNIT_SUFFIX.sub("", norm) or norm


@dataclass(frozen=True, slots=True)
class Column:
    index: int  # 0-based
    header: str  # as shown to users: "上班1打卡时间"
    names: tuple[str, ...]  # normalized candidates, best first
    sub: bool = False  # named by the lower row of a two-row header

    @property
    def letter(self) -> str:
        return get_column_letter(self.index + 1)


@dataclass(slots=True)
class HeaderLayout:
    rows: tuple[int, ...]  # Excel rows of the header
    columns: list[Column]
    fields: dict[str, Column] = field(default_factory=dict)
    shift_times: list[Column] = field(default_factory=list)
    shift_results: list[Column] = field(default_factory=list)
    stats: list[Column] = field(default_factory=list)
    full_hits: int = 0  # fields matched by their full (flattened) name

    @property
    def data_start(self) -> int:
        return self.rows[-1] + 1

    @property
    def score(self) -> int:
        return len(self.fields) + len(self.shift_times) + len(self.shift_results)

    @property
    def rank(self) -> tuple[int, int, int, int]:
        # More fields first; then more full-name hits, so that a title row read as
        # the "top" of a two-row header loses to the plain header below it; then the
        # reading that names more columns from a lower row: today's daily statistics
        # merge 姓名 … 上班1打卡时间 over both rows, so only the groups' sub-columns
        # (请假 over 事假/病假/调休) tell the two rows from a header and its first data
        # row (a data row under a header would have cost fields); then one row.
        subs = sum(c.sub for c in self.columns) if len(self.rows) == 2 else 0
        return (self.score, self.full_hits, subs, -len(self.rows))

    @property
    def plausible(self) -> bool:
        """Looks like a DingTalk attendance header: someone, and a date or a time."""
        has_identity = any(f in self.fields for f in IDENTITY)
        has_when = "date" in self.fields or "punch_time" in self.fields or bool(self.shift_times)
        return has_identity and has_when and self.score >= 3

    @property
    def kind(self) -> str | None:
        if self.shift_times:
            return "daily"
        if "punch_time" in self.fields:
            return "punches"
        return None


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def flatten(top: Sequence[object], sub: Sequence[object] | None = None) -> list[Column]:
    """Columns of a one-row header (`sub` None) or of a two-row header."""
    width = max(len(top), len(sub or ()))
    columns = []
    group = ""  # the top text of the group we are in, "" when none
    for i in range(width):
        upper = _text(top[i]) if i < len(top) else ""
        lower = _text(sub[i]) if sub is not None and i < len(sub) else ""
        if sub is None or not lower:
            group = ""
            header = upper
            names: tuple[str, ...] = (normalize(upper),) if upper else ()
        else:
            if upper:
                group = upper
            header = group + lower
            names = (normalize(header), normalize(lower)) if group else (normalize(lower),)
        if header:
            columns.append(Column(i, header, names, sub=bool(sub is not None and lower)))
    return columns


def layout(columns: list[Column], rows: tuple[int, ...]) -> HeaderLayout:
    """Assign columns to fields: full names first, sub-header fallbacks second."""
    result = HeaderLayout(rows, columns)
    used: set[int] = set()
    # 上班N/下班N columns first: under a "上班1" group, "打卡时间" must not be taken
    # for the raw records' 打卡时间 by the sub-header fallback.
    for col in columns:
        full = col.names[0] if col.names else ""
        if _SHIFT_TIME.match(full):
            result.shift_times.append(col)
        elif _SHIFT_RESULT.match(full):
            result.shift_results.append(col)
        else:
            continue
        used.add(col.index)
    for key, synonyms in FIELDS.items():
        found = _find(columns, synonyms, used, 0)
        if found is not None:
            result.full_hits += 1
        else:
            found = _find(columns, synonyms, used, 1)
        if found is not None:
            result.fields[key] = found
            used.add(found.index)
    for col in columns:
        if col.index not in used and any(
            n in STATS or n.startswith(_STAT_PREFIXES) for n in col.names
        ):
            result.stats.append(col)
    return result


def _find(
    columns: list[Column], synonyms: tuple[str, ...], used: set[int], level: int
) -> Column | None:
    for synonym in synonyms:
        for col in columns:
            if col.index in used:
                continue
            candidates = col.names[:1] if level == 0 else col.names[1:]
            if synonym in candidates:
                return col
    return None


def find_header(rows: Sequence[Sequence[object]], first_row: int = 1) -> HeaderLayout | None:
    """The best header among the first rows of a sheet, or None.

    Every row is tried as a one-row header and, with the row below, as a two-row
    header; the reading that recognizes the most fields wins (earliest and
    one-row on a tie, so a data row is never mistaken for a sub-header)."""
    best: HeaderLayout | None = None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if not any(_text(v) for v in row):
            continue
        candidates = [layout(flatten(row), (first_row + i,))]
        if i + 1 < len(rows):
            two = (first_row + i, first_row + i + 1)
            candidates.append(layout(flatten(row, rows[i + 1]), two))
        for cand in candidates:
            if cand.plausible and (best is None or cand.rank > best.rank):
                best = cand
    return best
