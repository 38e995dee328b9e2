"""The acceptance package: assembled in the worker with progress, checked by
`opsqm verify-package` (exit 0, or non-zero naming every missing, extra or altered
file), without a database."""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from opsqm.derived.acceptance import manifest, services
from opsqm.derived.acceptance.models import Kind, Package
from opsqm.infra.core.roles import Role
from opsqm.infra.jobs.services import claim, run_job

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% test\n"


@pytest.fixture
def short_contract(vendor_a: Any, unit_a: Any) -> Any:
    """Two months, one quarter: few generated reports (each PDF ~0.2 s)."""
    from opsqm.facts.contracts.models import Contract

    c = Contract.objects.create(
        code="BJJY-2025-009",
        title="移动执法终端软件运维",
        vendor=vendor_a,
        amount=Decimal("530000.00"),
        final_payment=Decimal("132500.00"),
        start=datetime.date(2025, 11, 1),
        end=datetime.date(2025, 12, 31),
    )
    c.units.add(unit_a)
    return c


def test_package_in_the_worker_and_its_verification(
    short_contract: Any, users: Any, tmp_path: Path
) -> None:
    vm, sup = users[Role.VENDOR_MANAGER], users[Role.SUPERVISOR]
    d = services.deliverable_for(short_contract, Kind.DATA_DICTIONARY)
    services.upload_version(d, vm, SimpleUploadedFile("dict.pdf", PDF))
    services.upload_version(d, vm, SimpleUploadedFile("dict.pdf", PDF + b"v2"))
    services.review_deliverable(d, sup, approve=True, comments="")
    services.upload_version(d, vm, SimpleUploadedFile("dict.pdf", PDF + b"v3"))  # after approval

    c = Client()
    c.force_login(vm)
    r = c.post(reverse("acceptance:package", args=[short_contract.code]))
    assert r.status_code == 302
    pkg = Package.objects.get(contract=short_contract)
    page = c.get(reverse("acceptance:detail", args=[short_contract.code]))
    assert reverse("jobs:progress", args=[pkg.job.pk]).encode() in page.content
    job = claim("test-worker")
    assert job is not None and job.pk == pkg.job.pk
    assert run_job(job, "test-worker") == "done"
    job.refresh_from_db()
    assert job.progress == 100
    pkg.refresh_from_db()
    assert pkg.state == "ready" and pkg.file.name.startswith("acceptance/packages/")

    got = c.get(reverse("acceptance:package_file", args=[pkg.pk]))
    data = b"".join(got.streaming_content)
    z = zipfile.ZipFile(io.BytesIO(data))
    names = set(z.namelist())
    # The accepted version (v2), not the later v3; generated reports; index; manifests.
    accepted = [n for n in names if n.startswith("deliverables/")]
    assert len(accepted) == 1 and accepted[0].endswith("-v2.pdf")
    assert z.read(accepted[0]) == PDF + b"v2"
    assert {"00-索引.pdf", "manifest.json", "manifest.sha256"} <= names
    assert any("季度报告" in n and "2025Q4" in n for n in names)
    assert any("项目年度总结报告" in n for n in names)
    assert any("漏洞补丁维护记录" in n for n in names)
    assert any(n.endswith("2025-11.xlsx") for n in names)
    meta = json.loads(z.read("manifest.json"))
    assert {f["path"] for f in meta["files"]} == names - {"manifest.json", "manifest.sha256"}
    sums = z.read("manifest.sha256").decode()
    assert f"{manifest.sha256_hex(z.read(accepted[0]))}  {accepted[0]}\n" in sums

    good = tmp_path / "package.zip"
    good.write_bytes(data)
    assert manifest.main([str(good)]) == 0
    call_command("verify-package", str(good))  # the Django command: no error

    # Tamper: alter one file, drop another, add a third.
    bad = tmp_path / "bad.zip"
    dropped = next(n for n in names if n.endswith(".xlsx"))
    with zipfile.ZipFile(bad, "w") as out:
        for n in z.namelist():
            if n == dropped:
                continue
            out.writestr(n, z.read(n) + (b"x" if n == accepted[0] else b""))
        out.writestr("extra.txt", b"hello")
    report = manifest.verify_zip(str(bad))
    assert report.missing == [dropped]
    assert report.extra == ["extra.txt"]
    assert report.altered == [accepted[0]]
    # `opsqm verify-package` in a fresh process with no usable database.
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    opsqm = Path(sys.executable).with_name("opsqm")
    run = subprocess.run(
        [str(opsqm), "verify-package", str(bad)], capture_output=True, text=True, env=env
    )
    assert run.returncode != 0
    for n in (dropped, "extra.txt", accepted[0]):
        assert n in run.stdout
    ok = subprocess.run([str(opsqm), "verify-package", str(good)], capture_output=True, env=env)
    assert ok.returncode == 0, ok.stderr
