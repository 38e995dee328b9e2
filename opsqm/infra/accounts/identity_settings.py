"""Directory (LDAP/AD) and single sign-on (OIDC) settings, read from the environment.

Imported by the settings module, so nothing here touches models.  Every value is
checked at start-up: a typo in a role mapping must stop the server, not silently
give nobody (or everybody) a role.  See docs/security.md for the variables.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from opsqm.infra.core.roles import ADMIN_ROLES, Role

TRUE = {"1", "true", "yes", "on"}
FALSE = {"", "0", "false", "no", "off"}
GROUP_TYPES = ("groupOfNames", "groupOfUniqueNames", "posixGroup", "activeDirectory")


def _bool(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    value = env.get(name)
    if value is None:
        return default
    value = value.strip().lower()
    if value not in TRUE | FALSE:
        raise ImproperlyConfigured(f"{name}={value!r}: expected 1/0, true/false, yes/no, on/off")
    return value in TRUE


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a positive whole number")
    return int(value)


def _required(env: Mapping[str, str], name: str, why: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} is required {why}")
    return value


def _file(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if value and not Path(value).is_file():
        raise ImproperlyConfigured(f"{name}={value!r}: no such file")
    return value


def pairs(env: Mapping[str, str], name: str) -> list[tuple[str, str]]:
    """`key=value;key=value` (the value may itself contain `=` and `,`, as a DN does)."""
    out: list[tuple[str, str]] = []
    for item in env.get(name, "").split(";"):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ImproperlyConfigured(f"{name}: {item.strip()!r} is not key=value")
        out.append((key.strip(), value.strip()))
    return out


def role_groups(env: Mapping[str, str], name: str) -> list[tuple[str, str]]:
    """`role=group;…`: which directory group gives which OpsQM role.  The three
    administrator roles cannot come from the directory: they stay local accounts
    (break-glass) under the 三员 rules of opsqm.infra.accounts.services."""
    mapping = pairs(env, name)
    if not mapping:
        raise ImproperlyConfigured(f"{name} is required: which group gives which role")
    for role, _group in mapping:
        if role not in Role.values:
            raise ImproperlyConfigured(
                f"{name}: unknown role {role!r} (one of {', '.join(Role.values)})"
            )
        if role in ADMIN_ROLES:
            raise ImproperlyConfigured(
                f"{name}: {role} is an administrator role; the three administrators are "
                "local accounts and cannot be given by the directory"
            )
    return mapping


def scope_maps(env: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Directory value → unit or vendor name (the mapping table); a value not in
    the table is looked up as the unit's or vendor's own name."""
    return {
        "unit": dict(pairs(env, "OPSQM_DIRECTORY_UNIT_MAP")),
        "vendor": dict(pairs(env, "OPSQM_DIRECTORY_VENDOR_MAP")),
    }


def _ldap_tls(env: Mapping[str, str], uri: str) -> tuple[bool, dict[Any, Any]]:
    import ldap

    start_tls = _bool(env, "OPSQM_LDAP_START_TLS")
    if start_tls and uri.startswith("ldaps://"):
        raise ImproperlyConfigured("OPSQM_LDAP_START_TLS: not with an ldaps:// URI")
    if not start_tls and uri.startswith("ldap://") and not _bool(env, "OPSQM_LDAP_ALLOW_PLAIN"):
        raise ImproperlyConfigured(
            "OPSQM_LDAP_URI is plain ldap:// without OPSQM_LDAP_START_TLS=1: passwords would "
            "cross the network in the clear (set OPSQM_LDAP_ALLOW_PLAIN=1 to accept that)"
        )
    timeout = _int(env, "OPSQM_LDAP_TIMEOUT", 10)
    options: dict[Any, Any] = {
        ldap.OPT_REFERRALS: 0,  # AD's referrals lead off to servers we did not configure
        ldap.OPT_NETWORK_TIMEOUT: timeout,
        ldap.OPT_TIMEOUT: timeout,
        ldap.OPT_X_TLS_REQUIRE_CERT: ldap.OPT_X_TLS_DEMAND,
    }
    ca_file = _file(env, "OPSQM_LDAP_CA_FILE")
    if ca_file:
        options[ldap.OPT_X_TLS_CACERTFILE] = ca_file
    # A new TLS context last, so that the options above apply to it.
    options[ldap.OPT_X_TLS_NEWCTX] = 0
    return start_tls, options


