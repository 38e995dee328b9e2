"""Audit pages in the reader's language: a translated label from each record's
stored action code (the stored, hashed text stays as it is), and every action code
that the source can log has a label.

The codes are found statically: every `log_action(...)` call in opsqm/, its action
argument followed through constants, f-strings, conditional expressions, local
variables and the parameters of the helpers that pass it on (`save_audited(action=…)`,
the tickets' and settlement's `_save`, …).  An action that cannot be told from the
source fails the test: write it so that it can, or give the helper a constant.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from opsqm.infra.audit.labels import ACTION_LABELS, PROBLEM_KINDS, action_label, object_type_label
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.audit.services import log_action, verify_chain
from opsqm.infra.core.roles import Role
from tests.scope import client_for

PACKAGE = Path(__file__).resolve().parents[2] / "opsqm"


@dataclass
class Module:
    path: Path
    tree: ast.Module
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)


Function = ast.FunctionDef | ast.AsyncFunctionDef


def load(root: Path) -> list[Module]:
    modules = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        m = Module(path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
        for node in ast.walk(m.tree):
            for child in ast.iter_child_nodes(node):
                m.parents[child] = node
        modules.append(m)
    return modules


def enclosing_function(m: Module, node: ast.AST) -> Function | None:
    cur = m.parents.get(node)
    while cur is not None and not isinstance(cur, Function):
        cur = m.parents.get(cur)
    return cur


def call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def bound_arg(call: ast.Call, name: str, index: int | None) -> ast.expr | None:
    """The expression a call passes for parameter `name` (at `index` if positional)."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    if index is None or index >= len(call.args):
        return None
    if any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return None
    return call.args[index]


def assignments(fn: Function, name: str) -> list[ast.expr]:
    """The values `name` is assigned inside `fn`."""
    out: list[ast.expr] = []
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            out.append(node.value)
    return out


class Resolver:
    """Every string a `log_action` call's action can be, from the source alone."""

    MAX_DEPTH = 8

    def __init__(self, modules: list[Module]) -> None:
        self.modules = modules
        self.unresolved: list[str] = []

    def calls_to(self, name: str) -> Iterator[tuple[Module, ast.Call]]:
        for m in self.modules:
            for node in ast.walk(m.tree):
                if isinstance(node, ast.Call) and call_name(node) == name:
                    yield m, node

    def cannot_tell(self, m: Module, node: ast.expr, what: str) -> None:
        self.unresolved.append(f"{m.path}:{node.lineno}: {what}: {ast.unparse(node)}")

    def values(self, m: Module, expr: ast.expr, depth: int = 0) -> set[str] | None:
        """The strings `expr` can be; None when that cannot be told."""
        if depth > self.MAX_DEPTH:
            return None
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            body = self.values(m, expr.body, depth + 1)
            orelse = self.values(m, expr.orelse, depth + 1)
            return None if body is None or orelse is None else body | orelse
        if isinstance(expr, ast.JoinedStr):
            out = {""}
            for part in expr.values:
                if isinstance(part, ast.Constant):
                    out = {o + str(part.value) for o in out}
                    continue
                if not isinstance(part, ast.FormattedValue) or part.format_spec is not None:
                    return None
                inner = self.values(m, part.value, depth + 1)
                if inner is None:
                    return None
                out = {o + v for o in out for v in inner}
            return out
        if isinstance(expr, ast.Name):
            return self.name_values(m, expr, depth)
        return None

    def name_values(self, m: Module, name: ast.Name, depth: int) -> set[str] | None:
        fn = enclosing_function(m, name)
        if fn is None:
            return None
        assigned = assignments(fn, name.id)
        positional = [a.arg for a in fn.args.posonlyargs + fn.args.args]
        keyword = [a.arg for a in fn.args.kwonlyargs]
        if name.id in positional or name.id in keyword:
            if assigned:  # a parameter rebound inside: not followed
                return None
            index = positional.index(name.id) if name.id in positional else None
            return self.from_callers(m, fn.name, name.id, index, depth + 1)
        out: set[str] = set()
        for value in assigned:
            found = self.values(m, value, depth + 1)
            if found is None:
                return None
            out |= found
        return out or None

    def from_callers(
        self, m: Module, fname: str, param: str, index: int | None, depth: int
    ) -> set[str] | None:
        """What the callers of `fname` pass for `param` (a private helper is called
        from its own module only)."""
        out: set[str] = set()
        callers = 0
        for cm, call in self.calls_to(fname):
            if fname.startswith("_") and cm is not m:
                continue
            callers += 1
            arg = bound_arg(call, param, index)
            found = None if arg is None else self.values(cm, arg, depth)
            if found is None:
                self.cannot_tell(cm, arg or call, f"{fname}({param}=…)")
                continue
            out |= found
        return out if callers else None

    def run(self) -> dict[str, set[str]]:
        """action code -> the log_action calls (file:line) that can log it."""
        codes: dict[str, set[str]] = {}
        for m, call in self.calls_to("log_action"):
            arg = bound_arg(call, "action", 0)
            found = None if arg is None else self.values(m, arg)
            if found is None:
                self.cannot_tell(m, arg or call, "log_action(action=…)")
                continue
            for code in found:
                codes.setdefault(code, set()).add(f"{m.path}:{call.lineno}")
        return codes


