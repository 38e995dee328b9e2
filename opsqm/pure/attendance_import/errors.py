"""Import errors: every problem names where it is, in Chinese, for the upload page.

The import is all-or-nothing: a reader collects every issue it finds (up to a cap,
so that a file broken on every row does not build a million messages) and raises
one `DingTalkImportError` at the end instead of returning rows.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_ISSUES = 200


@dataclass(frozen=True, slots=True)
class ImportIssue:
    """One problem.  `row` is the Excel row (1-based), `item` the index (0-based) of
    an open-API record; `column` the Excel letter ("D"), `header` the column's
    header or the API field."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    header: str | None = None
    value: str | None = None
    item: int | None = None

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.item is not None:
            where.append(f"第 {self.item + 1} 条记录（下标 {self.item}）")
        if self.column and self.header:
            where.append(f"{self.column} 列（{self.header}）")
        elif self.column:
            where.append(f"{self.column} 列")
        elif self.header:
            where.append(f"字段 {self.header}")
        prefix = " ".join(where)
        return f"{prefix}：{self.message}" if prefix else self.message


class DingTalkImportError(ValueError):
    """The file (or API payload) cannot be imported; `issues` says everything wrong."""

    def __init__(self, issues: list[ImportIssue], omitted: int = 0) -> None:
        self.issues = list(issues)
        self.omitted = omitted  # issues beyond MAX_ISSUES, counted but not kept
        super().__init__(self.summary())

    def summary(self) -> str:
        lines = [str(issue) for issue in self.issues[:20]]
        more = len(self.issues) - len(lines) + self.omitted
        if more > 0:
            lines.append(f"……另有 {more} 处错误")
        return "\n".join(lines)


class IssueCollector:
    """Collects issues up to MAX_ISSUES and counts the rest."""

    def __init__(self) -> None:
        self.issues: list[ImportIssue] = []
        self.omitted = 0

    def add(self, issue: ImportIssue) -> None:
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(issue)
        else:
            self.omitted += 1

    def __bool__(self) -> bool:
        return bool(self.issues)

    def raise_if_any(self) -> None:
        if self.issues:
            raise DingTalkImportError(self.issues, self.omitted)


def show_value(value: object) -> str:
    """The bad value as the user typed it, shortened for a message."""
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"
