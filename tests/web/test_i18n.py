"""The zh_Hans catalogue stays complete, correct and compiled (docs/i18n.md).

(a) every entry of the committed .po is translated, not fuzzy, with the same
    placeholders and HTML tags as its source;
(b) the committed .mo holds exactly what the .po says (so a machine without GNU
    gettext runs the translated platform);
(c) the source has no string the catalogue lacks, and the catalogue no string the
    source dropped (a fresh `makemessages` on a copy of the tree, needs xgettext);
(d) the pages come out in Chinese by default, and in English on request.

When (c) fails: `make messages`, translate the new entries, commit .po and .mo.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

PACKAGE = Path(__file__).resolve().parents[2] / "opsqm"
MESSAGES = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES"
PO = MESSAGES / "django.po"
MO = MESSAGES / "django.mo"
# The same options as the `messages` target of the Makefile.
MAKEMESSAGES_OPTIONS: dict[str, Any] = {
    "locale": ["zh_Hans"],
    "no_obsolete": True,
    "ignore_patterns": ["assessment/*"],
    "verbosity": 0,
}


# --- a small .po reader (no new dependency) -------------------------------------------


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def key(self) -> str:
        """The key of the entry in a compiled catalogue."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(s: str) -> str:
    # PO escapes (\\ \" \n \t) are a subset of Python's string literal escapes.
    value = ast.literal_eval(s)
    assert isinstance(value, str)
    return value


def read_po(path: Path) -> tuple[Entry | None, list[Entry]]:
    """(header, entries) of a .po file."""
    entries: list[Entry] = []
    cur: Entry | None = None
    target: tuple[str, int] | None = None
    pending_flags: set[str] = set()

    def finish() -> None:
        nonlocal cur
        if cur is not None:
            entries.append(cur)
        cur = None

    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#"):
            if cur is not None and cur.msgstr:  # comments open the next entry
                finish()
            if line.startswith("#,"):
                pending_flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        m = _KEYWORD.match(line)
        if m:
            keyword, index, value = m.group(1), m.group(2), _unquote(m.group(3))
            if keyword in ("msgctxt", "msgid") and (cur is None or cur.msgstr):
                finish()
                cur = Entry(msgid="", flags=pending_flags, obsolete=obsolete, line=n)
                pending_flags = set()
            assert cur is not None, f"{path}:{n}: {keyword} outside an entry"
            if keyword == "msgctxt":
                cur.msgctxt, target = value, ("msgctxt", 0)
            elif keyword == "msgid":
                cur.msgid, target = value, ("msgid", 0)
            elif keyword == "msgid_plural":
                cur.msgid_plural, target = value, ("msgid_plural", 0)
            else:
                i = int(index or 0)
                cur.msgstr[i], target = value, ("msgstr", i)
            continue
        if line.startswith('"') and cur is not None and target is not None:
            value = _unquote(line)
            kind, i = target
            if kind == "msgstr":
                cur.msgstr[i] += value
            elif kind == "msgctxt":
                cur.msgctxt = (cur.msgctxt or "") + value
            else:
                setattr(cur, kind, getattr(cur, kind) + value)
            continue
        raise AssertionError(f"{path}:{n}: cannot read {raw!r}")
    finish()
    header = next((e for e in entries if e.msgid == "" and e.msgctxt is None), None)
    return header, [e for e in entries if e is not header and not e.obsolete]


# --- placeholders ------------------------------------------------------------------------

_PYTHON_FORMAT = re.compile(
    r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]"
)
_BRACE_FORMAT = re.compile(
    r"\{[A-Za-z_][A-Za-z0-9_]*(?:[.\[][^{}]*)?(?:![rsa])?(?::[^{}]*)?\}|\{\d*\}"
)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*")


