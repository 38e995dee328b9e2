"""The desk's pages and actions for mail that did not reach its recipient: send a
bounced message of a ticket again (opsqm.facts.tickets.mail_rules)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from opsqm.facts.tickets.access import DESK
from opsqm.facts.tickets.mail_rules import resend_undelivered
from opsqm.facts.tickets.models import Ticket
from opsqm.facts.tickets.views.actions import _action
from opsqm.infra.accounts.requests import AuthenticatedRequest


def _resend(request: AuthenticatedRequest, t: Ticket) -> Any:
    from opsqm.infra.mail.models import OutboundMessage

    pk = request.ticket_kwargs["outbound"]  # type: ignore[attr-defined]
    outbound = get_object_or_404(OutboundMessage, pk=pk, ticket_ref__iexact=t.number)
    return resend_undelivered(t, outbound, user=request.user)


# Lazy: the message is shown in the language of the request that posts it.
resend_mail = _action(
    DESK,
    _resend,
    _("Sent again; its server receive time will be on the timeline."),  # type: ignore[arg-type]
)
