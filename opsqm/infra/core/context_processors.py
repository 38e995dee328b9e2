from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from opsqm.infra.core.navigation import account_menu_for, menu_for, menu_groups


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": [], "account_items": []}
    return {
        "nav_groups": menu_groups(menu_for(user, request.path)),
        "account_items": account_menu_for(request.path),
    }
