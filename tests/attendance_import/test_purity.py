"""The import core stays pure: no Django anywhere under opsqm/pure/attendance_import/."""

import ast
from pathlib import Path

import opsqm.pure.attendance_import

PACKAGE = Path(opsqm.pure.attendance_import.__file__).parent


def imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_no_module_imports_django():
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) >= 8
    offenders = {p.name: m for p in modules for m in imported(p) if m.split(".")[0] == "django"}
    assert offenders == {}
