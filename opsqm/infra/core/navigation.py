"""The main menu, per role.  Each app adds its entries here as it grows."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from opsqm.infra.core.roles import BUREAU_ROLES, VENDOR_ROLES, Account, Role

R = Role


@dataclass(frozen=True)
class NavItem:
    label: Any
    url: str
    active: bool
    group: Any = None


@dataclass(frozen=True)
class NavGroup:
    """A drop-down of the main menu; `label` None is a plain top-level link."""

    label: Any
    items: list[NavItem]

    @property
    def active(self) -> bool:
        return any(i.active for i in self.items)


# Who sees an entry: the bureau's desk roles (assessor, service desk, supervisor) and
# the vendor's manager see the business pages; engineers and recipients some of them.
EVERYONE = frozenset(Role.values)
BUREAU = BUREAU_ROLES
WITH_MANAGER = BUREAU | {R.VENDOR_MANAGER}
WITH_VENDOR = BUREAU | VENDOR_ROLES
WITH_RECIPIENT = WITH_VENDOR | {R.RECIPIENT}


def _only(role: str) -> frozenset[str]:
    return frozenset({role})


# The drop-downs: what the desk, the assessor and the supervisor work with, one topic
# each, so that the bar fits one row with every app in it.
WORK = _("Work orders")
PEOPLE = _("Staff & attendance")
EVENTS = _("Incidents & evaluation")
MONEY = _("Assessment & settlement")
REGISTERS = _("Registers")

# (drop-down or None, label, url name, roles that see it), in menu order.
MENU: list[tuple[Any, Any, str, frozenset[str]]] = [
    (None, _("Home"), "home:home", EVERYONE),
    (WORK, _("Work orders"), "tickets:board", WITH_MANAGER),
    (WORK, _("My work orders"), "tickets:mine", _only(R.VENDOR_ENGINEER)),
    (WORK, _("My unit's work orders"), "tickets:unit", _only(R.RECIPIENT)),
    (WORK, _("Refused mail"), "tickets:refused_mail", _only(R.SERVICE_DESK)),
    # The printed ticket form names this page (工单 → 核验打印工单).
    (WORK, _("Verify a printed ticket form"), "tickets_print:verify", WITH_VENDOR),
    # Served only by `make run` (OPSQM_DEMO_MAILBOX_FILE): the loopback mailboxes.
    (WORK, _("Demo mailboxes"), "demo:mailbox", WITH_VENDOR),
    (PEOPLE, _("Vendor staff"), "staff:list", WITH_VENDOR),
    (PEOPLE, _("Replacements"), "staff:replacements", WITH_MANAGER),
    (PEOPLE, _("Attendance"), "attendance:index", WITH_RECIPIENT),
    (EVENTS, _("Incidents"), "incidents:list", WITH_VENDOR),
    (EVENTS, _("Rectification"), "incidents:rectifications", WITH_VENDOR),
    (EVENTS, _("System change notices"), "incidents:changes", WITH_VENDOR),
    (EVENTS, _("Deliveries"), "incidents:deliveries", WITH_VENDOR),
    (EVENTS, _("Force majeure"), "incidents:force_majeure_list", WITH_VENDOR),
    (EVENTS, _("Praise"), "incidents:praise", WITH_VENDOR),
    (EVENTS, _("Quarterly evaluations"), "incidents:campaigns", BUREAU),
    (EVENTS, _("Rate your vendors"), "incidents:rate", _only(R.RECIPIENT)),
    (MONEY, _("Assessment ledger"), "ledger:index", WITH_MANAGER),
    (MONEY, _("Dashboards"), "dashboards:index", WITH_MANAGER),
    (MONEY, _("Settlement"), "settlement:index", WITH_MANAGER),
    (MONEY, _("Acceptance"), "acceptance:index", WITH_MANAGER),
    (MONEY, _("Scheduled reports"), "reports:schedules", _only(R.ASSESSOR)),
    (REGISTERS, _("Contracts"), "contracts:list", WITH_RECIPIENT),
    (REGISTERS, _("Vendors"), "contracts:vendors", BUREAU),
    (REGISTERS, _("Units"), "contracts:units", BUREAU),
    (None, _("Audit log"), "audit:list", _only(R.AUDIT_ADMIN)),
    (None, _("Accounts"), "accounts:users", frozenset({R.SYSTEM_ADMIN, R.SECURITY_ADMIN})),
]

# The user's own settings: under the name at the top right, not in the main menu.
ACCOUNT_MENU: list[tuple[Any, str]] = [
    (_("Password"), "accounts:password"),
    (_("API token"), "accounts:token"),
]


def _url(name: str) -> str | None:
    """The page's URL; None on a site without it (an app whose pages are not there
    yet, some tests' URLconfs).  Remembered per URLconf and script prefix: the menu
    is on every page, and reversing its ~40 entries each time cost 0.2 ms a request."""
    return _reverse(name, *_urls_key())


def _urls_key() -> tuple[Any, str]:
    """What a reversed URL depends on besides its name: the URLconf and script prefix."""
    return get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()


@functools.lru_cache(maxsize=512)
def _reverse(name: str, urlconf: Any, prefix: str) -> str | None:
    try:
        return reverse(name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def _visible_to(role: str) -> list[tuple[Any, Any, str]]:
    return [
        (group, label, url)
        for group, label, name, roles in MENU
        if role in roles and (url := _url(name)) is not None
    ]


def _current(entries: list[tuple[Any, Any, str]], path: str) -> str | None:
    """The entry of the page: only the longest matching one is active
    (/staff/replacements/ is "Replacements", not also "Vendor staff")."""
    matches = [u for _, _, u in entries if path == u or (u != "/" and path.startswith(u))]
    return max(matches, key=len, default=None)


def menu_for(user: Account, path: str) -> list[NavItem]:
    """The role's entries in menu order, the page's own marked active."""
    entries = _visible_to(user.role)
    return _items(entries, _current(entries, path))


def _items(entries: list[tuple[Any, Any, str]], current: str | None) -> list[NavItem]:
    return [NavItem(label, url, url == current, group) for group, label, url in entries]


def menu_html(user: Account, path: str) -> SafeString:
    """The main menu as the header shows it (`menu_groups` of `menu_for`), written
    once per role, language, active entry and URLconf: on every page, through the
    template language it was ~100 nodes (docs/benchmarks.md)."""
    current = _current(_visible_to(user.role), path)
    return _menu_html(user.role, get_language(), current, *_urls_key())


_ITEM = '<a href="{}"{}>{}</a>'
_ACTIVE = mark_safe(' class="active" aria-current="page"')


@functools.lru_cache(maxsize=1024)
def _menu_html(
    role: str, language: str | None, current: str | None, urlconf: Any, prefix: str
) -> SafeString:
    # The language, URLconf and prefix are part of the key: the labels and URLs depend
    # on them, though they are read from the request's state rather than passed.
    groups = menu_groups(_items(_visible_to(role), current))
    parts = []
    for g in groups:
        links = format_html_join(
            "", _ITEM, ((i.url, _ACTIVE if i.active else "", i.label) for i in g.items)
        )
        if g.label is None:
            parts.append(links)
            continue
        parts.append(
            format_html(
                '<div class="navgroup{}">\n      <button type="button" class="navgroup-toggle"'
                ' aria-expanded="false" aria-haspopup="true" data-navgroup>{}</button>\n'
                '      <div class="navmenu">{}</div>\n    </div>',
                " active" if g.active else "",
                g.label,
                links,
            )
        )
    return mark_safe("".join(parts))  # every part built by format_html


def menu_groups(items: list[NavItem]) -> list[NavGroup]:
    """The entries as the bar shows them: a drop-down per topic, but a topic the role
    has one entry in is that entry itself (the recipient's menu has no drop-downs)."""
    groups: list[NavGroup] = []
    for item in items:
        if item.group is not None and groups and groups[-1].label is item.group:
            groups[-1].items.append(item)
        else:
            groups.append(NavGroup(item.group, [item]))
    return [g if g.label is None or len(g.items) > 1 else NavGroup(None, g.items) for g in groups]


def account_menu_for(path: str) -> list[NavItem]:
    return [
        NavItem(label, url, path == url)
        for label, name in ACCOUNT_MENU
        if (url := _url(name)) is not None
    ]
