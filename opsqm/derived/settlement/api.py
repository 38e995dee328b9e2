"""/api/v1/settlements/: the year-end statements, read-only, with the scope of the
incident endpoints (bureau roles all, a vendor manager their own contracts)."""

from __future__ import annotations

from rest_framework import permissions
from rest_framework.routers import SimpleRouter

from opsqm.derived.settlement.models import SettlementStatement
from opsqm.facts.incidents.api import (
    ContractScopedReadOnly,
    OfContractSerializer,
    roles_permission,
)
from opsqm.infra.core.roles import Role

SETTLEMENT_READERS = (Role.ASSESSOR, Role.SUPERVISOR, Role.SERVICE_DESK, Role.VENDOR_MANAGER)


class SettlementSerializer(OfContractSerializer):
    class Meta:
        model = SettlementStatement
        fields = (
            "id",
            "contract",
            "status",
            "created_at",
            "reviewed_at",
            "signed_at",
            "rulebook",
            "evidence_sha256",
            "frozen_ledger",
            "frozen_compensation",
            "history",
        )


class SettlementViewSet(ContractScopedReadOnly):
    permission_classes = (permissions.IsAuthenticated, roles_permission(*SETTLEMENT_READERS))
    serializer_class = SettlementSerializer
    model = SettlementStatement


router = SimpleRouter(trailing_slash=True)
router.register("settlements", SettlementViewSet, basename="settlement")
urlpatterns = router.urls
