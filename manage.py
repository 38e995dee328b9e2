#!/usr/bin/env python
"""Developer shortcut: `python manage.py …` is `opsqm …` for Django commands.

From a checkout, with neither SECRET_KEY nor DEBUG set, it runs with DEBUG=1 (and so
the development key): settings refuse to start a production-like process without a
key, and a developer's `manage.py makemigrations` is not production."""

import os
import sys

from opsqm.edges.web.manage import run_django

if __name__ == "__main__":
    if "SECRET_KEY" not in os.environ:
        os.environ.setdefault("DEBUG", "1")
    sys.exit(run_django(sys.argv[1:]))
