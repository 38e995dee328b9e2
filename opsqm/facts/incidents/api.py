"""/api/v1/ read endpoints of issue 6: incidents (with the 第十一条 proposal and the
report deadline), rectification notices, contracted deliveries and praise applications
(the settlement statements: opsqm.derived.settlement.api).  Same scope as the pages:
bureau roles all, vendor roles their own contracts (others 404); roles without
business there 403.  Writes call the pages' services: change notices, incident
instructions and minutes, a staff list submitted, a rectification notice linked to
its mail."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.models import Contract
from opsqm.facts.incidents import mailing, services
from opsqm.facts.incidents.access import READERS, VENDOR_SIDE
from opsqm.facts.incidents.models import (
    ChangeNotice,
    Incident,
    NoticeMail,
    PraiseApplication,
    RectificationNotice,
    ServiceDelay,
)
from opsqm.facts.incidents.rectification import link_rectification_mail
from opsqm.facts.incidents.stafflist import compare_staff_list, submit_staff_list
from opsqm.infra.core.roles import Role
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


class IncidentLiabilitySerializer(serializers.Serializer):
    """第十二条: the direct economic loss the bureau determined (writes: /liabilities/)."""

    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    decided_on = serializers.DateField()


class IncidentMailLineSerializer(serializers.Serializer):
    """A 第二十一条 mail of the incident (an instruction, the minutes)."""

    kind = serializers.CharField(source="purpose")
    sent = serializers.DateTimeField(source="created_at")
    server_received_at = serializers.DateTimeField(allow_null=True)


class IncidentSerializer(OfContractSerializer):
    liability = serializers.SerializerMethodField()
    mails = IncidentMailLineSerializer(many=True, read_only=True)
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
            "liability",
            "mails",
        )

    @extend_schema_field(IncidentLiabilitySerializer(allow_null=True))
    def get_liability(self, obj: Incident) -> dict[str, Any] | None:
        found = getattr(obj, "liability", None)
        return None if found is None else dict(IncidentLiabilitySerializer(found).data)

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

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("liability").prefetch_related("mails")


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


class MailLinkSerializer(serializers.Serializer):
    message_id = serializers.CharField(max_length=998, help_text="the mail's Message-ID")


class RectificationViewSet(ContractScopedReadOnly):
    serializer_class = RectificationSerializer
    model = RectificationNotice

    @extend_schema(request=MailLinkSerializer, responses=RectificationSerializer)
    @action(
        detail=True,
        methods=["post"],
        permission_classes=(permissions.IsAuthenticated, roles_permission(Role.ASSESSOR)),
    )
    def mail(self, request: Request, pk: str | None = None) -> Response:
        """The assessor links the notice to the mail OpsQM sent that delivered it (by
        its Message-ID); its server receive time starts the 5 days (第二十一条三)."""
        notice = self.get_object()  # 404 outside the scope
        s = MailLinkSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        notice = link_rectification_mail(notice, s.validated_data["message_id"], request.user)
        return Response(RectificationSerializer(notice).data)


class DeliverySerializer(OfContractSerializer):
    class Meta:
        model = ServiceDelay
        fields = (
            "id", "contract", "obligation", "kind", "clause", "basis_on", "due", "delivered",
            "excused",
        )  # fmt: skip


class StaffListSubmitSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="the workbook (.xlsx) or a scan")
    lines = serializers.CharField(
        required=False, allow_blank=True, help_text="'code name phone' or 'name' per line"
    )


class StaffListComparisonSerializer(serializers.Serializer):
    """The latest list beside the register (all empty before the first one)."""

    submitted_at = serializers.DateTimeField(allow_null=True)
    entries = serializers.ListField(child=serializers.DictField())
    agrees = serializers.BooleanField(allow_null=True)
    listed_only = serializers.ListField(child=serializers.DictField())
    registered_only = serializers.ListField(child=serializers.DictField())
    matched = serializers.ListField(child=serializers.DictField())


def staff_list_comparison(submission: Any) -> dict[str, Any]:
    if submission is None:
        return {
            "submitted_at": None, "entries": [], "agrees": None, "listed_only": [],
            "registered_only": [], "matched": [],
        }  # fmt: skip

    def person(s: Any) -> dict[str, str]:
        return {"person": s.person, "name": s.name}

    cmp = compare_staff_list(submission)
    return {
        "submitted_at": submission.submitted_at.astimezone(TZ).isoformat(),
        "entries": submission.entries,
        "agrees": cmp.agrees,
        "listed_only": cmp.listed_only,
        "registered_only": [person(s) for s in cmp.registered_only],
        "matched": [person(s) for _e, s in cmp.matched],
    }


class DeliveryViewSet(ContractScopedReadOnly):
    serializer_class = DeliverySerializer
    model = ServiceDelay

    @extend_schema(methods=["GET"], request=None, responses=StaffListComparisonSerializer)
    @extend_schema(
        methods=["POST"],
        request=StaffListSubmitSerializer,
        responses={201: StaffListComparisonSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="staff-list")
    def staff_list(self, request: Any, pk: Any = None) -> Response:
        """合同 六(二)1: GET the latest submitted list beside the staff register; POST
        (the vendor, or the assessor for it, as on the page) submit a list: a workbook
        (`file`, .xlsx) or the names typed from a scan (`lines`)."""
        if request.method == "POST" and getattr(request.user, "role", None) not in VENDOR_SIDE:
            raise PermissionDenied
        delivery = self.get_object()
        if delivery.kind != ServiceDelay.Kind.STAFF_LIST:
            raise NotFound
        if request.method == "GET":
            return Response(staff_list_comparison(delivery.staff_lists.first()))
        s = StaffListSubmitSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        submission = submit_staff_list(delivery, dict(s.validated_data), request.user)
        return Response(staff_list_comparison(submission), status=status.HTTP_201_CREATED)


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


class NoticeMailSerializer(serializers.ModelSerializer):
    """One mail of 第二十一条: recipients, the server's receive time, the replies."""

    contract = serializers.CharField(source="contract.code")
    message_id = serializers.CharField(source="outbound.message_id")
    to = serializers.ListField(source="outbound.to")
    cc = serializers.ListField(source="outbound.cc")
    not_delivered_at = serializers.DateTimeField(source="outbound.not_delivered_at")
    replies = serializers.SerializerMethodField()

    class Meta:
        model = NoticeMail
        fields = (
            "id", "purpose", "ref", "contract", "message_id", "to", "cc", "created_at",
            "server_received_at", "not_delivered_at", "replied_at", "replies",
        )  # fmt: skip

    def get_replies(self, obj: NoticeMail) -> list[dict[str, Any]]:
        return [
            {
                "from": r.inbound.from_address,
                "server_received_at": r.received_at.isoformat(),
                "counted": r.counted,
                "reason": r.reason,
            }
            for r in obj.replies.select_related("inbound")
        ]


