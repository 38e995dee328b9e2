"""Subscribers to inbound mail (the work-order flow registers here).

Callbacks run in the worker (job `mail.inbound`), once per stored message, after
the message is committed.  A callback that raises makes the job retry, which runs
*all* callbacks again: callbacks must be idempotent.  Messages that are copies of
OpsQM's own outbound mail have `inbound.outbound` set; refused ones have
`inbound.refused` true.  Both are delivered, so a subscriber can answer a refused
message (tell the vendor to resend)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opsqm.infra.mail.models import InboundMessage

InboundCallback = Callable[["InboundMessage"], object]

_CALLBACKS: list[InboundCallback] = []


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
