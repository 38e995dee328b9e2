"""The demo's mailbox page (opsqm/edges/demo/mailbox.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render

from opsqm.edges.demo import mailbox
from opsqm.infra.accounts.requests import AuthenticatedRequest
from opsqm.infra.mail.imap import ImapError


@login_required
def mailbox_view(request: AuthenticatedRequest) -> HttpResponse:
    if not settings.DEMO_MAILBOX_FILE:  # only `make run` serves it
        raise Http404
    boxes = mailbox.readable_mailboxes(request.user)
    if not boxes:
        raise PermissionDenied
    address = request.GET.get("box") or next(iter(boxes))
    if address not in boxes:
        raise Http404
    context: dict[str, object] = {"boxes": list(boxes), "box": address, "error": ""}
    try:
        uid = request.GET.get("uid", "")
        if uid:
            if not uid.isdigit():
                raise Http404
            opened = mailbox.open_message(address, boxes[address], int(uid))
            if opened is None:
                raise Http404
            context["opened"] = opened
        else:
            context["messages"] = mailbox.list_messages(address, boxes[address])
    except (ImapError, OSError) as exc:
        context["error"] = str(exc)
    return render(request, "demo/mailbox.html", context)
