"""Reading PDFs back in tests with poppler-utils (scripts/install-system-deps.sh)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path


def _run(args: list[str], pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return subprocess.run(
            [*args, f.name, "-"] if args[0] == "pdftotext" else [*args, f.name],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout


def pdf_text(pdf: bytes, layout: bool = False) -> str:
    """The text of every page, in reading order (or as laid out with `layout`)."""
    return _run(["pdftotext", *(["-layout"] if layout else []), "-enc", "UTF-8"], pdf)


def pdf_fonts(pdf: bytes) -> list[dict[str, str]]:
    """pdffonts' table: one dict per font (name, type, emb, sub, uni)."""
    lines = _run(["pdffonts"], pdf).splitlines()[2:]
    fonts = []
    for line in lines:
        parts = line.split()
        # name type… encoding emb sub uni object-id gen
        fonts.append(
            {"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3], "line": line}
        )
    return fonts


def pdf_pages(pdf: bytes) -> int:
    for line in _run(["pdfinfo"], pdf).splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError("pdfinfo gave no page count")


def render_png(pdf: bytes, out: Path, dpi: int = 80, page: int = 1) -> Path:
    """Page `page` as a PNG (pdftoppm), for looking at."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        stem = out.with_suffix("")
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
             "-singlefile", f.name, str(stem)],
            check=True,
            capture_output=True,
            timeout=60,
        )  # fmt: skip
    return stem.with_suffix(".png")
