"""The header's bell: the count of unread inbox items, computed only when a page
that shows the header renders it (and then once)."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest


def inbox(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def inbox_unread() -> int:
        from opsqm.edges.home.inbox import unread_count

        return unread_count(user)

    return {"inbox_unread": inbox_unread}
