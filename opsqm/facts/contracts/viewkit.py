"""Small helpers shared by the register pages of contracts and staff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import HttpResponse

from opsqm.infra.accounts.roles import ADMIN_ROLES
from opsqm.infra.core.spreadsheet import XLSX_CONTENT_TYPE, xlsx_bytes


def require_business(user: Any) -> None:
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
