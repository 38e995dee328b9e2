"""The size rule of the house (DEVELOPERS.md): no module under opsqm/ over 600 lines,
no function over 80 (migrations excepted: Django writes them)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

OPSQM = Path(__file__).resolve().parent.parent / "opsqm"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def _modules(root: Path = OPSQM) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "migrations" not in p.parts)


def _too_long(path: Path, root: Path = OPSQM) -> list[str]:
    """What is too long in the module at `path`, one line each."""
    source = path.read_text(encoding="utf-8")
    where = path.relative_to(root.parent)
    out = []
    lines = len(source.splitlines())
    if lines > MAX_MODULE_LINES:
        out.append(f"{where}: {lines} lines (at most {MAX_MODULE_LINES})")
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                out.append(
                    f"{where}:{node.lineno} {node.name}: {length} lines "
                    f"(at most {MAX_FUNCTION_LINES})"
                )
    return out


def test_no_module_or_function_is_too_long() -> None:
    problems = [p for path in _modules() for p in _too_long(path)]
    assert not problems, "split where the code's own steps are:\n" + "\n".join(problems)


def test_the_walk_sees_the_code_but_not_the_migrations() -> None:
    names = {p.relative_to(OPSQM).as_posix() for p in _modules()}
    assert {"cli.py", "pure/assessment/engine.py", "facts/tickets/models.py"} <= names
    assert not any("/migrations/" in n for n in names)


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("def f():\n" + "    x = 1\n" * 80, ["f: 81 lines"]),
        ("def f():\n" + "    x = 1\n" * 79, []),
        ("class C:\n    async def g(self):\n" + "        x = 1\n" * 80, ["g: 81 lines"]),
        ("x = 1\n" * 601, ["601 lines"]),
        ("x = 1\n" * 600, []),
    ],
)
def test_the_check_counts_what_it_should(tmp_path: Path, source: str, found: list[str]) -> None:
    root = tmp_path / "opsqm"
    (root / "migrations").mkdir(parents=True)
    (root / "probe.py").write_text(source, encoding="utf-8")
    (root / "migrations" / "0001_initial.py").write_text(source, encoding="utf-8")
    problems = [p for path in _modules(root) for p in _too_long(path, root)]
    assert len(problems) == len(found)
    for problem, expected in zip(problems, found, strict=True):
        assert problem.startswith("opsqm/probe.py") and expected in problem
