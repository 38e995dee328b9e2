"""DOCX documents with python-docx, set in the fonts a Chinese Word expects.

Word picks the font of Chinese characters from the run's `w:eastAsia` attribute,
not from the font name python-docx sets (`w:ascii`/`w:hAnsi`): without it Chinese
text falls back to the theme font and the document looks foreign.  Everything
written through `DocxDocument` therefore names 宋体 (body) or 黑体 (headings,
labels) for East-Asian text and Times New Roman for Latin text, on the styles and
on every run.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

SONG = "宋体"  # SimSun: body text
HEI = "黑体"  # SimHei: titles and labels
LATIN = "Times New Roman"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _set_fonts(rpr: Any, east_asia: str, latin: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia)):
        fonts.set(qn(attr), value)
    # Theme fonts would otherwise win over the names above.
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def set_run_font(run: Any, east_asia: str = SONG, latin: str = LATIN) -> None:
    """Name the fonts of a run for Latin and East-Asian text."""
    _set_fonts(run._r.get_or_add_rPr(), east_asia, latin)


def _style_font(style: Any, east_asia: str, size: float | None = None, bold: bool = False) -> None:
    if size:
        style.font.size = Pt(size)
    style.font.bold = bold
    _set_fonts(style.element.get_or_add_rPr(), east_asia, LATIN)


def _shade(cell: Any, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


class DocxDocument:
    """A python-docx `Document` on A4 with Chinese fonts, and the few building
    blocks the platform's forms use.  `.document` is the python-docx object for
    anything else."""

    def __init__(self, *, body_size: float = 10.5, margins_cm: float = 2.0) -> None:
        self.document = Document()
        section = self.document.sections[0]
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(margins_cm))
        styles = self.document.styles
        _style_font(styles["Normal"], SONG, body_size)
        for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
            _style_font(styles[name], HEI, bold=True)
            styles[name].font.color.rgb = None

    # -- text ---------------------------------------------------------------
    def title(self, text: str, size: float = 18) -> Any:
        p = self.document.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold = True
        run.font.size = Pt(size)
        set_run_font(run, HEI)
        return p

    def paragraph(
        self,
        text: str = "",
        *,
        bold: bool = False,
        size: float | None = None,
        align: str = "left",
        east_asia: str = SONG,
    ) -> Any:
        p = self.document.add_paragraph()
        p.alignment = {
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
        }[align]
        if text:
            self.add_text(p, text, bold=bold, size=size, east_asia=east_asia)
        return p

    @staticmethod
    def add_text(
        paragraph: Any,
        text: str,
        *,
        bold: bool = False,
        size: float | None = None,
        east_asia: str = SONG,
    ) -> Any:
        """Append text to a paragraph; line breaks in `text` become breaks."""
        run = None
        for i, line in enumerate(str(text).split("\n")):
            if i:
                paragraph.add_run().add_break()
            run = paragraph.add_run(line)
            run.bold = bold
            if size:
                run.font.size = Pt(size)
            set_run_font(run, east_asia)
        return run

    # -- tables -------------------------------------------------------------
    def table(self, rows: int, cols: int, widths_cm: Sequence[float] | None = None) -> Any:
        """A bordered table of rows × cols (style 'Table Grid'), centred."""
        t = self.document.add_table(rows=rows, cols=cols)
        t.style = self.document.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        if widths_cm:
            for row in t.rows:
                for cell, width in zip(row.cells, widths_cm, strict=False):
                    cell.width = Cm(width)
        return t

    def set_cell(
        self,
        cell: Any,
        text: str,
        *,
        label: bool = False,
        size: float | None = None,
        align: str = "left",
    ) -> Any:
        """Write `text` into a cell: labels in 黑体 on grey, values in 宋体."""
        cell.text = ""
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER if align == "center" else WD_ALIGN_PARAGRAPH.LEFT
        self.add_text(p, text, bold=label, size=size, east_asia=HEI if label else SONG)
        if label:
            _shade(cell, "F2F2F2")
        return cell

    def image(self, data: bytes, width_cm: float, paragraph: Any = None) -> Any:
        """An image (PNG/JPEG bytes) in a new paragraph or at the end of `paragraph`."""
        p = paragraph if paragraph is not None else self.document.add_paragraph()
        p.add_run().add_picture(io.BytesIO(data), width=Cm(width_cm))
        return p

    def page_break(self) -> None:
        self.document.add_page_break()

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()


def docx_document(**options: Any) -> DocxDocument:
    """A new A4 document with 宋体/黑体 for Chinese text."""
    return DocxDocument(**options)
