"""/api/v1/ of the remedies: liabilities for an operator's error (第十二条), force
majeure notices with their explanation and decision (合同 十一) and agreed delays of a
contracted delivery (十.1).  Reads: the readers of the incident pages, a vendor's own
contracts (others 404); writes through the same services as the pages: the assessor,
and the vendor manager for a force-majeure notice and its explanation."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.incidents import remedies
from opsqm.facts.incidents.access import READERS
from opsqm.facts.incidents.models import (
    DelayAgreement,
    ForceMajeure,
    Incident,
    Liability,
    ServiceDelay,
)
from opsqm.facts.tickets.models import Ticket
from opsqm.infra.accounts.models import User
from opsqm.infra.core.roles import Role


def read_write(
    readers: tuple[str, ...], writers: tuple[str, ...]
) -> type[permissions.BasePermission]:
    """Safe methods for `readers`, the others for `writers` (403 otherwise)."""
    r, w = frozenset(map(str, readers)), frozenset(map(str, writers))

    class ReadOrWrite(permissions.BasePermission):
        def has_permission(self, request: Any, view: Any) -> bool:
            user = request.user
            if not (user and user.is_authenticated):
                return False
            return str(getattr(user, "role", "")) in (
                r if request.method in permissions.SAFE_METHODS else w
            )

    return ReadOrWrite


class ScopedCreate(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """List / retrieve the records of the user's contracts (`?contract=CODE`); create
    through `service(validated data)`; `scope_path` leads from the record to its contract."""

    model: Any = None
    scope_path = "contract"

    def get_queryset(self) -> QuerySet[Any]:
        qs = self.model.objects.filter(
            **{f"{self.scope_path}__in": visible_contracts(self.request.user)}
        )
        code = self.request.query_params.get("contract")
        if code:
            qs = qs.filter(**{f"{self.scope_path}__code": code})
        return qs.order_by("pk")

    def in_scope(self, qs: QuerySet[Any], pk: Any, path: str = "contract") -> Any:
        """An object a write names: 404 outside the user's scope."""
        return get_object_or_404(
            qs.filter(**{f"{path}__in": visible_contracts(self.request.user)}), pk=pk
        )

    def service(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def actor(self) -> User | None:
        user = self.request.user
        return user if isinstance(user, User) else None

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        s = self.get_serializer(data=request.data)
        s.is_valid(raise_exception=True)
        obj = self.service(dict(s.validated_data))
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)


class LiabilitySerializer(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="incident_id", help_text="the incident's id")
    contract = serializers.CharField(source="incident.contract.code", read_only=True)
    evidence = serializers.FileField(write_only=True, required=False)

    class Meta:
        model = Liability
        fields = ("id", "incident", "contract", *remedies.LIABILITY_FIELDS)


class LiabilityViewSet(ScopedCreate):
    """POST records the liability of an incident, or corrects it (201 either way)."""

    permission_classes = (read_write(READERS, (Role.ASSESSOR,)),)
    serializer_class = LiabilitySerializer
    model = Liability
    scope_path = "incident__contract"

    def service(self, data: dict[str, Any]) -> Any:
        incident = self.in_scope(Incident.objects.all(), data.pop("incident_id"))
        return remedies.record_liability(incident, data, self.actor())


class ForceMajeureSerializer(serializers.ModelSerializer):
    contract = serializers.CharField(source="contract.code", help_text="the contract's code")
    reference = serializers.CharField(read_only=True)
    explanation_due = serializers.DateField(read_only=True)
    explanation_overdue = serializers.SerializerMethodField()
    excused = serializers.SerializerMethodField()

    class Meta:
        model = ForceMajeure
        fields = (
            "id", "contract", *remedies.FM_FIELDS, "reference", "explanation_due",
            "explanation_received_on", "explanation_overdue", "decided_on", "decision", "excused",
        )  # fmt: skip
        read_only_fields = ("explanation_received_on", "decided_on", "decision")

    def get_explanation_overdue(self, fm: ForceMajeure) -> bool:
        return fm.explanation_overdue(remedies.today())

    def get_excused(self, fm: ForceMajeure) -> dict[str, list[int]]:
        return {k: [f.pk for f in v] for k, v in remedies.excused_facts(fm).items()}


