from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from opsqm import __version__


def version(request: HttpRequest) -> dict[str, Any]:
    return {"opsqm_version": __version__}
