from __future__ import annotations

from typing import Any

from rest_framework import serializers

from opsqm.facts.contracts.models import Unit, Vendor
from opsqm.infra.accounts.models import AdminRequest, ApiToken, User
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.core.roles import Role


class UserSerializer(serializers.ModelSerializer[User]):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    locked = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id", "username", "full_name", "phone", "role", "role_display", "vendor", "unit",
            "source", "is_active", "locked", "must_change_password", "last_login", "date_joined",
        ]  # fmt: skip
        read_only_fields = fields

    def get_locked(self, obj: User) -> bool:
        locked = self.context.get("locked_usernames")
        if locked is None:
            from opsqm.infra.accounts.services import is_locked

            return is_locked(obj)
        return obj.username in locked


class MeSerializer(UserSerializer):
    class Meta(UserSerializer.Meta):
        fields = [
            "id", "username", "full_name", "phone", "role", "role_display", "vendor",
            "unit", "must_change_password", "last_login",
        ]  # fmt: skip
        read_only_fields = fields

    def get_locked(self, obj: User) -> bool:
        return False


def _vendor() -> Any:
    return serializers.PrimaryKeyRelatedField(
        queryset=Vendor.objects.all(), required=False, allow_null=True
    )


def _unit() -> Any:
    return serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True
    )


class UserCreateSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=128)
    role = serializers.ChoiceField(choices=Role.choices)
    full_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    vendor = _vendor()
    unit = _unit()


class UserUpdateSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    vendor = _vendor()
    unit = _unit()


class RoleChangeSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=Role.choices)
    vendor = _vendor()
    unit = _unit()


class PasswordResetSerializer(serializers.Serializer[Any]):
    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=128)


class OwnPasswordSerializer(serializers.Serializer[Any]):
    old_password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=128)
    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=128)


class UnlockResultSerializer(serializers.Serializer[Any]):
    cleared_attempts = serializers.IntegerField()


class AuditRecordSerializer(serializers.ModelSerializer[AuditRecord]):
    class Meta:
        model = AuditRecord
        fields = [
            "seq", "at", "actor", "actor_name", "actor_role", "ip", "action", "object_type",
            "object_id", "summary", "before", "after", "prev_hash", "hash",
        ]  # fmt: skip
        read_only_fields = fields


class ChainProblemSerializer(serializers.Serializer[Any]):
    seq = serializers.IntegerField()
    kind = serializers.CharField()
    detail = serializers.CharField()


class ChainReportSerializer(serializers.Serializer[Any]):
    ok = serializers.BooleanField()
    count = serializers.IntegerField()
    head_seq = serializers.IntegerField(allow_null=True)
    head_hash = serializers.CharField(allow_null=True)
    anchor_seq = serializers.IntegerField(allow_null=True)
    anchor_hash = serializers.CharField(allow_null=True)
    problems = ChainProblemSerializer(many=True)


class ApiTokenSerializer(serializers.ModelSerializer[Any]):
    """An API token as its owner sees it: never the secret (only its first characters)."""

    class Meta:
        model = ApiToken
        fields = ["id", "prefix", "name", "created", "expires", "last_used"]
        read_only_fields = fields


class AdminRequestSerializer(serializers.ModelSerializer[Any]):
    """A change waiting for (or decided by) a second administrator; never the password."""

    class Meta:
        model = AdminRequest
        fields = [
            "id", "kind", "state", "target", "username", "role", "requested_by",
            "requested_at", "decided_by", "decided_at",
        ]  # fmt: skip
        read_only_fields = fields
