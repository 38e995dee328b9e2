"""Run as a script under an installation's environment: prints, as JSON, every
table's rows, every uploaded file's SHA-256 and the audit chain, for comparing two
installations (the backup round trip)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import django


def _cell(value: Any) -> Any:
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    if isinstance(value, int | float | str) or value is None:
        return value
    return str(value)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsqm.edges.web.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection

    tables: dict[str, list[Any]] = {}
    with connection.cursor() as cur:
        for table in sorted(connection.introspection.table_names()):
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = [[_cell(v) for v in row] for row in cur.fetchall()]
            tables[table] = sorted(rows, key=lambda r: json.dumps(r, ensure_ascii=False))
        chain = []
        if "audit_auditrecord" in tables:
            cur.execute("SELECT seq, prev_hash, hash FROM audit_auditrecord ORDER BY seq")
            chain = [list(r) for r in cur.fetchall()]
    media = Path(settings.MEDIA_ROOT)
    files = {
        p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(media.rglob("*"))
        if p.is_file()
    }
    print(json.dumps({"tables": tables, "files": files, "chain": chain}, ensure_ascii=False))


if __name__ == "__main__":
    main()