class ChangeNoticeSerializer(serializers.ModelSerializer):
    contracts = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Contract.objects.all()
    )
    mails = serializers.SerializerMethodField()

    class Meta:
        model = ChangeNotice
        fields = ("id", "number", *mailing.CHANGE_FIELDS, "contracts", "written_at", "mails")
        read_only_fields = ("number", "written_at")

    def to_representation(self, instance: ChangeNotice) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        # Another vendor's contracts are none of this reader's business.
        visible = visible_contracts(self.context["request"].user)
        data["contracts"] = [c.code for c in instance.contracts.filter(pk__in=visible)]
        return data

    def get_mails(self, obj: ChangeNotice) -> list[dict[str, Any]]:
        mails = obj.mails.filter(contract__in=visible_contracts(self.context["request"].user))
        rows = NoticeMailSerializer(mails.select_related("contract", "outbound"), many=True).data
        return list(rows)


class ChangeNoticeViewSet(viewsets.ModelViewSet):
    """System change notices (第二十一条): read in scope; the assessor and the desk
    write one (POST), which mails each vendor concerned."""

    serializer_class = ChangeNoticeSerializer
    permission_classes = (permissions.IsAuthenticated, roles_permission(*READERS))
    http_method_names = ("get", "post", "head", "options")

    def get_queryset(self) -> QuerySet[Any]:
        from opsqm.facts.incidents.views.notices import visible_notices

        return visible_notices(self.request.user).prefetch_related("contracts").order_by("pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if getattr(request.user, "role", None) not in mailing.WRITERS:
            raise PermissionDenied
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        contracts = data.pop("contracts")
        visible = visible_contracts(request.user)
        if any(not visible.filter(pk=c.pk).exists() for c in contracts):
            raise ValidationError({"contracts": ["Unknown contract."]})
        try:
            notice = mailing.issue_change_notice(data, contracts, request.user)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return Response(self.get_serializer(notice).data, status=status.HTTP_201_CREATED)


class InstructionSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class IncidentMailViewSet(viewsets.GenericViewSet):
    """POST /incidents/<id>/instruction/ (assessor, desk) and …/minutes/ (assessor):
    mail to the vendor's intranet mailbox, a copy to its manager; answers the mail."""

    serializer_class = NoticeMailSerializer
    permission_classes = (permissions.IsAuthenticated, roles_permission(*mailing.WRITERS))
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Any]:
        return Incident.objects.filter(contract__in=visible_contracts(self.request.user))

    def _sent(self, call: Any) -> Response:
        try:
            mail = call()
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            raise ValidationError(detail) from exc
        return Response(NoticeMailSerializer(mail).data)

    @extend_schema(request=InstructionSerializer, responses=NoticeMailSerializer)
    @action(detail=True, methods=["post"])
    def instruction(self, request: Request, pk: str | None = None) -> Response:
        inc = self.get_object()  # 404 outside the scope
        s = InstructionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        text = s.validated_data["text"]
        return self._sent(lambda: mailing.send_instruction(inc, text, request.user))

    @extend_schema(request=None, responses=NoticeMailSerializer)
    @action(detail=True, methods=["post"])
    def minutes(self, request: Request, pk: str | None = None) -> Response:
        if getattr(request.user, "role", None) != "assessor":
            raise PermissionDenied
        inc = self.get_object()
        return self._sent(lambda: mailing.send_minutes(inc, request.user))


router = SimpleRouter(trailing_slash=True)
router.register("incidents", IncidentViewSet, basename="incident")
router.register("incidents", IncidentMailViewSet, basename="incident-mail")
router.register("change-notices", ChangeNoticeViewSet, basename="change-notice")
router.register("rectifications", RectificationViewSet, basename="rectification")
router.register("deliveries", DeliveryViewSet, basename="delivery")
router.register("praise-applications", PraiseApplicationViewSet, basename="praise-application")
urlpatterns = router.urls
