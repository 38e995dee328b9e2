"""Security basics: idle timeout, CSRF, headers, cookie settings behind HTTPS,
password policy, uploads (type by extension and content, size, storage,
download), spreadsheet formula guard."""

from __future__ import annotations

import datetime
import io
import re
import runpy
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.test import Client, override_settings
from django.urls import reverse

from opsqm.infra.accounts import middleware as mw
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.core.roles import Role
from opsqm.infra.core.spreadsheet import csv_text, safe_text, safe_value, xlsx_workbook
from opsqm.infra.core.uploads import (
    UploadValidator,
    as_upload,
    download_response,
    serve_protected,
    upload_to,
    validate_upload,
)
from tests.scope import PASSWORD, client_for

SETTINGS_FILE = Path(settings.PACKAGE_DIR) / "edges" / "web" / "settings.py"


# --- sessions --------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(OPSQM_IDLE_TIMEOUT=600)
def test_idle_session_ends(users: dict[str, Any], monkeypatch: Any) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr(mw.time, "time", lambda: now[0])
    c = Client()
    r = c.post(reverse("accounts:login"), {"username": "assessor", "password": PASSWORD})
    assert r.status_code == 302
    assert c.get(reverse("home:home")).status_code == 200
    now[0] += 500
    assert c.get(reverse("home:home")).status_code == 200  # activity renews
    now[0] += 500  # 1000 s after login, 500 s after the last request
    assert c.get(reverse("home:home")).status_code == 200
    now[0] += 600 + mw.IdleTimeoutMiddleware.TOUCH_EVERY
    r = c.get(reverse("home:home"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:login"))
    assert AuditRecord.objects.filter(action="auth.idle_timeout", actor_name="assessor").exists()
    r = c.get(reverse("accounts:login"))
    assert "inactivity" in r.content.decode() or r.context["request"].session.get("idle_logout")


@pytest.mark.django_db
def test_last_seen_is_written_at_most_every_few_seconds(
    monkeypatch: Any, users: dict[str, Any]
) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr(mw.time, "time", lambda: now[0])
    c = Client()
    c.post(reverse("accounts:login"), {"username": "assessor", "password": PASSWORD})
    c.get(reverse("home:home"))
    first = c.session["last_seen"]
    now[0] += mw.IdleTimeoutMiddleware.TOUCH_EVERY - 1
    c.get(reverse("home:home"))
    assert c.session["last_seen"] == first
    now[0] += 1
    c.get(reverse("home:home"))
    assert c.session["last_seen"] == first + mw.IdleTimeoutMiddleware.TOUCH_EVERY


@pytest.mark.django_db
@override_settings(OPSQM_IDLE_TIMEOUT=600)
def test_idle_logout_is_exact_to_the_minute(monkeypatch: Any, users: dict[str, Any]) -> None:
    """Never before the configured idle time after the last request (a request not
    written to the session still counts), and within seconds after it."""
    now = [1_000_000.0]
    monkeypatch.setattr(mw.time, "time", lambda: now[0])
    c = Client()
    c.post(reverse("accounts:login"), {"username": "assessor", "password": PASSWORD})
    c.get(reverse("home:home"))
    now[0] += 59
    last_request = now[0]
    assert c.get(reverse("home:home")).status_code == 200
    now[0] = last_request + 599  # idle 9 min 59 s: still in
    assert c.get(reverse("home:home")).status_code == 200
    now[0] += 599
    assert c.get(reverse("home:home")).status_code == 200
    now[0] += 600 + mw.IdleTimeoutMiddleware.TOUCH_EVERY  # idle past 10 min: out
    assert c.get(reverse("home:home")).status_code == 302


@pytest.mark.django_db
def test_csrf_is_enforced(users: dict[str, Any]) -> None:
    c = Client(enforce_csrf_checks=True)
    r = c.post(reverse("accounts:login"), {"username": "assessor", "password": PASSWORD})
    assert r.status_code == 403
    c.force_login(users[Role.SYSTEM_ADMIN])
    r = c.post(reverse("accounts:user_deactivate", args=[users[Role.ASSESSOR].pk]))
    assert r.status_code == 403


@pytest.mark.django_db
def test_security_headers(users: dict[str, Any]) -> None:
    r = client_for(users[Role.ASSESSOR]).get(reverse("accounts:password"))
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "camera=()" in r["Permissions-Policy"]
    api = client_for(users[Role.ASSESSOR]).get("/api/v1/me/")
    assert api.status_code == 200 and api["Cache-Control"] == "no-store"
    assert "no-store" in client_for(None).get("/api/v1/me/").get("Cache-Control", "")


TEMPLATES_DIR = Path(settings.PACKAGE_DIR)
INLINE_CODE = re.compile(r"\son[a-z]+\s*=|javascript:|<script(?![^>]*\bsrc=)", re.I)


def test_templates_carry_no_inline_script() -> None:
    """The CSP allows scripts only from our files: no handler attributes, no inline
    <script>, no javascript: links in any template."""
    found = [
        f"{path.relative_to(TEMPLATES_DIR)}: {m.group(0)}"
        for path in TEMPLATES_DIR.rglob("templates/**/*.html")
        for m in INLINE_CODE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000)
def test_plain_http_redirects_and_https_carries_hsts(users: dict[str, Any]) -> None:
    c = Client()
    r = c.get(reverse("accounts:login"))
    assert r.status_code == 301 and r["Location"].startswith("https://")
    r = c.get(reverse("accounts:login"), secure=True)
    assert r.status_code == 200 and r["Strict-Transport-Security"].startswith("max-age=31536000")


def load_settings(monkeypatch: Any, tmp_path: Path, **env: str) -> dict[str, Any]:
    monkeypatch.setenv("OPSQM_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for k in ("OPSQM_SECURE", "SECURE_HSTS_SECONDS"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return runpy.run_path(str(SETTINGS_FILE))


def test_cookies_are_secure_behind_https(monkeypatch: Any, tmp_path: Path) -> None:
    plain = load_settings(monkeypatch, tmp_path)
    assert plain["SESSION_COOKIE_SECURE"] is False and plain["CSRF_COOKIE_SECURE"] is False
    assert "SECURE_PROXY_SSL_HEADER" not in plain
    secure = load_settings(monkeypatch, tmp_path, OPSQM_SECURE="1", SECURE_HSTS_SECONDS="3600")
    assert secure["SESSION_COOKIE_SECURE"] is True and secure["CSRF_COOKIE_SECURE"] is True
    assert secure["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert secure["SECURE_HSTS_SECONDS"] == 3600
    default = load_settings(monkeypatch, tmp_path, OPSQM_SECURE="1")
    assert default["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert default["SECURE_SSL_REDIRECT"] is True
    assert plain.get("SECURE_SSL_REDIRECT", False) is False
    for conf in (plain, secure):
        assert conf["SESSION_COOKIE_HTTPONLY"] and conf["CSRF_COOKIE_HTTPONLY"]
        assert conf["AXES_FAILURE_LIMIT"] == 5 and conf["AXES_LOCKOUT_PARAMETERS"] == ["username"]
        assert conf["MEDIA_URL"] is None
        assert conf["MEDIA_ROOT"] == tmp_path.resolve() / "uploads"
    short = load_settings(monkeypatch, tmp_path, OPSQM_IDLE_TIMEOUT="120")
    assert short["OPSQM_IDLE_TIMEOUT"] == 120


def test_uploads_are_outside_the_web_root() -> None:
    media = Path(settings.MEDIA_ROOT).resolve()
    assert settings.MEDIA_URL is None
    assert Path(settings.STATIC_ROOT).resolve() not in media.parents
    assert Path(settings.PACKAGE_DIR).resolve() not in media.parents


@pytest.mark.django_db
def test_password_policy() -> None:
    from opsqm.infra.accounts.models import User

    user = User(username="zhangwei", full_name="Zhang Wei")
    for weak in ("Short1!", "aaaaaaaaaaaaaa", "12345678901234", "password1234", "zhangwei-1A"):
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("Lantern-Okra-47", user)


# --- uploads ----------------------------------------------------------------------


def ooxml(kind: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return buf.getvalue()


GOOD = {
    "scan.pdf": b"%PDF-1.7\n...",
    "photo.PNG": b"\x89PNG\r\n\x1a\n" + b"\0" * 20,
    "photo.jpg": b"\xff\xd8\xff\xe0" + b"\0" * 20,
    "photo.jpeg": b"\xff\xd8\xff\xe1" + b"\0" * 20,
    "form.docx": ooxml("docx"),
    "sheet.xlsx": ooxml("xlsx"),
    "notes.txt": "值班记录\nall fine\n".encode(),
    "notes-gbk.txt": "值班记录".encode("gb18030"),
    "server.log": b"2025-01-01 00:00:00 INFO ok\n",
}
BAD = {
    "virus.pdf": b"MZ\x90\x00" + b"\0" * 20,  # an executable renamed
    "fake.png": b"%PDF-1.4",  # wrong content for the extension
    "fake.docx": ooxml("xlsx"),  # a workbook named .docx
    "zip.xlsx": b"PK\x03\x04garbage",
    "binary.txt": b"abc\x00\x01\x02",
    "page.html": b"<html><script>alert(1)</script>",
    "tool.exe": b"MZ",
    "noext": b"%PDF-1.4",
    "empty.pdf": b"",
}


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_uploads_pass(name: str) -> None:
    assert validate_upload(as_upload(GOOD[name], name))


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_uploads_are_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        validate_upload(as_upload(BAD[name], name))


def test_upload_size_and_kind_limits(settings: Any) -> None:
    settings.OPSQM_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        validate_upload(as_upload(b"%PDF-" + b"x" * 200, "big.pdf"))
    assert exc.value.code == "too_large"
    only_images = UploadValidator("png", "jpeg")
    with pytest.raises(ValidationError):
        only_images(as_upload(GOOD["scan.pdf"], "scan.pdf"))
    only_images(as_upload(GOOD["photo.jpg"], "photo.jpg"))
    with pytest.raises(ValueError):
        UploadValidator("exe")


def test_stored_name_is_random_and_under_media_root() -> None:
    name = upload_to("staff/verification")(None, "../../etc/张三 身份证.PDF")
    assert name.startswith("staff/verification/") and name.endswith(".pdf")
    assert ".." not in name and "张三" not in name
    saved = default_storage.save(name, ContentFile(GOOD["scan.pdf"]))
    path = Path(default_storage.path(saved)).resolve()
    assert Path(settings.MEDIA_ROOT).resolve() in path.parents


@pytest.mark.django_db
def test_download_is_an_attachment_and_scope_checked(users: dict[str, Any]) -> None:
    from opsqm.infra.accounts.models import User

    class FakeFile:
        def __init__(self, name: str) -> None:
            self.name = name

        def __bool__(self) -> bool:
            return True

        def open(self, mode: str) -> Any:
            return default_storage.open(self.name, mode)

    saved = default_storage.save("t/scan.pdf", ContentFile(GOOD["scan.pdf"]))
    r = download_response(FakeFile(saved), filename="核验扫描件.pdf")
    assert r["Content-Disposition"].startswith("attachment;")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content) == GOOD["scan.pdf"]
    with pytest.raises(Http404):
        download_response(FakeFile("t/missing.pdf"))
    # serve_protected looks the object up in the user's queryset: outside → 404.
    with pytest.raises(Http404):
        serve_protected(User.objects.none(), users[Role.ASSESSOR].pk, "password")


# --- spreadsheets -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("正常文本", "正常文本"),
        ("a=b", "a=b"),
    ],
)
def test_formula_guard(value: str, expected: str) -> None:
    assert safe_text(value) == expected


def test_numbers_stay_numbers() -> None:
    assert safe_value(-2) == -2 and safe_value(None) == ""
    text = csv_text(["a", "b"], [["=cmd", -5]])
    assert text.startswith("\ufeff") and "'=cmd,-5" in text


def test_xlsx_workbook_cells() -> None:
    """The one XLSX writer (attendance result, settlement statement, registers, audit
    and dashboard exports): text guarded and typed as a string, characters XLSX cannot
    hold stripped, numbers and dates as they are, aware datetimes without their zone;
    a None header writes no header row."""
    import datetime as dt
    from decimal import Decimal

    from openpyxl import load_workbook

    from opsqm.pure.assessment.model import TZ

    when = dt.datetime(2025, 11, 3, 9, 5, tzinfo=TZ)
    data = xlsx_workbook(
        [
            ("x" * 40, ["=h", "n"], [["=HYPERLINK(1)", 3, "a\x01b", Decimal("1.50"), when]]),
            ("", None, [[dt.date(2025, 11, 3), None, "-2"]]),
        ]
    )
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["x" * 31, "Sheet1"]
    first, second = wb.worksheets
    rows = list(first.iter_rows(values_only=True))
    assert rows[0][:2] == ("'=h", "n")
    assert rows[1][:4] == ("'=HYPERLINK(1)", 3, "ab", 1.5)
    assert rows[1][4] == dt.datetime(2025, 11, 3, 9, 5)
    assert first["A2"].data_type == "s" and first["B2"].data_type == "n"
    assert list(second.iter_rows(values_only=True)) == [(dt.datetime(2025, 11, 3), None, "'-2")]


@pytest.mark.django_db
def test_staff_documents_are_for_the_assessor_and_the_vendor(
    contract_a: Any, users: dict[str, Any]
) -> None:
    """Recipients (and the bureau's other roles) see the vendor staff's names and
    roles; the résumé and certificate scans only the assessor and the vendor."""
    from opsqm.facts.staff.models import StaffMember

    staff_a = StaffMember.objects.create(
        contract=contract_a, person="S01", name="张伟", entered_on=datetime.date(2025, 1, 1)
    )
    staff_a.certificate_scan.save("cert.pdf", ContentFile(GOOD["scan.pdf"]))
    detail = reverse("staff:detail", args=[staff_a.pk])
    scan = reverse("staff:file", args=[staff_a.pk, "certificate_scan"])
    for role in (Role.RECIPIENT, Role.SERVICE_DESK, Role.SUPERVISOR):
        c = client_for(users[role])
        page = c.get(detail)
        assert page.status_code == 200 and staff_a.name in page.content.decode()
        assert scan not in page.content.decode()
        assert c.get(scan).status_code == 403
    for role in (Role.ASSESSOR, Role.VENDOR_MANAGER, Role.VENDOR_ENGINEER):
        c = client_for(users[role])
        assert scan in c.get(detail).content.decode()
        assert c.get(scan).status_code == 200
