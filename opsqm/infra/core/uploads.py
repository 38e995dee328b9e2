"""Uploaded files: checked, stored outside the web root, served only through
permission-checked views.

- `validate_upload(f, kinds)` accepts a file only when its extension AND its
  first bytes agree on one of the allowed kinds (pdf, png, jpeg, docx, xlsx,
  txt/log) and it is at most settings.OPSQM_UPLOAD_MAX_BYTES long.  A renamed
  executable (`scan.pdf` that starts with `MZ`) is refused.
- `UploadValidator(...)` is the same as a model/form field validator.
- `upload_to(prefix)` names stored files `<prefix>/<yyyy>/<mm>/<random>.<ext>`
  under MEDIA_ROOT (VAR_DIR/uploads; MEDIA_URL is None: no public URL exists).
- `download_response(field_file, filename)` / `serve_protected(qs, pk, field)`
  answer a download as an attachment with `X-Content-Type-Options: nosniff`;
  the caller passes the queryset the user may see, so others get 404.

Example (a model of another app)::

    scan = models.FileField(upload_to=upload_to("staff/verification"),
                            validators=[UploadValidator("pdf", "png", "jpeg")])

    @login_required
    def scan_download(request, pk):
        return serve_protected(visible_staff(request.user), pk, "scan")
"""

from __future__ import annotations

import datetime
import os
import uuid
import zipfile
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# kind → (extensions, content type)
KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "pdf": ((".pdf",), "application/pdf"),
    "png": ((".png",), "image/png"),
    "jpeg": ((".jpg", ".jpeg"), "image/jpeg"),
    "docx": (
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": ((".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "txt": ((".txt", ".log"), "text/plain; charset=utf-8"),
}
ALL_KINDS = tuple(KINDS)
_HEAD = 8192


def _read_head(f: Any) -> bytes:
    pos = f.tell() if hasattr(f, "tell") else 0
    f.seek(0)
    head = f.read(_HEAD)
    f.seek(pos)
    return bytes(head)


def _zip_members(f: Any) -> set[str]:
    pos = f.tell()
    f.seek(0)
    try:
        with zipfile.ZipFile(f) as z:
            return set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()
    finally:
        f.seek(pos)


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the sample is fine.
            if exc.start >= len(head) - 4:
                return True
    return False


def sniff(f: Any, kind: str) -> bool:
    """Do the file's bytes look like `kind`?"""
    head = _read_head(f)
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if kind in ("docx", "xlsx"):
        if not head.startswith(b"PK\x03\x04"):
            return False
        members = _zip_members(f)
        marker = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
        return "[Content_Types].xml" in members and marker in members
    if kind == "txt":
        return _is_text(head)
    return False


def kind_of_name(name: str) -> str | None:
    ext = os.path.splitext(name or "")[1].lower()
    for kind, (exts, _ctype) in KINDS.items():
        if ext in exts:
            return kind
    return None


def validate_upload(f: Any, kinds: Iterable[str] = ALL_KINDS, max_bytes: int | None = None) -> str:
    """The kind of an acceptable upload; ValidationError otherwise."""
    allowed = tuple(kinds)
    limit = settings.OPSQM_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    size = getattr(f, "size", None)
    if size is None:
        size = len(_read_head(f))
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > limit:
        raise ValidationError(
            _("The file is too large (at most %(mb).1f MB).") % {"mb": limit / 1024 / 1024},
            code="too_large",
        )
    kind = kind_of_name(getattr(f, "name", "") or "")
    if kind is None or kind not in allowed:
        exts = ", ".join(e for k in allowed for e in KINDS[k][0])
        raise ValidationError(
            _("This type of file is not accepted (allowed: %(exts)s).") % {"exts": exts},
            code="bad_extension",
        )
    if not sniff(f, kind):
        raise ValidationError(
            _("The file's content does not match its extension."), code="bad_content"
        )
    return kind


@deconstructible
class UploadValidator:
    """Field validator: `validators=[UploadValidator("pdf", "png")]`."""

    def __init__(self, *kinds: str, max_bytes: int | None = None) -> None:
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown upload kinds: {sorted(unknown)}")
        self.kinds = kinds or ALL_KINDS
        self.max_bytes = max_bytes

    def __call__(self, f: Any) -> None:
        validate_upload(f, self.kinds, self.max_bytes)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, UploadValidator)
            and self.kinds == other.kinds
            and self.max_bytes == other.max_bytes
        )

    def __hash__(self) -> int:
        return hash((self.kinds, self.max_bytes))


@deconstructible
class upload_to:
    """`upload_to=upload_to("staff/verification")`: a random stored name that keeps
    only the (lower-case) extension; the user's file name never reaches the disk."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix.strip("/")

    def __call__(self, instance: Any, filename: str) -> str:
        ext = os.path.splitext(filename)[1].lower()
        if not ext.isascii() or len(ext) > 8:
            ext = ""
        today = datetime.date.today()
        return f"{self.prefix}/{today:%Y}/{today:%m}/{uuid.uuid4().hex}{ext}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, upload_to) and self.prefix == other.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)


def download_response(field_file: Any, filename: str | None = None) -> FileResponse:
    """A stored file as an attachment, never rendered inline by the browser."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    name = filename or os.path.basename(field_file.name)
    kind = kind_of_name(field_file.name)
    content_type = KINDS[kind][1] if kind else "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def serve_protected(
    queryset: QuerySet[Any],
    pk: Any,
    field: str,
    filename: Callable[[Model], str] | None = None,
) -> FileResponse:
    """Download `field` of object `pk`, looked up in the queryset the user may see
    (so an object outside the user's scope is 404, like its page)."""
    obj = get_object_or_404(queryset, pk=pk)
    return download_response(getattr(obj, field), filename(obj) if filename else None)


def as_upload(data: bytes, name: str) -> Any:
    """A SimpleUploadedFile-like object (tests, imports)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


__all__ = [
    "ALL_KINDS",
    "KINDS",
    "UploadValidator",
    "as_upload",
    "download_response",
    "serve_protected",
    "sniff",
    "upload_to",
    "validate_upload",
]
