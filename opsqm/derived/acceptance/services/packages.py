"""The acceptance package: requested, then built by the worker (finished or failed)."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction

from opsqm.derived.acceptance.models import Package
from opsqm.derived.acceptance.services import common
from opsqm.derived.acceptance.services.common import _actor, _contract_of_vendor, _need
from opsqm.derived.acceptance.services.register import ensure_register
from opsqm.facts.contracts.models import Contract
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.services import log_action
from opsqm.infra.core.roles import Role

PACKAGERS = (Role.VENDOR_MANAGER, Role.ASSESSOR, Role.SUPERVISOR)


def request_package(contract: Contract, user: User) -> Package:
    """Queue the assembly of the acceptance package (a worker job with progress)."""
    from opsqm.infra.jobs.services import enqueue

    _need(user, *PACKAGERS)
    _contract_of_vendor(user, contract)
    ensure_register(contract)
    with transaction.atomic():
        pkg = Package.objects.create(contract=contract, created_at=common.now(), created_by=user)
        pkg.job = enqueue(
            "acceptance.package",
            {"package": pkg.pk},
            dedupe_key=f"acceptance.package:{pkg.pk}",
            created_by=user,
        )
        pkg.save(update_fields=["job"])
        log_action("acceptance.package_request", obj=pkg, actor=_actor(user), summary=contract.code)
    return pkg


def finish_package(pkg: Package, data: bytes, files: int) -> Package:
    with transaction.atomic():
        pkg.file.save(f"{pkg.contract.code}.zip", ContentFile(data), save=False)
        pkg.sha256 = hashlib.sha256(data).hexdigest()
        pkg.size, pkg.files = len(data), files
        pkg.state, pkg.finished_at = Package.State.READY, common.now()
        pkg.save()
        log_action(
            "acceptance.package_ready",
            obj=pkg,
            actor=pkg.created_by,
            summary=f"{pkg.contract.code}: {files} files",
            after={"sha256": pkg.sha256, "size": pkg.size},
        )
    return pkg


def fail_package(pkg: Package, reason: str) -> None:
    with transaction.atomic():
        pkg.state, pkg.finished_at = Package.State.FAILED, common.now()
        pkg.save(update_fields=["state", "finished_at"])
        log_action("acceptance.package_failed", obj=pkg, actor=pkg.created_by, summary=reason)
