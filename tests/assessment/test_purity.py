"""The assessment core stays pure: no Django anywhere under opsqm/pure/assessment/."""

import ast
import subprocess
import sys
from pathlib import Path

import opsqm.pure.assessment

PACKAGE = Path(opsqm.pure.assessment.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(str(node.args[0].value))
    return found


def test_the_package_has_modules_to_check():
    names = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")}
    assert {"engine.py", "rulebook.py", "workcalendar.py", "rules/tickets.py"} <= names


def test_no_module_imports_django():
    offenders = {
        p.relative_to(PACKAGE).as_posix(): sorted(
            m for m in _imported_modules(p) if m.split(".")[0] == "django"
        )
        for p in PACKAGE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_checker_sees_a_django_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from django.db import models\nimport importlib\nimportlib.import_module('django')\n"
    )
    assert {"django.db", "django"} <= _imported_modules(bad)


def test_importing_the_engine_does_not_load_django():
    code = (
        "import sys, opsqm.pure.assessment.engine, opsqm.pure.assessment.ledger_json;"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parents[1],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PACKAGE.parents[1])},
    )
    assert out.stdout.strip() == "[]"