def logged_actions(root: Path) -> tuple[dict[str, set[str]], list[str]]:
    resolver = Resolver(load(root))
    return resolver.run(), resolver.unresolved


# --- the scan ---------------------------------------------------------------------


def test_every_logged_action_has_a_label() -> None:
    codes, unresolved = logged_actions(PACKAGE)
    assert unresolved == [], "action codes the scan cannot tell:\n" + "\n".join(unresolved)
    # The scan sees direct calls, helpers' parameters, f-strings and conditionals.
    assert {
        "auth.login",  # log_action("…")
        "ticket.dispatch",  # tickets' _save(ticket, "…")
        "contract.create",  # save_audited(…, action="…")
        "settlement.approve",  # f"settlement.{action}" ← _save(st, "approve" if … else …)
        "settlement.return",
        "acceptance.accept",  # f"acceptance.{action}" ← _save_file(…, "accept", …)
        "staff.leave.approve",  # a local variable
    } <= set(codes)
    assert len(codes) > 100
    missing = {code: sorted(where) for code, where in codes.items() if code not in ACTION_LABELS}
    assert not missing, f"action codes without a label in opsqm/infra/audit/labels.py: {missing}"


SAMPLE = """
from opsqm.infra.audit.services import log_action
from opsqm.infra.audit.servicekit import save_audited


def _save(obj, action, summary=""):
    log_action(action, obj=obj, summary=summary)


def _state(obj, verb):
    log_action(f"thing.{verb}", obj=obj)


def direct(obj):
    log_action("thing.direct", obj=obj)
    _save(obj, "thing.helper")
    _state(obj, "open" if obj else "close")
    save_audited(obj, {}, action="thing.saved")
    kind = "thing.local_a" if obj else "thing.local_b"
    log_action(kind, obj=obj)


def unknown(obj, codes):
    log_action(codes[0], obj=obj)
"""


def test_the_scan_follows_helpers_and_names_what_it_cannot_tell(tmp_path: Path) -> None:
    (tmp_path / "sample.py").write_text(SAMPLE, encoding="utf-8")
    codes, unresolved = logged_actions(tmp_path)
    assert set(codes) == {
        "thing.direct",
        "thing.helper",
        "thing.open",
        "thing.close",
        "thing.local_a",
        "thing.local_b",
    }
    # save_audited is not in this tree, so its call is not followed here; a
    # subscript cannot be told.
    assert len(unresolved) == 1 and "codes[0]" in unresolved[0]


# --- the labels -------------------------------------------------------------------


def test_every_label_is_translated() -> None:
    with translation.override("en"):
        english = {code: str(label) for code, label in ACTION_LABELS.items()}
        kinds_en = {kind: str(label) for kind, label in PROBLEM_KINDS.items()}
    with translation.override("zh-hans"):
        untranslated = [
            code for code, label in ACTION_LABELS.items() if str(label) == english[code]
        ]
        untranslated += [k for k, label in PROBLEM_KINDS.items() if str(label) == kinds_en[k]]
    assert untranslated == []
    assert len(set(english.values())) == len(english), "two actions share a label"


def test_unknown_codes_are_shown_as_they_are() -> None:
    assert action_label("test.something") == "test.something"
    assert object_type_label("evidence") == "evidence"
    assert object_type_label("nosuch.model") == "nosuch.model"
    with translation.override("zh-hans"):
        assert action_label("ticket.dispatch") == "工单派单"


# --- the pages --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_audit_page_shows_chinese_labels_and_the_stored_text(users: dict[str, Any]) -> None:
    target = users[Role.ASSESSOR]
    rec = log_action("account.role_change", obj=target, summary="role of assessor: x → y")
    Client().post(reverse("accounts:login"), {"username": "assessor", "password": "wrong"})
    c = client_for(users[Role.AUDIT_ADMIN])
    html = c.get(reverse("audit:list")).content.decode()
    assert "变更角色" in html and "登录失败" in html  # labels from the codes
    assert "<code>account.role_change</code>" in html  # the code stays visible
    assert "role of assessor: x → y" in html  # the stored summary, as recorded
    assert "审计管理员" in html  # the actor's role by its name, not its code
    detail = c.get(reverse("audit:detail", args=[rec.seq])).content.decode()
    assert "变更角色" in detail and "role of assessor: x → y" in detail
    assert "用户" in detail or "账号" in detail  # accounts.user by its verbose name
    english = c.get(reverse("audit:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Role changed" in english and "Login failed" in english
    # The stored records are untouched: the chain still verifies.
    assert AuditRecord.objects.get(seq=rec.seq).summary == "role of assessor: x → y"
    assert verify_chain().ok


@pytest.mark.django_db
def test_the_verify_page_names_problem_kinds_in_chinese(users: dict[str, Any]) -> None:
    from django.db import connection

    for i in range(3):
        log_action(f"test.action{i}", summary=str(i))
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("DROP TRIGGER audit_auditrecord_no_delete ON audit_auditrecord")
        else:
            cur.execute("DROP TRIGGER audit_auditrecord_no_delete")
        cur.execute("DELETE FROM audit_auditrecord WHERE seq = 3")
    html = client_for(users[Role.AUDIT_ADMIN]).get(reverse("audit:verify")).content.decode()
    with translation.override("zh-hans"):
        deleted = str(PROBLEM_KINDS["deleted"])
    assert f'<span class="badge bad">{deleted}</span>' in html
