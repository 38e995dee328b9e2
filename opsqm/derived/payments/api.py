"""/api/v1/ of the payments (合同 五.2, 五.3) and the termination (十.2, 十.3): the
schedule of a contract (computed), invoices, payments made and the termination with
its consequence.  Reads: the readers of the payment pages, own contracts for a vendor
manager (others 404); writes: the assessor, through the same services as the page."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from opsqm.derived.payments import services, termination
from opsqm.derived.payments.models import Invoice, PaymentMade, PaymentPlan, Termination
from opsqm.derived.payments.views import READERS
from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.models import Contract
from opsqm.facts.incidents.remedy_api import ScopedCreate as BaseScopedCreate
from opsqm.facts.incidents.remedy_api import read_write
from opsqm.infra.core.roles import Role

WRITERS = (Role.ASSESSOR,)


class ScopedCreate(BaseScopedCreate):
    """Records of a contract named by its code (`contract`); create through
    `create_for(contract, data)`."""

    permission_classes = (read_write(READERS, WRITERS),)

    def create_for(self, contract: Contract, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def service(self, data: dict[str, Any]) -> Any:
        contract = get_object_or_404(
            visible_contracts(self.request.user), code=data.pop("contract")["code"]
        )
        return self.create_for(contract, data)


class OfContract(serializers.ModelSerializer):
    contract = serializers.CharField(source="contract.code", help_text="the contract's code")


class InvoiceSerializer(OfContract):
    class Meta:
        model = Invoice
        fields = ("id", "contract", *services.INVOICE_FIELDS)


class InvoiceViewSet(ScopedCreate):
    serializer_class = InvoiceSerializer
    model = Invoice

    def create_for(self, contract: Contract, data: dict[str, Any]) -> Any:
        return services.register_invoice(contract, data)


class PaymentSerializer(OfContract):
    class Meta:
        model = PaymentMade
        fields = ("id", "contract", *services.PAYMENT_FIELDS)


class PaymentViewSet(ScopedCreate):
    serializer_class = PaymentSerializer
    model = PaymentMade

    def create_for(self, contract: Contract, data: dict[str, Any]) -> Any:
        return services.record_payment(contract, data)


class ConsequenceSerializer(serializers.Serializer):
    refund = serializers.DecimalField(max_digits=14, decimal_places=2)
    penalty = serializers.DecimalField(max_digits=14, decimal_places=2)
    actual_loss = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    damages = serializers.DecimalField(max_digits=14, decimal_places=2)
    damages_basis = serializers.CharField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    refund_due = serializers.DateField(allow_null=True)


class TerminationSerializer(OfContract):
    consequence = serializers.SerializerMethodField()
    notice = serializers.FileField(write_only=True, required=False)

    class Meta:
        model = Termination
        fields = ("id", "contract", *termination.TERMINATION_FIELDS, "consequence")

    @extend_schema(responses=ConsequenceSerializer)
    def get_consequence(self, obj: Termination) -> dict[str, Any] | None:
        c = termination.consequence(obj.contract)
        return None if c is None else dict(ConsequenceSerializer(c).data)


class TerminationViewSet(ScopedCreate):
    """POST records the termination, or corrects the one recorded (201 either way)."""

    serializer_class = TerminationSerializer
    model = Termination

    def create_for(self, contract: Contract, data: dict[str, Any]) -> Any:
        return termination.record_termination(contract, data)


class DueSerializer(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField(source="label")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    counted_from = serializers.DateField(allow_null=True)
    deadline = serializers.SerializerMethodField()
    base_deadline = serializers.SerializerMethodField()
    extended_by_invoice = serializers.SerializerMethodField()
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    overdue = serializers.BooleanField()
    terminated = serializers.BooleanField()

    def get_deadline(self, due: services.Due) -> str | None:
        return due.deadline.due.isoformat() if due.deadline else None

    def get_base_deadline(self, due: services.Due) -> str | None:
        return due.deadline.base.isoformat() if due.deadline else None

    def get_extended_by_invoice(self, due: services.Due) -> bool:
        return bool(due.deadline and due.deadline.extended_by_invoice)


class ScheduleSerializer(serializers.Serializer):
    contract = serializers.CharField(source="code")
    signed_on = serializers.SerializerMethodField()
    payments = serializers.SerializerMethodField()

    def get_signed_on(self, contract: Contract) -> str | None:
        plan = PaymentPlan.objects.filter(contract=contract).first()
        return plan.signed_on.isoformat() if plan else None

    @extend_schema(responses=DueSerializer(many=True))
    def get_payments(self, contract: Contract) -> list[dict[str, Any]]:
        return [dict(DueSerializer(d).data) for d in services.schedule(contract)]


class ScheduleViewSet(viewsets.ReadOnlyModelViewSet):
    """The schedule of 五.2 per contract: what is due, by when, what was paid."""

    permission_classes = (read_write(READERS, WRITERS),)
    serializer_class = ScheduleSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[Contract]:
        return visible_contracts(self.request.user).order_by("code")


router = SimpleRouter(trailing_slash=True)
router.register("payment-schedules", ScheduleViewSet, basename="payment-schedule")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("payments", PaymentViewSet, basename="payment")
router.register("terminations", TerminationViewSet, basename="termination")
urlpatterns = router.urls
