"""Endpoints of accounts and the audit log.  Thin, like the pages: serializers
check the shape of the input, opsqm.infra.accounts.services do and audit the change."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opsqm.edges.api import serializers as s
from opsqm.edges.api.permissions import (
    ActionPermissions,
    CanManageAccounts,
    CanManagePermissions,
    CanReadAudit,
    CanViewAccounts,
)
from opsqm.infra.accounts import approvals, services
from opsqm.infra.accounts.models import AdminRequest, User
from opsqm.infra.audit.forms import AuditFilterForm
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.audit.services import verify_chain


def _valid(serializer_class: Any, request: Request, **kwargs: Any) -> dict[str, Any]:
    ser = serializer_class(data=request.data, **kwargs)
    ser.is_valid(raise_exception=True)
    return dict(ser.validated_data)


class MeView(APIView):
    """The account behind the token or session."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(s.MeSerializer(request.user).data)  # type: ignore[arg-type]


class MePasswordView(APIView):
    """Change one's own password (the current one is asked again)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.OwnPasswordSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        d = _valid(s.OwnPasswordSerializer, request)
        services.set_password(request.user, d["old_password"], d["password"])  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeTokensView(APIView):
    """The account's own API tokens (new ones are made on the API token page, where
    the secret is shown once)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.ApiTokenSerializer(many=True))
    def get(self, request: Request) -> Response:
        from opsqm.infra.accounts.models import ApiToken

        tokens = ApiToken.objects.filter(user_id=int(request.user.pk or 0))
        return Response(s.ApiTokenSerializer(tokens, many=True).data)


