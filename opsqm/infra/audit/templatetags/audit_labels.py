"""Translated labels for the codes stored in audit records (opsqm.infra.audit.labels)."""

from __future__ import annotations

from django import template

from opsqm.infra.audit import labels

register = template.Library()

register.filter("action_label", labels.action_label)
register.filter("role_label", labels.role_label)
register.filter("object_type_label", labels.object_type_label)
register.filter("problem_kind_label", labels.problem_kind_label)
register.filter("problem_detail_label", labels.problem_detail_label)
