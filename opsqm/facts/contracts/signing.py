"""The contract's signing day, as apps above this one need it (十四.3: the contract
takes effect on the later signature).  The day itself is kept by the payment schedule
(`opsqm.derived.payments`); what counts from it registers here in its AppConfig.ready()
— the payment plan, and the staff list due 1 day after signing (合同 六(二)1) — so that
registering a contract with its signing day starts them, and this app imports none of
them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opsqm.facts.contracts.models import Contract

SignedCallback = Callable[["Contract", datetime.date], object]

_SIGNED: list[SignedCallback] = []


def on_signed(callback: SignedCallback) -> SignedCallback:
    """Register `callback(contract, signed_on)`, run in the caller's transaction when a
    contract's signing day is recorded or corrected; it must be idempotent."""
    if callback not in _SIGNED:
        _SIGNED.append(callback)
    return callback


def signed(contract: Contract, signed_on: datetime.date) -> None:
    """Tell the subscribers; a ValidationError from one stops the registration."""
    for callback in list(_SIGNED):
        callback(contract, signed_on)
