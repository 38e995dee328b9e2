#!/usr/bin/env python
"""Developer shortcut: `python manage.py …` is `opsqm …` for Django commands."""

import sys

from opsqm.edges.web.manage import run_django

if __name__ == "__main__":
    sys.exit(run_django(sys.argv[1:]))
