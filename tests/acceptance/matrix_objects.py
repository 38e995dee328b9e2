"""Objects of issue 7 (acceptance register, inspections, packages) for the
permission matrix: one inside the scope (contract A), one outside (contract B)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.base import ContentFile

from opsqm.infra.core.roles import Role


def add_objects(
    objs: dict[str, Any], users: dict[str, Any], contract_a: Any, contract_b: Any
) -> None:
    from opsqm.derived.acceptance import services
    from opsqm.derived.acceptance.models import (
        DeliverableVersion,
        Inspection,
        InspectionResult,
        Kind,
        Package,
    )

    at = datetime.datetime(2025, 6, 1, 9, tzinfo=datetime.UTC)
    for tag, contract in (("a", contract_a), ("b", contract_b)):
        d = services.deliverable_for(contract, Kind.DATA_DICTIONARY)
        v = DeliverableVersion(
            deliverable=d, number=1, name="d.pdf", sha256="0" * 64, uploaded_at=at
        )
        v.file.save("d.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
        pkg = Package(contract=contract, created_at=at, state="ready")
        pkg.file.save("p.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=True)
        item = services.ensure_checklist(contract)[0]
        insp = Inspection.objects.create(
            contract=contract,
            month=datetime.date(2025, 6, 1),
            inspector=users[Role.VENDOR_ENGINEER],
            started_at=at,
        )
        res = InspectionResult(inspection=insp, item=item, group=item.group, text=item.text)
        res.photo.save("p.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
        objs[f"deliverable_{tag}"], objs[f"version_{tag}"] = d.pk, v.pk
        objs[f"package_{tag}"], objs[f"inspection_{tag}"], objs[f"result_{tag}"] = (
            pkg.pk,
            insp.pk,
            res.pk,
        )
