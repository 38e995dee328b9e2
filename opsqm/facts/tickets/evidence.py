"""The work orders as evidence records of the assessment model (the adapter
`opsqm.derived.evidence.adapter` and the at-risk costs read them)."""

from __future__ import annotations

from typing import Any

from opsqm.facts.tickets.models import EVIDENCE_FIELDS
from opsqm.pure.assessment import model as m


def ticket_records(cid: str, tickets: Any) -> list[m.Ticket]:
    """The ticket records of a queryset of one contract's tickets, in log order.

    A work order is evidence once the mail server's receive time of its dispatch is
    known (第十条四): one still awaiting it, or closed by phone, is not."""
    out: list[m.Ticket] = []
    tickets = tickets.filter(dispatched_at__isnull=False).order_by("number")
    for row in tickets.values_list(*EVIDENCE_FIELDS):
        num, problem, prio, disp, ack, ext, res, sig, sat, ra, rs, rv, tpl, forged, arch, exc = row
        out.append(
            m.Ticket(
                contract=cid,
                id=num,
                problem=problem,
                priority=m.Priority(prio),
                dispatched_at=_tz(disp),
                acknowledged_at=_tzn(ack),
                extended_to=_tzn(ext),
                resolved_at=_tzn(res),
                signature=m.Signature(sig),
                satisfaction=m.Satisfaction(sat) if sat else None,
                record=m.TicketRecord(ra, rs, rv),
                template_ok=tpl,
                forged=forged,
                archive=m.Archive(arch),
                excused=exc or None,
            )
        )
    return out


def _tz(value: Any) -> Any:
    return value.astimezone(m.TZ)


def _tzn(value: Any) -> Any:
    return None if value is None else value.astimezone(m.TZ)
