"""API endpoints of the registers (contracts, vendors, units, staff, replacements).

Same scope as the pages (opsqm.infra.core.access): list/retrieve for everyone in scope,
create/update for the assessor, through the same service functions (vendors, units,
contracts and replacements take the service's field list, `*_FIELDS`; staff a part of
it: no ID number, files or login).  The three administrators get 403; an object outside
the scope is 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from opsqm.facts.contracts import services as contract_services
from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.models import Contract, SignedAgreement, Unit, Vendor
from opsqm.facts.staff import services as staff_services
from opsqm.facts.staff.models import Replacement, StaffMember
from opsqm.infra.accounts.models import User
from opsqm.infra.core.access import can_manage_registers
from opsqm.infra.core.roles import ADMIN_ROLES, BUREAU_ROLES, VENDOR_ROLES, Role

router = DefaultRouter(trailing_slash=True)


class RegisterPermission(permissions.BasePermission):
    """Business roles read; only the assessor writes."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated or user.role in ADMIN_ROLES:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return can_manage_registers(user)


class AssessorOnly(permissions.BasePermission):
    """A POST-only action of the assessor: other roles 403 on any method (the
    assessor's GET is 405)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user and can_manage_registers(request.user))


class _Base(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = (permissions.IsAuthenticated, RegisterPermission)


# --- vendors and units ----------------------------------------------------------


class VendorSerializer(serializers.ModelSerializer):
    intranet_mailbox = serializers.EmailField(
        max_length=254, allow_null=False, allow_blank=False, required=True
    )
    manager_mailbox = serializers.EmailField(max_length=254, required=True)

    class Meta:
        model = Vendor
        fields = ("id", *contract_services.VENDOR_FIELDS)

    def create(self, validated: dict[str, Any]) -> Vendor:
        return contract_services.create_vendor(validated)

    def update(self, instance: Vendor, validated: dict[str, Any]) -> Vendor:
        return contract_services.update_vendor(instance, validated)


class VendorViewSet(_Base):
    serializer_class = VendorSerializer

    def get_queryset(self) -> QuerySet[Vendor]:
        user = self.request.user
        qs = Vendor.objects.order_by("name")
        role = getattr(user, "role", None)
        if role in BUREAU_ROLES:
            return qs
        if role in VENDOR_ROLES and isinstance(user, User) and user.vendor_id is not None:
            return qs.filter(pk=user.vendor_id)
        return qs.filter(contracts__in=visible_contracts(user)).distinct()


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ("id", *contract_services.UNIT_FIELDS)

    def create(self, validated: dict[str, Any]) -> Unit:
        return contract_services.create_unit(validated)

    def update(self, instance: Unit, validated: dict[str, Any]) -> Unit:
        return contract_services.update_unit(instance, validated)


class UnitViewSet(_Base):
    serializer_class = UnitSerializer

    def get_queryset(self) -> QuerySet[Unit]:
        user = self.request.user
        qs = Unit.objects.order_by("name")
        if getattr(user, "role", None) in BUREAU_ROLES:
            return qs
        if (
            getattr(user, "role", None) == Role.RECIPIENT
            and isinstance(user, User)
            and user.unit_id
        ):
            return qs.filter(pk=user.unit_id)
        return qs.filter(contracts__in=visible_contracts(user)).distinct()


# --- contracts --------------------------------------------------------------------


class ContractSerializer(serializers.ModelSerializer):
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    units = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Unit.objects.all(), required=False
    )
    rulebook = serializers.CharField(max_length=64, required=False, allow_blank=True)
    rulebook_overrides = serializers.DictField(required=False)
    # 十四.3: given at registration, it starts the payment plan and the staff list.
    signed_on = serializers.DateField(write_only=True, required=False)
    agreements = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        # The service's fields, the units it serves, and the vendor's name to read.
        fields = (
            "id",
            *contract_services.CONTRACT_FIELDS,
            "units",
            "vendor_name",
            "signed_on",
            "agreements",
        )

    def get_agreements(self, obj: Contract) -> dict[str, str | None]:
        """合同 七: each agreement's signing day (null: not recorded)."""
        return {
            kind: rec.signed_on.isoformat() if rec is not None else None
            for kind, _label, rec in contract_services.agreements_of(obj)
        }

    def create(self, validated: dict[str, Any]) -> Contract:
        units = validated.pop("units", None)
        return contract_services.create_contract(validated, units)

    def update(self, instance: Contract, validated: dict[str, Any]) -> Contract:
        units = validated.pop("units", None)
        validated.pop("signed_on", None)  # corrected on the payment plan
        return contract_services.update_contract(instance, validated, units)


class AgreementSerializer(serializers.Serializer):
    """合同 七: a signed 保密协议 or 廉洁协议 (multipart with the scan; without a scan
    the stored one stays and only the day is corrected)."""

    kind = serializers.ChoiceField(choices=SignedAgreement.Kind.choices)
    signed_on = serializers.DateField()
    scan = serializers.FileField(write_only=True, required=False)
    recorded_at = serializers.DateTimeField(read_only=True)


