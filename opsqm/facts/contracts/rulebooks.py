"""Which rulebooks a contract may name, and whether its overrides load."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from opsqm.pure.assessment.rulebook import RULEBOOK_DIR, RulebookError, load_rulebook, rulebook_for


def shipped_rulebooks() -> list[str]:
    return sorted(p.stem for p in RULEBOOK_DIR.glob("*.toml"))


def rulebook_problem(name: str, overrides: Any, code: str = "") -> dict[str, list[str]] | None:
    """None when `name` (blank = the default) and `overrides` give a usable rulebook,
    else the form errors keyed by field."""
    from opsqm.derived.evidence.adapter import model_contract_stub

    if name and name not in shipped_rulebooks():
        return {
            "rulebook": [
                _("Unknown rulebook %(name)s; shipped: %(shipped)s.")
                % {"name": name, "shipped": ", ".join(shipped_rulebooks())}
            ]
        }
    if overrides is None:
        overrides = {}
    if not isinstance(overrides, dict):
        return {"rulebook_overrides": [_("Overrides must be a JSON object.")]}
    try:
        default = load_rulebook(settings.OPSQM_DEFAULT_RULEBOOK)
        rulebook_for(model_contract_stub(code, name, overrides), default)
    except RulebookError as exc:
        return {"rulebook_overrides": [str(exc)]}
    return None
