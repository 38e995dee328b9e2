"""Thread tags in subjects: `[GD-2025-0001] 打印机故障`.

Work orders use `MAIL_TICKET_PREFIX` (GD).  Other registers that send mail under
第二十一条 (change notices, incident instructions, manager copies) register their own
prefix with `register_thread_prefix` in their AppConfig.ready(): this package never
imports them, it only recognises their tags."""

from __future__ import annotations

import functools
import re

from django.conf import settings

_EXTRA_PREFIXES: list[str] = []


@functools.lru_cache(maxsize=32)
def _tag_re(prefix: str) -> re.Pattern[str]:
    # ASCII or full-width brackets (a Chinese input method types 【】), any case.
    return re.compile(
        rf"[\[【［]\s*({re.escape(prefix)}-\d{{4}}-\d{{3,}})\s*[\]】］]", re.IGNORECASE
    )


def register_thread_prefix(prefix: str) -> None:
    """Recognise `[<prefix>-YYYY-NNNN]` tags as thread references too."""
    prefix = prefix.strip().upper()
    if prefix and prefix not in _EXTRA_PREFIXES:
        _EXTRA_PREFIXES.append(prefix)


def thread_prefixes() -> list[str]:
    """The work-order prefix first, then the registered ones."""
    return [settings.MAIL_TICKET_PREFIX.upper(), *_EXTRA_PREFIXES]


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


def find_thread_ref(subject: str | None) -> str | None:
    """The first thread tag of any known prefix in a subject: a work-order number,
    or a registered register's reference (`[BG-2026-0001]` of a change notice)."""
    for prefix in thread_prefixes():
        found = find_ticket_number(subject, prefix=prefix)
        if found:
            return found
    return None
