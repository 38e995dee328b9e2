"""Moved to `opsqm.infra.core.viewkit`; this name stays until the last imports move."""

from opsqm.infra.core.viewkit import require_business, run_service, xlsx_response

__all__ = ["require_business", "run_service", "xlsx_response"]
