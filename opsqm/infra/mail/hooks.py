"""Subscribers to the mail service (the work-order flow registers here, in its
AppConfig.ready(): this package never imports the flow).

`on_inbound(callback)`: called in the worker (job `mail.inbound`), once per stored
message, after the message is committed.  A callback that raises makes the job
retry, which runs *all* callbacks again: callbacks must be idempotent.  Messages
that are copies of OpsQM's own outbound mail have `inbound.outbound` set; refused
ones have `inbound.refused` true; bounces and automatic replies have
`inbound.automatic` true (a bounce names what it reports in `inbound.bounced`).
All are delivered, so a subscriber can show them and answer them.

`on_server_time(callback)`: called with an OutboundMessage as soon as the mail
service records its server receive time (delivery confirmed, or its copy polled),
in the same transaction, inside a savepoint: a callback that raises is logged and
rolled back alone, the mail's own record stays (the flow's periodic sweep catches
up then).  Callbacks must be idempotent: a time may be recorded again (an earlier
copy found later)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import transaction

if TYPE_CHECKING:
    from opsqm.infra.mail.models import InboundMessage, OutboundMessage

log = logging.getLogger(__name__)

InboundCallback = Callable[["InboundMessage"], object]
ServerTimeCallback = Callable[["OutboundMessage"], object]

_CALLBACKS: list[InboundCallback] = []
_SERVER_TIME: list[ServerTimeCallback] = []


def on_inbound(callback: InboundCallback) -> InboundCallback:
    """Register `callback(inbound_message)`; usable as a decorator."""
    if callback not in _CALLBACKS:
        _CALLBACKS.append(callback)
    return callback


def off_inbound(callback: InboundCallback) -> None:
    if callback in _CALLBACKS:
        _CALLBACKS.remove(callback)


def callbacks() -> list[InboundCallback]:
    return list(_CALLBACKS)


def on_server_time(callback: ServerTimeCallback) -> ServerTimeCallback:
    """Register `callback(outbound_message)`; usable as a decorator."""
    if callback not in _SERVER_TIME:
        _SERVER_TIME.append(callback)
    return callback


def off_server_time(callback: ServerTimeCallback) -> None:
    if callback in _SERVER_TIME:
        _SERVER_TIME.remove(callback)


def notify_server_time(outbound: OutboundMessage) -> int:
    """Run the `on_server_time` callbacks; returns how many succeeded."""
    ok = 0
    for callback in list(_SERVER_TIME):
        try:
            with transaction.atomic():
                callback(outbound)
        except Exception:
            log.exception("server-time subscriber %r failed for %s", callback, outbound.message_id)
        else:
            ok += 1
    return ok
