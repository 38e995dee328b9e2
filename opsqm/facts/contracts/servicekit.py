"""Moved to `opsqm.infra.audit.servicekit`; this name stays until the last imports move."""

from opsqm.infra.audit.servicekit import jsonable, pick, save_audited, snapshot

__all__ = ["jsonable", "pick", "save_audited", "snapshot"]
