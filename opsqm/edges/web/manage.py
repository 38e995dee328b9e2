"""Django's management commands behind the `opsqm` console command."""

from __future__ import annotations

import os
import sys


def run_django(argv: list[str]) -> int:
    """Run `django-admin <argv…>` with OpsQM's settings; returns the exit code."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsqm.edges.web.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["opsqm", *argv])
    except SystemExit as exc:  # commands exit through SystemExit
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    except ImproperlyConfigured as exc:  # a bad setting: one line, not a traceback
        print(f"opsqm: configuration error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(run_django(sys.argv[1:]))
