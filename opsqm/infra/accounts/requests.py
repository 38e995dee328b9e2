"""The request a logged-in page gets, for the type checker."""

from __future__ import annotations

from django.http import HttpRequest

from opsqm.infra.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """A request behind `login_required` (or a role check that refuses the anonymous):
    its user is an account, never AnonymousUser.  Only an annotation: Django passes
    its usual HttpRequest."""

    user: User
