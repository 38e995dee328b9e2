"""The files the demo's people hand in, made without any imaging or office library
beyond openpyxl: a drawn PNG (a signature, a photo's stand-in), a one-page PDF (a
document the vendor wrote elsewhere) and DingTalk's raw punch export."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from opsqm.facts.tickets.services import PNG_MAGIC

# DingTalk's raw punch records (原始记录), the columns of its admin console export.
DINGTALK_HEADER = (
    "姓名", "考勤组", "部门", "工号", "职位", "UserId", "考勤日期", "考勤时间",
    "打卡时间", "打卡结果", "打卡地址", "打卡备注", "异常打卡原因", "打卡设备",
)  # fmt: skip
WEEKDAYS_CN = "一二三四五六日"


def png(points: Sequence[tuple[int, int]], width: int = 240, height: int = 80) -> bytes:
    """A grey-scale PNG with a pen stroke through `points` (a drawn signature, a
    photo's stand-in): written by hand, no imaging library needed."""
    rows = [bytearray(b"\xff" * width) for _ in range(height)]
    for (x0, y0), (x1, y1) in pairwise(points):
        n = max(abs(x1 - x0), abs(y1 - y0), 1)
        for i in range(n + 1):
            x, y = x0 + (x1 - x0) * i // n, y0 + (y1 - y0) * i // n
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    if 0 <= x + dx < width and 0 <= y + dy < height:
                        rows[y + dy][x + dx] = 40

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        PNG_MAGIC
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


SIGNATURE_STROKE = ((14, 58), (40, 18), (62, 60), (88, 22), (112, 56), (150, 28), (226, 40))
PHOTO_STROKE = ((20, 20), (220, 20), (220, 60), (20, 60), (20, 20), (120, 40))


def pdf(lines: Sequence[str]) -> bytes:
    """A one-page PDF with a few lines of ASCII text: the stand-in for a document the
    vendor scanned or wrote elsewhere."""

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = "BT /F1 12 Tf 56 780 Td 18 TL " + " ".join(f"({esc(t)}) '" for t in lines) + " ET"
    stream = text.encode("ascii", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def dingtalk_xlsx(first: date, last: date, rows: list[list[Any]], made: datetime) -> bytes:
    """A DingTalk 原始记录 export: title rows above the header, dates as
    "26-09-01 星期二", punch times as text with seconds."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "原始记录"
    width = len(DINGTALK_HEADER)
    for title in (
        f"原始记录 统计日期：{first:%Y-%m-%d} 至 {last:%Y-%m-%d}",
        f"报表生成时间：{made:%Y-%m-%d %H:%M}",
    ):
        ws.append([title])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    ws.append(list(DINGTALK_HEADER))
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
