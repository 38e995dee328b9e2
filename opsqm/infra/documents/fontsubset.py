"""Smaller CJK fonts in the PDFs: a WeasyPrint finisher.

WeasyPrint subsets a font but keeps every glyph id up to the highest one used
("retain gids"), because its page content addresses glyphs by their id in the
full font.  In Noto Serif/Sans CJK the ideographs sit at ids around 10,000-60,000,
so each embedded subset still carries 60,000 empty glyphs with their metrics:
about 150 KB compressed per font, three fonts per form, ~470 KB for a one-page
ticket.

The CJK fonts are CID-keyed CFF whose CIDs equal their glyph ids.  A bare CFF
program embedded as `/FontFile3 /Subtype /CIDFontType0C` is addressed by CID
through its own charset (PDF 32000, 9.7.4.2), so the subset can drop the empty
glyphs: the page content, widths (/W) and ToUnicode map keep the CIDs they have.
The finisher below re-subsets each such font with HarfBuzz (as WeasyPrint does)
without keeping ids, checks that every glyph shown has its old id as CID (read
once per font and process), and embeds the CFF table alone.  Any other font
(TrueType, name-keyed CFF, CIDs that are not ids) and any surprise from
WeasyPrint's internals leave the stream as WeasyPrint wrote it: the document is
only ever made smaller, never wrong.
"""

from __future__ import annotations

import io
import logging
from typing import Any

logger = logging.getLogger(__name__)

_DROP_TABLES = (b"BASE", b"DSIG", b"GPOS", b"GSUB", b"JSTF", b"SVG ", b"cmap")


def _hb_subset_cff(hb_face: Any, gids: list[int]) -> bytes | None:
    """The CFF table of `hb_face` subset to `gids` (new, dense glyph ids)."""
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

    if not harfbuzz_subset:
        return None
    hb_input = ffi.gc(
        harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy
    )
    glyphs = harfbuzz_subset.hb_subset_input_glyph_set(hb_input)
    glyph_array = ffi.new(f"hb_codepoint_t[{len(gids)}]", gids)
    harfbuzz.hb_set_add_sorted_array(glyphs, glyph_array, len(gids))
    # Without the layout tables the glyph closure adds no alternates.
    drop = harfbuzz_subset.hb_subset_input_set(
        hb_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG
    )
    tags = sorted(harfbuzz.hb_tag_from_string(t, -1) for t in _DROP_TABLES)
    harfbuzz.hb_set_add_sorted_array(drop, ffi.new(f"hb_codepoint_t[{len(tags)}]", tags), len(tags))
    harfbuzz_subset.hb_subset_input_set_flags(
        hb_input,
        harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
        | harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
        | harfbuzz_subset.HB_SUBSET_FLAGS_NO_LAYOUT_CLOSURE,
    )
    face = harfbuzz_subset.hb_subset_or_fail(hb_face, hb_input)
    if face == ffi.NULL:
        return None
    face = ffi.gc(face, harfbuzz.hb_face_destroy)
    blob = ffi.gc(
        harfbuzz.hb_face_reference_table(face, harfbuzz.hb_tag_from_string(b"CFF ", -1)),
        harfbuzz.hb_blob_destroy,
    )
    length = ffi.new("unsigned int *")
    data = harfbuzz.hb_blob_get_data(blob, length)
    if not length[0]:
        return None
    return bytes(ffi.buffer(data, length[0]))


def _charset(cff: bytes) -> list[str] | None:
    """The glyph names of a CID-keyed CFF program ("cid01234" = CID 1234), else None."""
    from fontTools.cffLib import CFFFontSet

    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(cff), None)
    top = fonts.topDictIndex[0]
    return list(top.charset) if hasattr(top, "ROS") else None


# font hash → how many of its first glyph ids are known to be their own CIDs.  A
# property of the font file, so each font is read once per process.
_IDENTITY_UP_TO: dict[str, int] = {}


def _ids_are_cids(font: Any, embedded: bytes, top: int) -> bool:
    """Does glyph id g of `font` have CID g for every g <= top?"""
    if _IDENTITY_UP_TO.get(font.hash, -1) >= top:
        return True
    from fontTools.ttLib import TTFont

    reader = TTFont(io.BytesIO(embedded), lazy=True).reader
    if "CFF " not in reader:
        return False
    charset = _charset(reader["CFF "])
    if charset is None:
        return False
    known = 0
    for gid, name in enumerate(charset[1:], start=1):
        if name != f"cid{gid:05d}":
            break
        known = gid
    _IDENTITY_UP_TO[font.hash] = known
    return known >= top


def compact_cid_fonts(document: Any, pdf: Any) -> None:
    """WeasyPrint `finisher`: embed CID-keyed CFF fonts without their empty glyphs."""
    import pydyf

    try:
        # As WeasyPrint embeds them: one file per font hash, the first font's bytes,
        # the glyphs of every font of that hash.
        by_hash: dict[Any, list[Any]] = {}
        for font in document.fonts.values():
            by_hash.setdefault(font.hash, []).append(font)
        fonts_by_content = {id(group[0].file_content): group for group in by_hash.values()}
        for obj in pdf.objects:
            if not isinstance(obj, pydyf.Stream) or obj.extra.get("Subtype") != "/OpenType":
                continue
            if len(obj.stream) != 1:
                continue
            fonts = fonts_by_content.get(id(obj.stream[0]))
            if not fonts:
                continue
            gids = sorted({0, *(g for f in fonts for g in f.to_unicode)})
            if not _ids_are_cids(fonts[0], obj.stream[0], gids[-1]):
                continue
            cff = _hb_subset_cff(fonts[0].hb_face, gids)
            if cff is None or len(cff) >= len(obj.stream[0]):
                continue
            # HarfBuzz keeps each glyph's CID; every glyph the page shows must be there.
            names = set(_charset(cff) or ())
            if not all(f"cid{g:05d}" in names for g in gids if g):
                continue
            obj.stream = [cff]
            obj.extra["Subtype"] = "/CIDFontType0C"
    except Exception:  # a newer WeasyPrint: print as it would, only larger
        logger.warning("PDF fonts left as WeasyPrint embedded them", exc_info=True)
