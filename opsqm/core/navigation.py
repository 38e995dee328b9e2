"""The main menu, per role.  Each app adds its entries here as it grows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from opsqm.accounts.roles import BUREAU_ROLES, VENDOR_ROLES, Role

R = Role


@dataclass(frozen=True)
class NavItem:
    label: Any
    url: str
    active: bool


# Who sees an entry: the bureau's desk roles (assessor, service desk, supervisor) and
# the vendor's manager see the business pages; engineers and recipients some of them.
EVERYONE = frozenset(Role.values)
BUREAU = BUREAU_ROLES
WITH_MANAGER = BUREAU | {R.VENDOR_MANAGER}
WITH_VENDOR = BUREAU | VENDOR_ROLES
WITH_RECIPIENT = WITH_VENDOR | {R.RECIPIENT}


def _only(role: str) -> frozenset[str]:
    return frozenset({role})


# (label, url name, roles that see it)
MENU: list[tuple[Any, str, frozenset[str]]] = [
    (_("Home"), "core:home", EVERYONE),
    (_("Contracts"), "contracts:list", WITH_RECIPIENT),
    (_("Work orders"), "tickets:board", WITH_MANAGER),
    (_("My work orders"), "tickets:mine", _only(R.VENDOR_ENGINEER)),
    (_("My unit's work orders"), "tickets:unit", _only(R.RECIPIENT)),
    (_("Refused mail"), "tickets:refused_mail", _only(R.SERVICE_DESK)),
    (_("Vendor staff"), "staff:list", WITH_VENDOR),
    (_("Assessment ledger"), "ledger:index", WITH_MANAGER),
    (_("Replacements"), "staff:replacements", WITH_MANAGER),
    (_("Attendance"), "attendance:index", WITH_RECIPIENT),
    (_("Incidents"), "incidents:list", WITH_VENDOR),
    (_("Rectification"), "incidents:rectifications", WITH_VENDOR),
    (_("Deliveries"), "incidents:deliveries", WITH_VENDOR),
    (_("Praise"), "incidents:praise", WITH_VENDOR),
    (_("Quarterly evaluations"), "incidents:campaigns", BUREAU),
    (_("Rate your vendors"), "incidents:rate", _only(R.RECIPIENT)),
    (_("Settlement"), "settlement:index", WITH_MANAGER),
    (_("Acceptance"), "acceptance:index", WITH_MANAGER),
    (_("Dashboards"), "dashboards:index", WITH_MANAGER),
    (_("Vendors"), "contracts:vendors", BUREAU),
    (_("Units"), "contracts:units", BUREAU),
    (_("Audit log"), "audit:list", _only(R.AUDIT_ADMIN)),
    (_("Accounts"), "accounts:users", frozenset({R.SYSTEM_ADMIN, R.SECURITY_ADMIN})),
    (_("Password"), "accounts:password", EVERYONE),
    (_("API token"), "accounts:token", EVERYONE),
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
