"""The in-app inbox: the home page's to-do items (opsqm.edges.home.todo) with each
user's read/unread (opsqm.infra.accounts.inbox), and the bell's count in the header.

The bell is on every page, so its count is kept a short while in the process's own
cache ("local", `OPSQM_INBOX_BELL_SECONDS`); marking items read forgets it at once."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import caches

from opsqm.edges.home.todo import todo
from opsqm.infra.accounts.inbox import read_items


def _cache_key(user: Any) -> str:
    return f"opsqm:inbox:bell:{user.pk}"


def inbox(user: Any) -> dict[str, Any]:
    """The sections with their rows marked read or not, and the unread count.

    An item counted but not listed (past the first few of a section) has not been
    seen, so it counts as unread."""
    sections = todo(user)
    ids = [r["id"] for s in sections for r in s["rows"]]
    read = read_items(user, ids)
    for s in sections:
        for r in s["rows"]:
            r["read"] = r["id"] in read
        s["unread"] = s["count"] - sum(1 for r in s["rows"] if r["read"])
    total = sum(s["count"] for s in sections)
    return {"sections": sections, "ids": ids, "total": total, "unread": total - len(read)}


def unread_count(user: Any) -> int:
    value = caches["local"].get(_cache_key(user))
    if value is None:
        value = inbox(user)["unread"]
        remember(user, value)
    return int(value)


def remember(user: Any, unread: int) -> None:
    caches["local"].set(_cache_key(user), unread, getattr(settings, "OPSQM_INBOX_BELL_SECONDS", 30))


def forget(user: Any) -> None:
    caches["local"].delete(_cache_key(user))
