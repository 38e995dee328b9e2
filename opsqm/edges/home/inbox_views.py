"""/inbox/: every role's waiting items with read/unread, and the header's bell."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opsqm.edges.home.inbox import forget, inbox, remember, unread_count
from opsqm.infra.accounts.inbox import mark_read
from opsqm.infra.accounts.requests import AuthenticatedRequest
from opsqm.infra.core.viewkit import post_step


@login_required
@require_GET
def inbox_page(request: AuthenticatedRequest) -> HttpResponse:
    box = inbox(request.user)
    remember(request.user, box["unread"])
    # the header's bell from the same reading, not a second one
    return render(request, "opsqm/inbox.html", {**box, "inbox_unread": box["unread"]})


@login_required
@require_GET
def bell(request: AuthenticatedRequest) -> HttpResponse:
    """The bell alone (htmx refreshes it in the header)."""
    return render(request, "opsqm/_bell.html", {"inbox_unread": unread_count(request.user)})


def _mark(request: AuthenticatedRequest, every: bool) -> None:
    current = inbox(request.user)["ids"]
    # only names of items the user has now: nothing else is stored
    wanted = current if every else [i for i in request.POST.getlist("item") if i in current]
    mark_read(request.user, wanted, current=current)
    forget(request.user)


@login_required
def read(request: AuthenticatedRequest) -> HttpResponse:
    return post_step(request, lambda: _mark(request, False), None, "home:inbox")


@login_required
def read_all(request: AuthenticatedRequest) -> HttpResponse:
    return post_step(request, lambda: _mark(request, True), _("Marked all read."), "home:inbox")
