"""/api/v1/ read endpoints of issue 6: incidents (with the 第十一条 proposal and the
report deadline), rectification notices, contracted deliveries and praise applications
(the settlement statements: opsqm.derived.settlement.api).  Same scope as the pages:
bureau roles all, vendor roles their own contracts (others 404); roles without
business there 403.  Changes go through the pages (the same services)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.incidents import services
from opsqm.facts.incidents.access import READERS
from opsqm.facts.incidents.models import (
    Incident,
    PraiseApplication,
    RectificationNotice,
    ServiceDelay,
)
from opsqm.pure.assessment.model import TZ


def roles_permission(*roles: str) -> type[permissions.BasePermission]:
    wanted = frozenset(str(r) for r in roles)

    class HasRole(permissions.BasePermission):
        def has_permission(self, request: Any, view: Any) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user.role in wanted)

    return HasRole


class ContractScopedReadOnly(viewsets.ReadOnlyModelViewSet):
    permission_classes = (permissions.IsAuthenticated, roles_permission(*READERS))
    model: Any = None

    def get_queryset(self) -> QuerySet[Any]:
        qs = self.model.objects.filter(contract__in=visible_contracts(self.request.user))
        contract = self.request.query_params.get("contract")
        if contract:
            qs = qs.filter(contract__code=contract)
        return qs.select_related("contract").order_by("pk")


class OfContractSerializer(serializers.ModelSerializer):
    """A record of a contract, which it names by its code."""

    contract = serializers.CharField(source="contract.code")


class IncidentSerializer(OfContractSerializer):
    pending_determination = serializers.SerializerMethodField()
    proposal = serializers.SerializerMethodField()
    report_due = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = (
            "id",
            "contract",
            "code",
            "title",
            "occurred_at",
            "restored_at",
            "systems",
            "impact",
            "scope",
            "human_error",
            "level",
            "pending_determination",
            "proposal",
            "report_due",
            "reported_at",
            "excused",
        )

    def get_pending_determination(self, obj: Incident) -> bool:
        return obj.level is None

    def get_proposal(self, obj: Incident) -> dict[str, Any]:
        p = obj.proposal(timezone.now())
        return {"level": p.level, "raised": p.raised, "reasons": p.as_list()}

    def get_report_due(self, obj: Incident) -> str:
        from opsqm.facts.incidents.views import report_hours

        return services.report_deadline(obj, report_hours(obj.contract)).astimezone(TZ).isoformat()


class IncidentViewSet(ContractScopedReadOnly):
    serializer_class = IncidentSerializer
    model = Incident


class RectificationSerializer(OfContractSerializer):
    overdue = serializers.SerializerMethodField()
    # 第二十一条三: the mail that delivered it; its server time starts the 5 days.
    mail = serializers.CharField(source="mail.message_id", default=None, read_only=True)

    class Meta:
        model = RectificationNotice
        fields = (
            "id",
            "contract",
            "code",
            "subject",
            "description",
            "mail",
            "received_at",
            "received_on",
            "due",
            "status",
            "rectified_at",
            "response",
            "verified_at",
            "verification_note",
            "overdue",
        )

    def get_overdue(self, obj: RectificationNotice) -> bool:
        return obj.overdue(timezone.localdate())


class RectificationViewSet(ContractScopedReadOnly):
    serializer_class = RectificationSerializer
    model = RectificationNotice


class DeliverySerializer(OfContractSerializer):
    class Meta:
        model = ServiceDelay
        fields = (
            "id", "contract", "obligation", "kind", "clause", "basis_on", "due", "delivered",
            "excused",
        )  # fmt: skip


class DeliveryViewSet(ContractScopedReadOnly):
    serializer_class = DeliverySerializer
    model = ServiceDelay

    @action(detail=True, url_path="staff-list")
    def staff_list(self, request: Any, pk: Any = None) -> Response:
        """合同 六(二)1: the latest submitted list beside the staff register."""
        from opsqm.facts.incidents.stafflist import compare_staff_list

        delivery = self.get_object()
        latest = delivery.staff_lists.first()
        if delivery.kind != ServiceDelay.Kind.STAFF_LIST:
            raise NotFound
        if latest is None:
            return Response({"submitted_at": None})

        def person(s: Any) -> dict[str, str]:
            return {"person": s.person, "name": s.name}

        cmp = compare_staff_list(latest)
        return Response(
            {
                "submitted_at": latest.submitted_at.astimezone(TZ).isoformat(),
                "entries": latest.entries,
                "agrees": cmp.agrees,
                "listed_only": cmp.listed_only,
                "registered_only": [person(s) for s in cmp.registered_only],
                "matched": [person(s) for _e, s in cmp.matched],
            }
        )


class PraiseApplicationSerializer(OfContractSerializer):
    unit = serializers.CharField(source="unit.name", default=None, read_only=True)

    class Meta:
        model = PraiseApplication
        fields = (
            "id",
            "contract",
            "event",
            "level",
            "praised_on",
            "description",
            "unit",
            "status",
            "applied_at",
            "verified_with",
            "decided_at",
            "decision_note",
        )


class PraiseApplicationViewSet(ContractScopedReadOnly):
    serializer_class = PraiseApplicationSerializer
    model = PraiseApplication


router = SimpleRouter(trailing_slash=True)
router.register("incidents", IncidentViewSet, basename="incident")
router.register("rectifications", RectificationViewSet, basename="rectification")
router.register("deliveries", DeliveryViewSet, basename="delivery")
router.register("praise-applications", PraiseApplicationViewSet, basename="praise-application")
urlpatterns = router.urls
