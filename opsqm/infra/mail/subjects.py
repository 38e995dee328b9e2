"""Ticket numbers in subjects: `[GD-2025-0001] 打印机故障`."""

from __future__ import annotations

import functools
import re

from django.conf import settings


@functools.lru_cache(maxsize=8)
def _tag_re(prefix: str) -> re.Pattern[str]:
    # ASCII or full-width brackets (a Chinese input method types 【】), any case.
    return re.compile(
        rf"[\[【［]\s*({re.escape(prefix)}-\d{{4}}-\d{{3,}})\s*[\]】］]", re.IGNORECASE
    )


def ticket_subject(number: str, text: str) -> str:
    """The subject of a mail about work order `number`: `[number] text`, tagged once."""
    number = number.strip()
    text = " ".join(text.split())
    if not number:
        return text
    if find_ticket_number(text, prefix=number.split("-", 1)[0]) == number.upper():
        return text
    return f"[{number}] {text}".strip()


def find_ticket_number(subject: str | None, *, prefix: str | None = None) -> str | None:
    """The work-order number tagged in a subject (`Re: 回复：[GD-2025-0001] …`)."""
    if not subject:
        return None
    m = _tag_re(prefix or settings.MAIL_TICKET_PREFIX).search(subject)
    return m.group(1).upper() if m else None
