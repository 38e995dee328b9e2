"""Helpers every app's pages share: the business-data gate, a service call whose
refusal becomes form errors or a message, an XLSX download, the `?as_of=` parameter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect

from opsqm.infra.core.roles import ADMIN_ROLES, Visitor
from opsqm.infra.core.spreadsheet import XLSX_CONTENT_TYPE, xlsx_bytes
from opsqm.pure.assessment.model import TZ


def require_business(user: Visitor) -> None:
    """Business data: 403 for the three administrators (三员)."""
    if not user.is_authenticated or user.role in ADMIN_ROLES:
        raise PermissionDenied


def run_service(form: BaseForm, call: Callable[[], Any]) -> Any:
    """Call a service; its ValidationError becomes form errors (None on error)."""
    try:
        return call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None


def xlsx_response(filename: str, header: list[Any], rows: list[list[Any]]) -> HttpResponse:
    resp = HttpResponse(xlsx_bytes(header, rows, title=filename), content_type=XLSX_CONTENT_TYPE)
    resp["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return resp


def post_step(
    request: HttpRequest,
    step: Callable[[], Any],
    ok: str | None,
    back: Any,
    *,
    sep: str = "; ",
) -> HttpResponse:
    """A POST-only step, after the caller's role and scope checks (GET: 405): call the
    service, its refusal (ValidationError) becomes an error message, success the `ok`
    message (none when None); back to `back` (anything `redirect` takes) either way."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        step()
    except ValidationError as exc:
        messages.error(request, sep.join(str(m) for m in exc.messages))
    else:
        if ok is not None:
            messages.success(request, ok)
    return redirect(back)


def parse_as_of(text: str | None) -> datetime | None:
    """`?as_of=`: an ISO instant or date; a naive value is Beijing time.  ValueError if bad."""
    if not text:
        return None
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=TZ)
    return value
