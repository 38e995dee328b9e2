"""Read/unread of the in-app inbox, per user.  The items come from above (the home
page's to-do lists); this module only keeps which of their names a user has read."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from opsqm.infra.accounts.models import InboxRead, User
from opsqm.infra.audit.services import log_action

ITEM_MAX = 200


def read_items(user: User, items: Iterable[str]) -> set[str]:
    """Which of `items` the user has read (one query)."""
    wanted = [i for i in set(items) if i]
    if not wanted:
        return set()
    return set(InboxRead.objects.filter(user=user, item__in=wanted).values_list("item", flat=True))


@transaction.atomic
def mark_read(user: User, items: Iterable[str], current: Iterable[str] | None = None) -> int:
    """Mark the items read for `user`; returns how many were newly marked.  The
    caller passes only names of items the user has now (the inbox checks them).

    With `current` (the names the user's inbox holds now), the marks of items that
    have left it are dropped: their step is done, and should one come back under the
    same name it is news again."""
    wanted = sorted({i[:ITEM_MAX] for i in items if i})
    forgotten = 0
    if current is not None:
        forgotten, _ = InboxRead.objects.filter(user=user).exclude(item__in=list(current)).delete()
    already = read_items(user, wanted)
    new = [InboxRead(user=user, item=i) for i in wanted if i not in already]
    InboxRead.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        log_action(
            "inbox.read",
            obj=user,
            summary=f"{len(new)} inbox item(s) read",
            after={"items": [n.item for n in new], "dropped_done": forgotten},
        )
    return len(new)
