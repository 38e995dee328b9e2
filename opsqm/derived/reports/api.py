"""/api/v1/report-schedules/: the assessor's scheduled reports (list, read, create,
change; the runs with their errors in each schedule), through the same services
as the pages; POST …/send-now/ starts a run now."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from opsqm.derived.reports import schedules
from opsqm.derived.reports.models import (
    Frequency,
    ReportRun,
    ReportSchedule,
    ScheduledReport,
)
from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.models import Contract
from opsqm.facts.incidents.api import roles_permission
from opsqm.infra.accounts.models import User
from opsqm.infra.core.roles import Role


class RunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportRun
        fields = ("id", "due_at", "period", "status", "attempts", "last_error", "retry_at",
                  "message_id", "sent_to", "finished_at")  # fmt: skip
        read_only_fields = fields


class ScheduleSerializer(serializers.ModelSerializer):
    contract: serializers.SlugRelatedField[Contract] = serializers.SlugRelatedField(
        slug_field="code", queryset=Contract.objects.none()
    )
    report = serializers.ChoiceField(choices=ScheduledReport.choices)
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    recipients = serializers.SlugRelatedField(
        slug_field="username", many=True, queryset=User.objects.filter(is_active=True)
    )
    runs = serializers.SerializerMethodField()

    class Meta:
        model = ReportSchedule
        fields = ("id", "contract", "report", "frequency", "day", "starts_on", "recipients",
                  "active", "next_run_at", "created_at", "runs")  # fmt: skip
        read_only_fields = ("next_run_at", "created_at", "runs")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        field: Any = self.fields["contract"]
        if request is not None:
            field.queryset = visible_contracts(request.user)
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            field.read_only = True  # a schedule stays with its contract

    def get_runs(self, obj: ReportSchedule) -> list[dict[str, Any]]:
        return RunSerializer(obj.runs.order_by("-due_at", "-pk")[:20], many=True).data  # type: ignore[return-value]

    def create(self, validated: dict[str, Any]) -> ReportSchedule:
        people = validated.pop("recipients")
        user = self.context["request"].user
        return schedules.save_schedule(ReportSchedule(), validated, people, user)

    def update(self, instance: ReportSchedule, validated: dict[str, Any]) -> ReportSchedule:
        people = validated.pop("recipients", None)
        if people is None:
            people = list(instance.recipients.all())
        user = self.context["request"].user
        return schedules.save_schedule(instance, validated, people, user)


class ScheduleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = (permissions.IsAuthenticated, roles_permission(Role.ASSESSOR))
    serializer_class = ScheduleSerializer

    def get_queryset(self) -> QuerySet[ReportSchedule]:
        return (
            ReportSchedule.objects.filter(contract__in=visible_contracts(self.request.user))
            .select_related("contract")
            .prefetch_related("recipients")
            .order_by("pk")
        )

    @action(detail=True, methods=["post"], url_path="send-now")
    def send_now(self, request: Request, pk: str | None = None) -> Response:
        run = schedules.send_now(self.get_object(), request.user)
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


router = SimpleRouter(trailing_slash=True)
router.register("report-schedules", ScheduleViewSet, basename="report-schedule")
urlpatterns = router.urls