def _group_type(env: Mapping[str, str]) -> tuple[Any, str]:
    from django_auth_ldap import config

    name = env.get("OPSQM_LDAP_GROUP_TYPE", "groupOfNames").strip() or "groupOfNames"
    types = {
        "groupOfNames": (config.GroupOfNamesType(), "(objectClass=groupOfNames)"),
        "groupOfUniqueNames": (
            config.GroupOfUniqueNamesType(),
            "(objectClass=groupOfUniqueNames)",
        ),
        "posixGroup": (config.PosixGroupType(), "(objectClass=posixGroup)"),
        "activeDirectory": (config.NestedActiveDirectoryGroupType(), "(objectClass=group)"),
    }
    if name not in types:
        raise ImproperlyConfigured(
            f"OPSQM_LDAP_GROUP_TYPE={name!r}: one of {', '.join(GROUP_TYPES)}"
        )
    return types[name]


def ldap_settings(env: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """The django-auth-ldap settings and OpsQM's own (OPSQM_LDAP); {} when
    OPSQM_LDAP_URI is unset (no directory)."""
    uri = env.get("OPSQM_LDAP_URI", "").strip()
    if not uri:
        return {}
    if not uri.startswith(("ldap://", "ldaps://")):
        raise ImproperlyConfigured(f"OPSQM_LDAP_URI={uri!r}: expected ldap://… or ldaps://…")
    import ldap
    from django_auth_ldap.config import LDAPSearch

    start_tls, options = _ldap_tls(env, uri)
    group_type, group_filter = _group_type(env)
    why = "when OPSQM_LDAP_URI is set"
    user_base = _required(env, "OPSQM_LDAP_USER_BASE", why)
    group_base = _required(env, "OPSQM_LDAP_GROUP_BASE", why)
    user_filter = env.get("OPSQM_LDAP_USER_FILTER", "").strip() or "(uid=%(user)s)"
    if "%(user)s" not in user_filter:
        raise ImproperlyConfigured("OPSQM_LDAP_USER_FILTER must contain %(user)s")
    return {
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_START_TLS": start_tls,
        "AUTH_LDAP_CONNECTION_OPTIONS": options,
        "AUTH_LDAP_BIND_DN": env.get("OPSQM_LDAP_BIND_DN", "").strip(),
        "AUTH_LDAP_BIND_PASSWORD": env.get("OPSQM_LDAP_BIND_PASSWORD", ""),
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(user_base, ldap.SCOPE_SUBTREE, user_filter),
        "AUTH_LDAP_GROUP_SEARCH": LDAPSearch(group_base, ldap.SCOPE_SUBTREE, group_filter),
        "AUTH_LDAP_GROUP_TYPE": group_type,
        # The operational attribute of OpenLDAP's password policy, asked for by name.
        "AUTH_LDAP_USER_ATTRLIST": ["*", "pwdAccountLockedTime"],
        # OpsQM's backend makes and updates the account itself (identity.sign_in).
        "AUTH_LDAP_ALWAYS_UPDATE_USER": False,
        "AUTH_LDAP_MIRROR_GROUPS": False,
        "AUTH_LDAP_CACHE_TIMEOUT": 0,
        "OPSQM_LDAP": {
            "role_groups": role_groups(env, "OPSQM_LDAP_ROLE_GROUPS"),
            "disabled_group": env.get("OPSQM_LDAP_DISABLED_GROUP", "").strip(),
            "attrs": {
                "full_name": env.get("OPSQM_LDAP_ATTR_NAME", "cn").strip(),
                "phone": env.get("OPSQM_LDAP_ATTR_PHONE", "telephoneNumber").strip(),
                "email": env.get("OPSQM_LDAP_ATTR_EMAIL", "mail").strip(),
                "unit": env.get("OPSQM_LDAP_ATTR_UNIT", "").strip(),
                "vendor": env.get("OPSQM_LDAP_ATTR_VENDOR", "").strip(),
            },
        },
    }


def _url(env: Mapping[str, str], name: str) -> str:
    value = _required(env, name, "when OPSQM_OIDC_CLIENT_ID is set")
    if not value.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"{name}={value!r}: expected an http(s) URL")
    return value


