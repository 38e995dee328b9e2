"""The common shape of a register service: validate, write in a transaction, audit.

Used by the services of every register (contracts, staff, tickets, incidents, …) so
that pages and the API change state through the same audited functions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from opsqm.infra.audit.services import log_action

M = TypeVar("M", bound=models.Model)


def pick(data: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """The items of `data` a service takes: those named in `fields` (the service's
    field list, which the page forms and API serializers of the same record use too)."""
    return {k: data[k] for k in fields if k in data}


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audited view of `obj`: concrete fields (FKs by id), JSON-able."""
    out: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if f.primary_key:
            continue
        out[f.name] = jsonable(getattr(obj, f.attname))
    return out


def save_audited(
    obj: M,
    data: Mapping[str, Any],
    *,
    action: str,
    summary: str = "",
    m2m: Mapping[str, Iterable[Any]] | None = None,
    exclude_clean: Iterable[str] = (),
) -> M:
    """Set `data` on `obj`, full_clean (raises ValidationError keyed by field), save,
    set many-to-many values and append one audit record with before/after."""
    creating = obj.pk is None
    before = None if creating else snapshot(obj)
    if before is not None and m2m:
        for name in m2m:
            before[name] = sorted(getattr(obj, name).values_list("pk", flat=True))
    for key, value in data.items():
        setattr(obj, key, value)
    obj.full_clean(exclude=list(exclude_clean) or None)
    with transaction.atomic():
        obj.save()
        after = snapshot(obj)
        for name, values in (m2m or {}).items():
            getattr(obj, name).set(list(values))
            after[name] = sorted(getattr(obj, name).values_list("pk", flat=True))
        if before is not None and before == after:
            return obj  # nothing changed: nothing to audit
        log_action(action, obj=obj, summary=summary or str(obj), before=before, after=after)
    return obj
