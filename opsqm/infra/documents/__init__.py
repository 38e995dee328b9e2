"""Printable documents: PDF from Django templates and DOCX, with Chinese fonts
embedded, plus the verification hash printed on them.

Shared by every printed form of the platform (the ticket form now; settlement
statements and reports later):

- `render_pdf(template_name, context)` → PDF bytes (A4, WeasyPrint, CJK fonts
  embedded as subsets; no network fetch: see `opsqm.infra.documents.pdf`);
- `docx_document()` → a `DocxDocument` helper over python-docx whose text is set
  in 宋体/黑体 for Word (w:eastAsia) and Times New Roman for Latin text;
- `content_hash(content)`, `short_code(digest)`, `hash_matches(given, digest)`:
  SHA-256 over canonical JSON, so a printed document can be checked against the
  record it was printed from (`opsqm.infra.documents.verification`).

Templates extend `documents/base_print.html` (A4 page, the form table styles,
the fonts).  The PDF fonts come from fontconfig: Debian's fonts-noto-cjk
(`scripts/install-system-deps.sh`).
"""
