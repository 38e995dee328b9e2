"""The demo's logins: one per role, all with the documented password."""

from __future__ import annotations

from typing import Any

from opsqm.infra.accounts.models import User
from opsqm.infra.audit.services import log_action
from opsqm.infra.core.roles import ADMIN_ROLES, Role

DEMO_PASSWORD = "Demo-2025!pass"

# username, role, full name, vendor index, unit name
ACCOUNTS = (
    ("sysadmin", Role.SYSTEM_ADMIN, "系统管理员", None, None),
    ("assessor", Role.ASSESSOR, "刘晶（信息技术处）", None, None),
    ("desk", Role.SERVICE_DESK, "服务台 王敏", None, None),
    ("supervisor", Role.SUPERVISOR, "监理 赵强", None, None),
    ("kh_manager", Role.VENDOR_MANAGER, "汤利斌（凯辉）", 0, None),
    ("kh_engineer", Role.VENDOR_ENGINEER, "张工（凯辉）", 0, None),
    ("recipient", Role.RECIPIENT, "清河分局 陈科长", None, "清河分局"),
    ("secadmin", Role.SECURITY_ADMIN, "安全管理员", None, None),
    ("auditadmin", Role.AUDIT_ADMIN, "审计管理员", None, None),
)


def create_accounts(vendors: list[Any], units: dict[str, Any]) -> None:
    """The system administrator first (there is no one to create it), then every other
    role through the account service, by that administrator."""
    from opsqm.infra.accounts import services as accounts

    admin = User(username="sysadmin", role=Role.SYSTEM_ADMIN, full_name="系统管理员")
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    log_action("account.create", obj=admin, summary="demo: system administrator")
    for username, role, name, v, u in ACCOUNTS[1:]:
        # The first security and audit administrators are opened as at installation
        # (`opsqm createadmin --role …`): there is no second administrator to approve them.
        accounts.create_user(
            None if role in ADMIN_ROLES else admin,
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            full_name=name,
            vendor=vendors[v] if v is not None else None,
            unit=units[u] if u else None,
        )
    User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).update(must_change_password=False)
    log_action(
        "demo.accounts",
        object_type="accounts.user",
        summary="demo accounts: documented password, no change required",
    )