def oidc_settings(env: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """mozilla-django-oidc's settings and OpsQM's own (OPSQM_OIDC); {} when
    OPSQM_OIDC_CLIENT_ID is unset (no single sign-on)."""
    client_id = env.get("OPSQM_OIDC_CLIENT_ID", "").strip()
    if not client_id:
        return {}
    algo = env.get("OPSQM_OIDC_SIGN_ALGO", "RS256").strip() or "RS256"
    if algo not in {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512"}:
        raise ImproperlyConfigured(f"OPSQM_OIDC_SIGN_ALGO={algo!r}: an RS* or ES* algorithm")
    ca_file = _file(env, "OPSQM_OIDC_CA_FILE")
    claim = env.get
    return {
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": _required(
            env, "OPSQM_OIDC_CLIENT_SECRET", "when OPSQM_OIDC_CLIENT_ID is set"
        ),
        "OIDC_OP_AUTHORIZATION_ENDPOINT": _url(env, "OPSQM_OIDC_AUTHORIZATION_ENDPOINT"),
        "OIDC_OP_TOKEN_ENDPOINT": _url(env, "OPSQM_OIDC_TOKEN_ENDPOINT"),
        "OIDC_OP_USER_ENDPOINT": _url(env, "OPSQM_OIDC_USERINFO_ENDPOINT"),
        "OIDC_OP_JWKS_ENDPOINT": _url(env, "OPSQM_OIDC_JWKS_ENDPOINT"),
        "OIDC_RP_SIGN_ALGO": algo,
        "OIDC_RP_SCOPES": env.get("OPSQM_OIDC_SCOPES", "").strip() or "openid profile email",
        "OIDC_USE_PKCE": True,
        "OIDC_USE_NONCE": True,
        "OIDC_VERIFY_SSL": ca_file or True,
        "OIDC_TIMEOUT": _int(env, "OPSQM_OIDC_TIMEOUT", 10),
        "OIDC_STORE_ID_TOKEN": False,
        "LOGIN_REDIRECT_URL_FAILURE": "/accounts/login/",
        "OIDC_AUTHENTICATION_CALLBACK_URL": "accounts:sso_callback",
        "OPSQM_OIDC": {
            "role_groups": role_groups(env, "OPSQM_OIDC_ROLE_GROUPS"),
            "claims": {
                "username": claim("OPSQM_OIDC_USERNAME_CLAIM", "preferred_username").strip(),
                "groups": claim("OPSQM_OIDC_GROUPS_CLAIM", "groups").strip(),
                "full_name": claim("OPSQM_OIDC_NAME_CLAIM", "name").strip(),
                "phone": claim("OPSQM_OIDC_PHONE_CLAIM", "phone_number").strip(),
                "email": claim("OPSQM_OIDC_EMAIL_CLAIM", "email").strip(),
                "unit": claim("OPSQM_OIDC_UNIT_CLAIM", "").strip(),
                "vendor": claim("OPSQM_OIDC_VENDOR_CLAIM", "").strip(),
            },
        },
    }


def backends(ldap_on: bool, oidc_on: bool) -> list[str]:
    """django-axes first (it refuses locked accounts), then the directory, single
    sign-on, and the local passwords (break-glass for the three administrators)."""
    out = ["axes.backends.AxesStandaloneBackend"]
    if ldap_on:
        out.append("opsqm.infra.accounts.directory.DirectoryBackend")
    if oidc_on:
        out.append("opsqm.infra.accounts.oidc.SingleSignOnBackend")
    out.append("django.contrib.auth.backends.ModelBackend")
    return out
