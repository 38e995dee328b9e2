"""POST /api/v1/attendance/punches/: DingTalk open-API `attendance/list` records.

Body: a list of records, or {"records": [...], "contract": <id>} to match against
one contract's staff only.  Same matching, dedupe and review list as an upload.
A record's kind of punch comes from DingTalk's sourceType/locationResult or its own
"kind" (normal | field | makeup); a makeup punch counts once the bureau confirms it.
Answers 201 with the counts, 400 naming each bad item's index and field.  The same
payload sent again answers 200 with the batch it made the first time (nothing new
is stored: a client may retry safely).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opsqm.facts.attendance import services
from opsqm.facts.contracts.access import visible_contracts
from opsqm.infra.accounts.models import User
from opsqm.pure.attendance_import import DingTalkImportError


class PunchRecordsSerializer(serializers.Serializer):
    contract = serializers.IntegerField(required=False)
    records = serializers.ListField(child=serializers.DictField())


class ImportCountsSerializer(serializers.Serializer):
    batch = serializers.IntegerField()
    rows = serializers.IntegerField()
    punches = serializers.IntegerField()
    matched = serializers.IntegerField()
    new = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    unmatched = serializers.IntegerField()
    repeated = serializers.BooleanField(help_text="the same payload was sent before")


class PunchesView(APIView):
    permission_classes = [IsAuthenticated]
    http_method_names = ["post", "options"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not services.can_import(request.user):
            raise PermissionDenied

    @extend_schema(
        request=PunchRecordsSerializer,
        responses={201: ImportCountsSerializer, 200: ImportCountsSerializer},
    )
    def post(self, request: Request) -> Response:
        user = request.user
        if not isinstance(user, User):  # IsAuthenticated let only accounts through
            raise PermissionDenied
        body = request.data
        contract = None
        if isinstance(body, dict):
            items = body.get("records")
            if body.get("contract") is not None:
                try:
                    contract = visible_contracts(request.user).get(pk=int(body["contract"]))
                except (ValueError, TypeError, Exception):
                    return Response({"contract": ["Not a contract of yours."]}, status=400)
        else:
            items = body
        if not isinstance(items, list):
            return Response({"records": ["Expected a list of DingTalk records."]}, status=400)
        try:
            batch, created = services.import_api_records(user, items, contract)
        except DingTalkImportError as err:
            return Response(
                {
                    "records": [
                        {"index": i.item, "field": i.header, "message": str(i)} for i in err.issues
                    ],
                    "omitted": err.omitted,
                },
                status=400,
            )
        except ValidationError as exc:
            return Response({"detail": exc.messages}, status=400)
        return Response(
            {"batch": batch.pk, **batch.counts(), "repeated": not created},
            status=201 if created else 200,
        )


urlpatterns = [path("attendance/punches/", PunchesView.as_view(), name="attendance-punches")]
