from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from opsqm.infra.core.navigation import account_menu_for, menu_html


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_html": "", "account_items": []}
    return {
        "nav_html": menu_html(user, request.path),
        "account_items": account_menu_for(request.path),
    }
