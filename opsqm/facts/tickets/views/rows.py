"""The rows of the ticket lists, written in Python.

A 50-row page through the template language is about a thousand variable nodes
(resolve, localize, escape each); written here it is one string a row, which took
the board's machine time per request down by a fifth at 200,000 tickets
(docs/benchmarks.md).  The markup is the one `_rows.html` had; the table around
the rows, the count and the pager stay in that template.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from html import escape
from typing import Any, NamedTuple

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from opsqm.facts.tickets.models import Ticket

# What a row shows, read as values (no model instance a row).
ROW_VALUES = (
    "id",
    "number",
    "title",
    "priority",
    "status",
    "deadline",
    "resolved_at",
    "resolution_message_id",
    "contract__code",
    "unit__name",
)


class BoardRow(NamedTuple):
    pk: int
    number: str
    title: str
    priority: str
    status: str
    deadline: datetime | None
    resolved_at: datetime | None
    resolution_message_id: int | None
    contract_code: str
    unit_name: str | None


_ROW = (
    '<tr>\n  <td><a href="{url}{pk}/">{number}</a></td>\n'
    '  <td class="title" data-label="{l0}">{title}</td><td data-label="{l1}">{contract}</td>'
    '<td data-label="{l2}">{unit}</td>\n'
    '  <td data-label="{l3}">{priority}</td>\n'
    '  <td data-label="{l4}">{status}</td>\n'
    '  <td class="date" data-label="{l5}">{deadline}</td>\n'
    '  <td data-label="{l6}">{left}</td>\n</tr>'
)


class RowWriter:
    """The page's labels once (the cards' `data-label`s, the choices' labels, the
    detail link), then one string a row."""

    def __init__(self, tz: tzinfo, now: datetime) -> None:
        self.tz, self.now = tz, now
        heads = [_("Title"), _("Contract"), _("Unit"), _("Priority"), _("Status")]
        heads += [_("Deadline"), _("Time left")]
        self.labels = {f"l{i}": escape(h) for i, h in enumerate(heads)}
        self.statuses = {v: escape(str(label)) for v, label in Ticket.Status.choices}
        self.priorities = {v: escape(str(label)) for v, label in Ticket.Priority.choices}
        self.late = f'<span class="late">{escape(_("resolved late"))}</span>'
        self.url = reverse("tickets:detail", args=[0]).removesuffix("0/")

    def row(self, t: BoardRow) -> str:
        priority = self.priorities.get(t.priority) or escape(t.priority)
        if t.priority == Ticket.Priority.URGENT:
            priority = f'<span class="badge bad">{priority}</span>'
        return _ROW.format(
            url=self.url,
            pk=t.pk,
            number=escape(t.number),
            title=escape(t.title),
            contract=escape(t.contract_code),
            unit=escape(t.unit_name) if t.unit_name else "—",
            priority=priority,
            status=self.statuses.get(t.status) or escape(t.status),
            deadline=t.deadline.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")
            if t.deadline
            else "—",
            left=self._left(t),
            **self.labels,
        )

    def _left(self, t: BoardRow) -> str:
        """The time left, which the page's script counts down; or "resolved late"."""
        if t.deadline and not t.resolved_at and not t.resolution_message_id:
            return (
                f'<span data-deadline="{t.deadline.isoformat()}">'
                f"{escape(timeuntil(t.deadline, self.now))}</span>"
            )
        if t.resolved_at and t.deadline and t.resolved_at > t.deadline:
            return self.late
        return "—"

    def rows(self, rows: list[Any]) -> SafeString:
        # Every value above went through `escape`; the labels and markup are ours.
        return mark_safe("".join(map(self.row, rows)))
