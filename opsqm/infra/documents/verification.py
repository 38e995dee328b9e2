"""The verification hash of a printed document.

A document prints the SHA-256 of its record's canonical content: compact JSON
with sorted keys, UTF-8, datetimes in ISO 8601, Decimals as text.  Anyone holding
the paper or the PDF can type the short code (the first 16 hex digits, grouped by
four) or the full hash into the verification page and learn whether the record
still has the content that was printed.  Changing any printed field changes the
hash.  The hash proves agreement with the database, not authorship: the audit log
tells who changed what.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

SHORT_CODE_DIGITS = 16
_HEX = re.compile(r"[0-9a-f]+")


def _default(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    return str(value)


def canonical_bytes(content: Mapping[str, Any]) -> bytes:
    """The bytes that are hashed (binary values, e.g. a signature image, enter by
    their own SHA-256)."""
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default
    ).encode("utf-8")


def content_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical content, 64 lower-case hex digits."""
    return hashlib.sha256(canonical_bytes(content)).hexdigest()


def short_code(digest: str) -> str:
    """The printed short code: `3F2A-9B1C-04D7-E5A0` (the first 64 bits)."""
    head = digest[:SHORT_CODE_DIGITS].upper()
    return "-".join(head[i : i + 4] for i in range(0, len(head), 4))


def normalise(given: str) -> str:
    """What the user typed, as lower-case hex (spaces, dashes and case ignored);
    empty when it is not a hash or a short code."""
    text = re.sub(r"[\s\-–—:]", "", given or "").lower()
    if not _HEX.fullmatch(text) or len(text) not in (SHORT_CODE_DIGITS, 64):
        return ""
    return text


def hash_matches(given: str, digest: str) -> bool:
    """Does a typed full hash or short code name `digest`?"""
    text = normalise(given)
    if not text:
        return False
    return hmac.compare_digest(text, digest[: len(text)])