class ExplanationSerializer(serializers.Serializer):
    explanation_received_on = serializers.DateField()
    explanation = serializers.FileField(required=False)


class DecisionSerializer(serializers.Serializer):
    decided_on = serializers.DateField()
    decision = serializers.CharField(max_length=2000)
    tickets = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    incidents = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list
    )
    deliveries = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list
    )


NOTIFIERS = (Role.ASSESSOR, Role.VENDOR_MANAGER)


class ForceMajeureViewSet(ScopedCreate):
    permission_classes = (read_write(READERS, NOTIFIERS),)
    serializer_class = ForceMajeureSerializer
    model = ForceMajeure
    # The actions are POST only: a role that may not take them is 403 on any method.
    ACTION_ROLES = {"explanation": NOTIFIERS, "decision": (Role.ASSESSOR,)}

    def get_permissions(self) -> list[Any]:
        # by the route, not `self.action`: a GET of a POST-only action has no action
        match = getattr(self.request, "resolver_match", None)
        route = (getattr(match, "url_name", "") or "").rsplit("-", 1)[-1]
        roles = self.ACTION_ROLES.get(route)
        if roles is not None:
            return [read_write(roles, roles)()]
        return list(super().get_permissions())

    def service(self, data: dict[str, Any]) -> Any:
        from opsqm.facts.contracts.models import Contract

        contract = self.in_scope(Contract.objects.all(), data.pop("contract")["code"], "pk")
        return remedies.record_force_majeure(contract, data)

    def in_scope(self, qs: QuerySet[Any], pk: Any, path: str = "contract") -> Any:
        if path == "pk":  # a contract, by its code
            return get_object_or_404(visible_contracts(self.request.user), code=pk)
        return super().in_scope(qs, pk, path)

    @action(detail=True, methods=["post"], serializer_class=ExplanationSerializer)
    def explanation(self, request: Request, pk: str | None = None) -> Response:
        fm = self.get_object()
        s = ExplanationSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        remedies.record_explanation(fm, d["explanation_received_on"], d.get("explanation"))
        fm.refresh_from_db()
        return Response(ForceMajeureSerializer(fm).data)

    @action(detail=True, methods=["post"], serializer_class=DecisionSerializer)
    def decision(self, request: Request, pk: str | None = None) -> Response:
        fm = self.get_object()
        s = DecisionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        for name, model in (
            ("tickets", Ticket),
            ("incidents", Incident),
            ("deliveries", ServiceDelay),
        ):
            ids = d.get(name, [])
            found = list(model.objects.filter(pk__in=ids, contract=fm.contract))
            if len(found) != len(set(ids)):
                raise serializers.ValidationError({name: ["Unknown id, or not of this contract."]})
            d[name] = found
        remedies.decide_force_majeure(fm, d, self.actor())
        fm.refresh_from_db()
        return Response(ForceMajeureSerializer(fm).data)


class DelayAgreementSerializer(serializers.ModelSerializer):
    delivery = serializers.IntegerField(source="delivery_id", help_text="the delivery's id")
    contract = serializers.CharField(source="delivery.contract.code", read_only=True)
    document = serializers.FileField(write_only=True)

    class Meta:
        model = DelayAgreement
        fields = ("id", "delivery", "contract", *remedies.AGREEMENT_FIELDS, "previous_due")
        read_only_fields = ("previous_due",)


class DelayAgreementViewSet(ScopedCreate):
    """POST records the bureau's written agreement (multipart, with the document) and
    moves the delivery's due day."""

    permission_classes = (read_write(READERS, (Role.ASSESSOR,)),)
    serializer_class = DelayAgreementSerializer
    model = DelayAgreement
    scope_path = "delivery__contract"

    def service(self, data: dict[str, Any]) -> Any:
        delivery = self.in_scope(ServiceDelay.objects.all(), data.pop("delivery_id"))
        return remedies.agree_delay(delivery, data, self.actor())


router = SimpleRouter(trailing_slash=True)
router.register("liabilities", LiabilityViewSet, basename="liability")
router.register("force-majeure", ForceMajeureViewSet, basename="force-majeure")
router.register("delay-agreements", DelayAgreementViewSet, basename="delay-agreement")
urlpatterns = router.urls