class MeTokenView(APIView):
    """Revoke one of the account's own API tokens."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        if not services.revoke_token(request.user, pk):  # type: ignore[arg-type]
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[User],
):
    """Accounts.  Read: system and security administrators.  Open, edit,
    deactivate: the system administrator.  Role, unlock, password reset: the
    security administrator (三员分立)."""

    serializer_class = s.UserSerializer
    permission_classes = [ActionPermissions]
    action_permissions = {
        "list": CanViewAccounts,
        "retrieve": CanViewAccounts,
        "create": CanManageAccounts,
        "partial_update": CanManageAccounts,
        "deactivate": CanManageAccounts,
        "reactivate": CanManageAccounts,
        "role": CanManagePermissions,
        "unlock": CanManagePermissions,
        "password": CanManagePermissions,
    }
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[User]:
        qs = User.objects.select_related("vendor", "unit").order_by("username")
        params = self.request.query_params
        if params.get("role"):
            qs = qs.filter(role=params["role"])
        if params.get("is_active") in ("true", "false"):
            qs = qs.filter(is_active=params["is_active"] == "true")
        return qs

    def get_serializer_context(self) -> dict[str, Any]:
        ctx = dict(super().get_serializer_context())
        ctx["locked_usernames"] = services.locked_usernames()
        return ctx

    def _out(self, user: User, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(user).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("role", str, description="only this role"),
            OpenApiParameter("is_active", bool),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def _out_or_asked(self, result: Any, code: int = status.HTTP_200_OK) -> Response:
        """The account, or 202 with the request a second administrator must approve."""
        if isinstance(result, AdminRequest):
            return Response(s.AdminRequestSerializer(result).data, status=status.HTTP_202_ACCEPTED)
        return self._out(result, code)

    @extend_schema(
        request=s.UserCreateSerializer,
        responses={201: s.UserSerializer, 202: s.AdminRequestSerializer},
    )
    def create(self, request: Request) -> Response:
        d = _valid(s.UserCreateSerializer, request)
        return self._out_or_asked(services.create_user(request.user, **d), status.HTTP_201_CREATED)

    @extend_schema(request=s.UserUpdateSerializer, responses=s.UserSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        user = self.get_object()
        d = _valid(s.UserUpdateSerializer, request, partial=True)
        return self._out(services.update_user(request.user, user, **d))

    @extend_schema(request=None, responses=s.UserSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: Any = None) -> Response:
        return self._out(services.deactivate_user(request.user, self.get_object()))

    @extend_schema(request=None, responses=s.UserSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request: Request, pk: Any = None) -> Response:
        return self._out(services.reactivate_user(request.user, self.get_object()))

    @extend_schema(
        request=s.RoleChangeSerializer,
        responses={200: s.UserSerializer, 202: s.AdminRequestSerializer},
    )
    @action(detail=True, methods=["post"])
    def role(self, request: Request, pk: Any = None) -> Response:
        user = self.get_object()
        d = _valid(s.RoleChangeSerializer, request)
        return self._out_or_asked(
            services.change_role(
                request.user, user, d["role"], vendor=d.get("vendor"), unit=d.get("unit")
            )
        )

    @extend_schema(request=None, responses=s.UnlockResultSerializer)
    @action(detail=True, methods=["post"])
    def unlock(self, request: Request, pk: Any = None) -> Response:
        count = services.unlock_user(request.user, self.get_object())
        return Response({"cleared_attempts": count})

    @extend_schema(
        request=s.PasswordResetSerializer, responses={204: None, 202: s.AdminRequestSerializer}
    )
    @action(detail=True, methods=["post"])
    def password(self, request: Request, pk: Any = None) -> Response:
        user = self.get_object()
        d = _valid(s.PasswordResetSerializer, request)
        result = services.reset_password(request.user, user, d["password"])
        if isinstance(result, AdminRequest):
            return self._out_or_asked(result)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AdminRequestViewSet(viewsets.ReadOnlyModelViewSet[AdminRequest]):
    """Administrator changes under the two-person rule: the system and security
    administrators list them; one who did not ask approves or rejects."""

    serializer_class = s.AdminRequestSerializer
    permission_classes = [CanViewAccounts]

    def get_queryset(self) -> QuerySet[AdminRequest]:
        qs = AdminRequest.objects.order_by("-requested_at")
        state = self.request.query_params.get("state")
        return qs.filter(state=state) if state else qs

    @extend_schema(
        parameters=[OpenApiParameter("state", str, enum=["pending", "approved", "rejected"])]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=s.AdminRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        done = approvals.approve(request.user, self.get_object().pk)
        return Response(s.AdminRequestSerializer(done).data)

    @extend_schema(request=None, responses=s.AdminRequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        done = approvals.reject(request.user, self.get_object().pk)
        return Response(s.AdminRequestSerializer(done).data)


class AuditRecordViewSet(viewsets.ReadOnlyModelViewSet[AuditRecord]):
    """The audit log, read-only, for the audit administrator.  Filters as on
    the page: actor, action (prefix), object_type, object_id, date_from,
    date_to (YYYY-MM-DD, Beijing time), q (text)."""

    serializer_class = s.AuditRecordSerializer
    permission_classes = [CanReadAudit]
    lookup_field = "seq"
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[AuditRecord]:
        qs = AuditRecord.objects.order_by("-seq")
        if self.action != "list":
            return qs
        form = AuditFilterForm(self.request.query_params)
        if not form.is_valid():
            raise DRFValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        return form.filter(qs)

    @extend_schema(
        parameters=[
            OpenApiParameter(name, str)
            for name in ("actor", "action", "object_type", "object_id", "q")
        ]
        + [OpenApiParameter(name, "date") for name in ("date_from", "date_to")]  # type: ignore[arg-type]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=s.ChainReportSerializer)
    @action(detail=False, methods=["get"])
    def verify(self, request: Request) -> Response:
        report = verify_chain()
        return Response(
            {
                "ok": report.ok,
                "count": report.count,
                "head_seq": report.head_seq,
                "head_hash": report.head_hash,
                "anchor_seq": report.anchor_seq,
                "anchor_hash": report.anchor_hash,
                "problems": [
                    {"seq": p.seq, "kind": p.kind, "detail": p.detail} for p in report.problems
                ],
            }
        )
