"""Incidents, quarterly evaluations, praise and service delays (I1, I2, Q1, R1, D1)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opsqm.contracts.models import Contract
from opsqm.contracts.servicekit import save_audited
from opsqm.incidents.models import Incident, Praise, QuarterlyEvaluation, ServiceDelay


def _pick(data: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: data[k] for k in fields if k in data}


def record_incident(contract: Contract, data: Mapping[str, Any]) -> Incident:
    fields = _pick(data, ("code", "title", "level", "occurred_at", "reported_at"))
    return save_audited(Incident(contract=contract), fields, action="incident.record")


def update_incident(incident: Incident, data: Mapping[str, Any]) -> Incident:
    fields = _pick(data, ("code", "title", "level", "occurred_at", "reported_at"))
    return save_audited(incident, fields, action="incident.update")


def record_evaluation(contract: Contract, data: Mapping[str, Any]) -> QuarterlyEvaluation:
    fields = _pick(data, ("quarter", "unit", "result", "comments"))
    ev = QuarterlyEvaluation(contract=contract)
    return save_audited(ev, fields, action="evaluation.record")


def record_praise(contract: Contract, data: Mapping[str, Any]) -> Praise:
    fields = _pick(data, ("event", "level", "at", "description"))
    return save_audited(Praise(contract=contract), fields, action="praise.record")


def record_service_delay(contract: Contract, data: Mapping[str, Any]) -> ServiceDelay:
    fields = _pick(data, ("obligation", "due", "delivered"))
    return save_audited(ServiceDelay(contract=contract), fields, action="service_delay.record")
