"""The main menu, per role.  Each app adds its entries here as it grows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from opsqm.accounts.roles import Role

R = Role


@dataclass(frozen=True)
class NavItem:
    label: Any
    url: str
    active: bool


# (label, url name, roles that see it)
MENU: list[tuple[Any, str, frozenset[str]]] = [
    (_("Home"), "core:home", frozenset(Role.values)),
    (
        _("Contracts"),
        "contracts:list",
        frozenset(
            {
                R.ASSESSOR,
                R.SERVICE_DESK,
                R.SUPERVISOR,
                R.VENDOR_MANAGER,
                R.VENDOR_ENGINEER,
                R.RECIPIENT,
            }
        ),
    ),
    (
        _("Work orders"),
        "tickets:board",
        frozenset({R.ASSESSOR, R.SERVICE_DESK, R.SUPERVISOR, R.VENDOR_MANAGER}),
    ),
    (_("My work orders"), "tickets:mine", frozenset({R.VENDOR_ENGINEER})),
    (_("My unit's work orders"), "tickets:unit", frozenset({R.RECIPIENT})),
    (_("Refused mail"), "tickets:refused_mail", frozenset({R.SERVICE_DESK})),
    (
        _("Vendor staff"),
        "staff:list",
        frozenset({R.ASSESSOR, R.SERVICE_DESK, R.SUPERVISOR, R.VENDOR_MANAGER, R.VENDOR_ENGINEER}),
    ),
    (
        _("Assessment ledger"),
        "ledger:index",
        frozenset({R.ASSESSOR, R.SUPERVISOR, R.SERVICE_DESK, R.VENDOR_MANAGER}),
    ),
    (
        _("Replacements"),
        "staff:replacements",
        frozenset({R.ASSESSOR, R.SERVICE_DESK, R.SUPERVISOR, R.VENDOR_MANAGER}),
    ),
    (
        _("Attendance"),
        "attendance:index",
        frozenset(
            {
                R.ASSESSOR,
                R.SERVICE_DESK,
                R.SUPERVISOR,
                R.VENDOR_MANAGER,
                R.VENDOR_ENGINEER,
                R.RECIPIENT,
            }
        ),
    ),
    (
        _("Incidents"),
        "incidents:list",
        frozenset({R.ASSESSOR, R.SERVICE_DESK, R.SUPERVISOR, R.VENDOR_MANAGER, R.VENDOR_ENGINEER}),
    ),
    (
        _("Rectification"),
        "incidents:rectifications",
        frozenset({R.ASSESSOR, R.SERVICE_DESK, R.SUPERVISOR, R.VENDOR_MANAGER, R.VENDOR_ENGINEER}),
    ),
    (
        _("Deliveries"),
        "incidents:deliveries",
        frozenset({R.ASSESSOR, R.SERVICE_DESK, R.SUPERVISOR, R.VENDOR_MANAGER, R.VENDOR_ENGINEER}),
    ),
    (
        _("Praise"),
        "incidents:praise",
        frozenset({R.ASSESSOR, R.SERVICE_DESK, R.SUPERVISOR, R.VENDOR_MANAGER, R.VENDOR_ENGINEER}),
    ),
    (
        _("Quarterly evaluations"),
        "incidents:campaigns",
        frozenset({R.ASSESSOR, R.SERVICE_DESK, R.SUPERVISOR}),
    ),
    (_("Rate your vendors"), "incidents:rate", frozenset({R.RECIPIENT})),
    (
        _("Settlement"),
        "settlement:index",
        frozenset({R.ASSESSOR, R.SUPERVISOR, R.SERVICE_DESK, R.VENDOR_MANAGER}),
    ),
    (
        _("Acceptance"),
        "acceptance:index",
        frozenset({R.ASSESSOR, R.SUPERVISOR, R.SERVICE_DESK, R.VENDOR_MANAGER}),
    ),
    (
        _("Dashboards"),
        "dashboards:index",
        frozenset({R.ASSESSOR, R.SUPERVISOR, R.SERVICE_DESK, R.VENDOR_MANAGER}),
    ),
    (_("Vendors"), "contracts:vendors", frozenset({R.ASSESSOR, R.SERVICE_DESK, R.SUPERVISOR})),
    (_("Units"), "contracts:units", frozenset({R.ASSESSOR, R.SERVICE_DESK, R.SUPERVISOR})),
    (_("Audit log"), "audit:list", frozenset({R.AUDIT_ADMIN})),
    (_("Accounts"), "accounts:users", frozenset({R.SYSTEM_ADMIN, R.SECURITY_ADMIN})),
    (_("Password"), "accounts:password", frozenset(Role.values)),
    (_("API token"), "accounts:token", frozenset(Role.values)),
]


def menu_for(user: Any, path: str) -> list[NavItem]:
    entries = []
    for label, name, roles in MENU:
        if user.role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # an app whose pages are not there yet
            continue
        entries.append((label, url))
    # Only the longest matching entry is active: /staff/replacements/ is
    # "Replacements", not also "Vendor staff".
    matches = [url for _, url in entries if path == url or (url != "/" and path.startswith(url))]
    current = max(matches, key=len, default=None)
    return [NavItem(label, url, url == current) for label, url in entries]