class ContractViewSet(_Base):
    serializer_class = ContractSerializer

    def get_queryset(self) -> QuerySet[Contract]:
        return visible_contracts(self.request.user).prefetch_related("units").order_by("code")

    @extend_schema(request=AgreementSerializer, responses=AgreementSerializer(many=True))
    @action(detail=True, methods=["get", "post"], serializer_class=AgreementSerializer)
    def agreements(self, request: Request, pk: str | None = None) -> Response:
        """GET: the agreements recorded; POST (the assessor): record one, or correct it
        (the same service as the contract page); answers the contract's agreements."""
        contract = self.get_object()  # 404 outside the scope
        if request.method == "POST":
            s = AgreementSerializer(data=request.data)
            s.is_valid(raise_exception=True)
            data = dict(s.validated_data)
            kind = data.pop("kind")
            contract_services.record_agreement(contract, kind, data, request.user)
        recorded = [a for _k, _l, a in contract_services.agreements_of(contract) if a]
        return Response(AgreementSerializer(recorded, many=True).data)


# --- staff and replacements ------------------------------------------------------


class _ContractField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[Contract]:
        return visible_contracts(self.context["request"].user)


class _StaffField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[StaffMember]:
        user = self.context["request"].user
        return StaffMember.objects.filter(contract__in=visible_contracts(user))


class StaffSerializer(serializers.ModelSerializer):
    contract = _ContractField()
    verified_on = serializers.DateField(source="verification.verified_on", read_only=True)
    # 合同 七.2: the signed 保密承诺书 (its scan is recorded on the page).
    has_pledge = serializers.BooleanField(read_only=True)
    pledge_signed_on = serializers.DateField(read_only=True)

    class Meta:
        model = StaffMember
        fields = (
            "id",
            "contract",
            "person",
            "name",
            "on_site",
            "entered_on",
            "left_on",
            "verified_on",
            "has_pledge",
            "pledge_signed_on",
            "dingtalk_user_id",
            "employee_no",
        )

    def create(self, validated: dict[str, Any]) -> StaffMember:
        contract = validated.pop("contract")
        return staff_services.register_staff(contract, validated)

    def update(self, instance: StaffMember, validated: dict[str, Any]) -> StaffMember:
        validated.pop("contract", None)  # a person does not move between contracts
        return staff_services.update_staff(instance, validated)


class PledgeSerializer(serializers.Serializer):
    """合同 七.2: the staff member's signed 保密承诺书 (multipart; without a scan the
    stored one stays and only the day is corrected)."""

    pledge_signed_on = serializers.DateField()
    pledge_scan = serializers.FileField(required=False)


class StaffViewSet(_Base):
    serializer_class = StaffSerializer

    def get_queryset(self) -> QuerySet[StaffMember]:
        qs = StaffMember.objects.filter(contract__in=visible_contracts(self.request.user))
        contract = self.request.query_params.get("contract")
        if contract and contract.isdigit():
            qs = qs.filter(contract_id=int(contract))
        return qs.select_related("verification").order_by("contract_id", "person")

    @extend_schema(request=PledgeSerializer, responses=StaffSerializer)
    @action(
        detail=True,
        methods=["post"],
        serializer_class=PledgeSerializer,
        permission_classes=(permissions.IsAuthenticated, AssessorOnly),
    )
    def pledge(self, request: Request, pk: str | None = None) -> Response:
        """Record the pledge (the assessor, as on the staff member's page)."""
        staff = self.get_object()
        s = PledgeSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        staff_services.update_staff(staff, dict(s.validated_data))
        staff.refresh_from_db()
        return Response(StaffSerializer(staff, context={"request": request}).data)


class ReplacementSerializer(serializers.ModelSerializer):
    contract = _ContractField()
    person_out = _StaffField()
    person_in = _StaffField()

    class Meta:
        model = Replacement
        fields = ("id", "contract", *staff_services.REPLACEMENT_FIELDS)

    def create(self, validated: dict[str, Any]) -> Replacement:
        contract = validated.pop("contract")
        return staff_services.register_replacement(contract, validated)

    def update(self, instance: Replacement, validated: dict[str, Any]) -> Replacement:
        validated.pop("contract", None)
        return staff_services.update_replacement(instance, validated)


class ReplacementViewSet(_Base):
    serializer_class = ReplacementSerializer

    def get_queryset(self) -> QuerySet[Replacement]:
        qs = Replacement.objects.filter(contract__in=visible_contracts(self.request.user))
        return qs.select_related("person_out", "person_in").order_by("-replaced_at", "id")


router.register("contracts", ContractViewSet, basename="contract")
router.register("vendors", VendorViewSet, basename="vendor")
router.register("units", UnitViewSet, basename="unit")
router.register("staff", StaffViewSet, basename="staff")
router.register("replacements", ReplacementViewSet, basename="replacement")