def placeholders(s: str, flags: set[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    if "python-format" in flags or (_PYTHON_FORMAT.search(s) and "no-python-format" not in flags):
        found.update(p for p in _PYTHON_FORMAT.findall(s))
    if "python-brace-format" in flags or "{" in s:
        found.update(_BRACE_FORMAT.findall(s))
    found.update(t.lower() for t in _TAG.findall(s))  # HTML markup kept as written
    return found


def positional(s: str, flags: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Unnamed %s/%d in order: a translation may not reorder them."""
    if "no-python-format" in flags:
        return []
    return [p for p in _PYTHON_FORMAT.findall(s) if not p.startswith("%(") and p != "%%"]


# --- (a) the committed catalogue ----------------------------------------------------------


@pytest.fixture(scope="module")
def po() -> tuple[Entry | None, list[Entry]]:
    assert PO.is_file(), f"{PO} is missing: run `make messages`"
    return read_po(PO)


def test_header_is_simplified_chinese_with_one_plural_form(po: Any) -> None:
    header, _ = po
    assert header is not None
    meta = header.msgstr[0]
    assert "Plural-Forms: nplurals=1; plural=0;" in meta
    assert "charset=UTF-8" in meta
    assert "Language: zh_Hans" in meta
    assert "fuzzy" not in header.flags


def test_every_entry_is_translated_and_not_fuzzy(po: Any) -> None:
    _, entries = po
    assert len(entries) > 100
    untranslated = [
        f"line {e.line}: {e.msgid!r}"
        for e in entries
        if not e.msgstr or any(not s.strip() for s in e.msgstr.values())
    ]
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in entries if "fuzzy" in e.flags]
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy entries (check, then drop the flag):\n" + "\n".join(fuzzy)
    plural_forms = [e for e in entries if e.msgid_plural is not None and set(e.msgstr) != {0}]
    assert not plural_forms, "zh has exactly one plural form, msgstr[0]"


def test_placeholders_and_markup_are_kept(po: Any) -> None:
    _, entries = po
    wrong = []
    for e in entries:
        source = e.msgid_plural if e.msgid_plural is not None else e.msgid
        want = placeholders(source, e.flags)
        for i, s in e.msgstr.items():
            got = placeholders(s, e.flags)
            if got != want or positional(s, e.flags) != positional(source, e.flags):
                wrong.append(f"line {e.line} msgstr[{i}]: {dict(want)} != {dict(got)}: {s!r}")
    assert not wrong, "placeholders or tags differ:\n" + "\n".join(wrong)


def test_placeholder_check_catches_mistakes() -> None:
    flags = {"python-format"}
    assert placeholders("Account %(u)s saved.", flags) == placeholders("账号 %(u)s 已保存。", flags)
    assert placeholders("Account %(u)s saved.", flags) != placeholders(
        "账号 %(user)s 已保存", flags
    )
    assert placeholders("at most %(mb).1f MB", flags) != placeholders("最多 %(mb)s MB", flags)
    assert placeholders("{n} rows", set()) != placeholders("行", set())
    assert placeholders("<code>x</code>", set()) != placeholders("x", set())
    assert positional("%s of %d") != positional("%d 中的 %s")


# --- (b) the committed .mo is the compiled .po ----------------------------------------


def _catalog(path: Path) -> dict[Any, str]:
    with path.open("rb") as f:
        return dict(gettext.GNUTranslations(f)._catalog)  # type: ignore[attr-defined]


def _without_header(catalog: dict[Any, str]) -> dict[Any, str]:
    return {k: v for k, v in catalog.items() if k != ""}


def test_mo_matches_the_po(po: Any) -> None:
    assert MO.is_file(), f"{MO} is missing: run `make messages`"
    _, entries = po
    expected: dict[Any, str] = {}
    for e in entries:
        if "fuzzy" in e.flags or not all(e.msgstr.values()):
            continue  # msgfmt leaves these out (and the tests above fail on them)
        if e.msgid_plural is None:
            expected[e.key] = e.msgstr[0]
        else:
            for i, s in e.msgstr.items():
                expected[(e.key, i)] = s
    assert _without_header(_catalog(MO)) == expected, (
        "django.mo is not the compiled django.po: run `make messages` (or compilemessages)"
    )


def test_mo_is_what_msgfmt_makes(tmp_path: Path) -> None:
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (GNU gettext) is not installed: .mo not recompiled for comparison")
    out = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(out), str(PO)], check=True, timeout=30)
    assert _catalog(out) == _catalog(MO), "django.mo is stale: run `make messages`"


# --- (c) the catalogue knows every string of the source ----------------------------------


def _needs_xgettext() -> None:
    if all(shutil.which(t) for t in ("xgettext", "msguniq", "msgmerge", "msgattrib")):
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("GNU gettext (xgettext, msgmerge) is required on CI")
    pytest.skip("GNU gettext (xgettext) is not installed: source strings not re-extracted")


def test_catalogue_matches_the_source(
    po: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _needs_xgettext()
    tree = tmp_path / "opsqm"
    shutil.copytree(
        PACKAGE,
        tree,
        ignore=shutil.ignore_patterns("locale", "assessment", "__pycache__", "static", "*.pyc"),
    )
    (tree / "locale").mkdir()
    monkeypatch.chdir(tree)
    # The temporary tree's own locale directory: the committed catalogue is never touched.
    with override_settings(LOCALE_PATHS=[str(tree / "locale")]):
        call_command("makemessages", **MAKEMESSAGES_OPTIONS)
    _, fresh = read_po(tree / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    _, committed = po
    in_source = {(e.msgctxt, e.msgid, e.msgid_plural) for e in fresh}
    in_catalogue = {(e.msgctxt, e.msgid, e.msgid_plural) for e in committed}
    missing = sorted(in_source - in_catalogue, key=str)
    stale = sorted(in_catalogue - in_source, key=str)
    hint = "\nrun `make messages`, translate the new entries (docs/i18n.md), commit .po and .mo"
    assert not missing, (
        "strings missing from the catalogue:\n" + "\n".join(map(str, missing)) + hint
    )
    assert not stale, "strings no longer in the source:\n" + "\n".join(map(str, stale)) + hint


# --- (d) the pages are in Chinese -----------------------------------------------------------


@pytest.mark.django_db
def test_pages_are_chinese_by_default(users: Any, login: Any, contract_a: Any) -> None:
    client = login(users["assessor"])
    for url in ("/", reverse("contracts:list")):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="zh-hans">' in html, url
        assert "退出登录" in html and "运维服务质量管理平台" in html, url
        assert "Log out" not in html and "Service Quality Management" not in html, url
    html = client.get(reverse("contracts:list")).content.decode()
    assert "合同编号" in html and "服务期" in html
    assert "Contract number" not in html and "Service period" not in html


@pytest.mark.django_db
def test_english_on_request(users: Any, login: Any) -> None:
    html = login(users["assessor"]).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log out" in html and "退出登录" not in html
