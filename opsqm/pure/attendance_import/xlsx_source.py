"""Row streams of a workbook's sheets, from one of two engines.

- calamine (python-calamine, Rust): ≈16× faster than openpyxl on a DingTalk export
  (1 s instead of 16 s for 125,000 rows × 14 columns); holds one sheet's cells in
  native memory.  Used when installed.
- openpyxl read-only + values_only: pure Python, streams the sheet; the fallback.

Both give tuples of cell values (dates/times as Python objects when the cell is
formatted so); empty cells are None or "".  Merged cells read as empty beyond
their first cell in both, which is what headers.flatten expects.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from types import ModuleType
from typing import IO, Any, Literal

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from .errors import DingTalkImportError, ImportIssue

python_calamine: ModuleType | None
try:
    import python_calamine
except ImportError:  # pragma: no cover - depends on the installation
    python_calamine = None

Source = str | os.PathLike[str] | bytes | IO[bytes]
Engine = Literal["auto", "calamine", "openpyxl"]
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


@dataclass
class SheetRows:
    title: str
    estimated_rows: int  # from the sheet's dimension; 0 when unknown
    first_row: int  # Excel row number of the first tuple of `rows`
    rows: Iterator[tuple[Any, ...]]


def open_sheets(source: Source, stack: ExitStack, engine: Engine = "auto") -> list[SheetRows]:
    """The sheets of `source`; resources are released when `stack` closes."""
    stream = _stream(source, stack)
    if stream.read(4) == _OLE2_MAGIC:
        raise DingTalkImportError(
            [ImportIssue("这是旧版 .xls 文件，请在 Excel 或 WPS 中另存为 .xlsx 后再导入")]
        )
    stream.seek(0)
    if not zipfile.is_zipfile(stream):
        raise _not_xlsx("不是 zip 格式")
    stream.seek(0)
    if engine == "calamine" or (engine == "auto" and python_calamine is not None):
        return _calamine(stream)
    return _openpyxl(stream, stack)


def _stream(source: Source, stack: ExitStack) -> IO[bytes]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(source))
    if isinstance(source, (str, os.PathLike)):
        # Opened here so that openpyxl does not insist on an ".xlsx" file name
        # (an uploaded temp file has none).
        return stack.enter_context(open(source, "rb"))
    return source


def _not_xlsx(why: str) -> DingTalkImportError:
    return DingTalkImportError([ImportIssue(f"文件不是有效的 xlsx 工作簿（{why}）")])


def _openpyxl(stream: IO[bytes], stack: ExitStack) -> list[SheetRows]:
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError) as exc:
        raise _not_xlsx(type(exc).__name__) from exc
    stack.callback(workbook.close)
    sheets = []
    for ws in workbook.worksheets:
        if not isinstance(ws, ReadOnlyWorksheet):
            continue
        estimate = ws.max_row or 0
        # The declared dimension can be wrong (some writers say "A1"); streaming
        # without it reads every row instead of stopping at the declared end.
        ws.reset_dimensions()
        sheets.append(SheetRows(ws.title, estimate, 1, ws.iter_rows(values_only=True)))
    return sheets


def _calamine(stream: IO[bytes]) -> list[SheetRows]:
    if python_calamine is None:
        raise RuntimeError("python-calamine is not installed")
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(stream)
        sheets = []
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            first_row, first_col = sheet.start or (0, 0)  # None for an empty sheet
            rows: Iterator[tuple[Any, ...]] = (tuple(r) for r in sheet.iter_rows())
            if first_col:  # the used range starts right of A: keep Excel column letters
                rows = ((None,) * first_col + r for r in rows)
            sheets.append(SheetRows(name, sheet.height, first_row + 1, rows))
    except python_calamine.CalamineError as exc:
        raise _not_xlsx(str(exc)) from exc
    return sheets
