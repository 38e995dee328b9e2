"""/api/v1/tickets/: list and retrieve in scope; the vendor's actions (acknowledge,
record work, request an extension, resolve) through the same service functions as
the pages.  Administrators 403, out of scope 404, wrong role for an action 403."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from opsqm.facts.tickets import services
from opsqm.facts.tickets.access import VENDOR, visible_tickets
from opsqm.facts.tickets.models import Ticket
from opsqm.infra.accounts.models import User
from opsqm.infra.core.roles import ADMIN_ROLES

VENDOR_ACTIONS = frozenset({"acknowledge", "record_work", "request_extension", "resolve"})


class TicketPermission(permissions.BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.role not in ADMIN_ROLES):
            return False
        # `action` is None for a GET on a POST-only route: look at the route's actions.
        if set(getattr(view, "action_map", {}).values()) & VENDOR_ACTIONS:
            return user.role in VENDOR
        return True


class TicketSerializer(serializers.ModelSerializer):
    contract = serializers.CharField(source="contract.code", read_only=True)
    unit = serializers.CharField(source="unit.name", read_only=True, default=None)

    class Meta:
        model = Ticket
        fields = (
            "id",
            "number",
            "contract",
            "unit",
            "kind",
            "title",
            "priority",
            "testing_org",
            "report_date",
            "status",
            "dispatched_at",
            "deadline",
            "acknowledged_at",
            "extended_to",
            "resolved_at",
            "signature",
            "satisfaction",
            "archive",
            "analysis",
            "steps",
            "verification",
            "template_ok",
            "excused",
        )
        read_only_fields = fields


class WorkSerializer(serializers.Serializer):
    analysis = serializers.CharField(allow_blank=True)
    steps = serializers.CharField(allow_blank=True)
    verification = serializers.CharField(allow_blank=True)


class ExtensionSerializer(serializers.Serializer):
    requested_to = serializers.DateTimeField()
    reason = serializers.CharField()


class TicketViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TicketSerializer
    permission_classes = (permissions.IsAuthenticated, TicketPermission)

    def get_queryset(self) -> QuerySet[Ticket]:
        return (
            visible_tickets(self.request.user)
            .select_related("contract", "unit")
            .order_by("deadline", "id")
        )

    def _vendor_ticket(self) -> Ticket:
        ticket = self.get_object()  # 404 outside the scope
        user = self.request.user
        if not isinstance(user, User) or user.role not in VENDOR:
            raise PermissionDenied
        return ticket

    def _done(self, ticket: Ticket) -> Response:
        ticket.refresh_from_db()
        return Response(TicketSerializer(ticket).data)

    def _run(self, fn: Any, *args: Any, **kw: Any) -> Any:
        try:
            return fn(*args, **kw)
        except DjangoValidationError as exc:
            raise ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc

    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        t = self._vendor_ticket()
        self._run(services.acknowledge, t, user=request.user)
        return self._done(t)

    @action(detail=True, methods=["post"], url_path="record-work", serializer_class=WorkSerializer)
    def record_work(self, request: Request, pk: str | None = None) -> Response:
        t = self._vendor_ticket()
        s = WorkSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        self._run(services.record_work, t, user=request.user, **s.validated_data)
        return self._done(t)

    @action(
        detail=True, methods=["post"], url_path="extension", serializer_class=ExtensionSerializer
    )
    def request_extension(self, request: Request, pk: str | None = None) -> Response:
        t = self._vendor_ticket()
        s = ExtensionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        self._run(services.request_extension, t, user=request.user, **s.validated_data)
        return self._done(t)

    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        t = self._vendor_ticket()
        self._run(services.resolve, t, user=request.user)
        return self._done(t)


router = SimpleRouter(trailing_slash=True)
router.register("tickets", TicketViewSet, basename="ticket")
urlpatterns = router.urls
