"""The directory and single sign-on settings are strict: a mistake stops the start-up
with a message naming the variable, never a silent "nobody/everybody gets a role"."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from opsqm.infra.accounts import identity_settings as s
from opsqm.infra.accounts.directory import _disabled
from opsqm.infra.accounts.identity import roles_of

LDAP = {
    "OPSQM_LDAP_URI": "ldaps://ad.bureau.local",
    "OPSQM_LDAP_USER_BASE": "ou=people,dc=bureau,dc=local",
    "OPSQM_LDAP_GROUP_BASE": "ou=groups,dc=bureau,dc=local",
    "OPSQM_LDAP_ROLE_GROUPS": "assessor=CN=IT,OU=Groups,DC=bureau,DC=local",
}
OIDC = {
    "OPSQM_OIDC_CLIENT_ID": "opsqm",
    "OPSQM_OIDC_CLIENT_SECRET": "secret",
    "OPSQM_OIDC_AUTHORIZATION_ENDPOINT": "https://idp.bureau.local/authorize",
    "OPSQM_OIDC_TOKEN_ENDPOINT": "https://idp.bureau.local/token",
    "OPSQM_OIDC_USERINFO_ENDPOINT": "https://idp.bureau.local/userinfo",
    "OPSQM_OIDC_JWKS_ENDPOINT": "https://idp.bureau.local/jwks",
    "OPSQM_OIDC_ROLE_GROUPS": "recipient=staff",
}


def test_nothing_set_means_local_passwords_only():
    assert s.ldap_settings({}) == {} and s.oidc_settings({}) == {}
    assert s.backends(False, False) == [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]


def test_a_valid_directory_configuration():
    conf = s.ldap_settings(LDAP)
    assert conf["OPSQM_LDAP"]["role_groups"] == [("assessor", "CN=IT,OU=Groups,DC=bureau,DC=local")]
    assert conf["AUTH_LDAP_SERVER_URI"] == "ldaps://ad.bureau.local"
    assert conf["AUTH_LDAP_START_TLS"] is False
    assert s.backends(True, True)[1:3] == [
        "opsqm.infra.accounts.directory.DirectoryBackend",
        "opsqm.infra.accounts.oidc.SingleSignOnBackend",
    ]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"OPSQM_LDAP_ROLE_GROUPS": "security_admin=cn=sec,dc=x"}, "administrator role"),
        ({"OPSQM_LDAP_ROLE_GROUPS": "boss=cn=boss,dc=x"}, "unknown role"),
        ({"OPSQM_LDAP_ROLE_GROUPS": ""}, "OPSQM_LDAP_ROLE_GROUPS is required"),
        ({"OPSQM_LDAP_ROLE_GROUPS": "assessor"}, "not key=value"),
        ({"OPSQM_LDAP_URI": "ad.bureau.local"}, "OPSQM_LDAP_URI"),
        ({"OPSQM_LDAP_URI": "ldap://ad.bureau.local"}, "in the clear"),
        ({"OPSQM_LDAP_START_TLS": "maybe"}, "OPSQM_LDAP_START_TLS"),
        ({"OPSQM_LDAP_START_TLS": "1"}, "not with an ldaps://"),
        ({"OPSQM_LDAP_USER_BASE": ""}, "OPSQM_LDAP_USER_BASE is required"),
        ({"OPSQM_LDAP_USER_FILTER": "(uid=alice)"}, "%(user)s"),
        ({"OPSQM_LDAP_GROUP_TYPE": "nis"}, "OPSQM_LDAP_GROUP_TYPE"),
        ({"OPSQM_LDAP_CA_FILE": "/no/such/ca.pem"}, "no such file"),
        ({"OPSQM_LDAP_TIMEOUT": "-3"}, "OPSQM_LDAP_TIMEOUT"),
    ],
)
def test_directory_mistakes_stop_the_start(change, named):
    with pytest.raises(ImproperlyConfigured, match=named.replace("(", r"\(").replace(")", r"\)")):
        s.ldap_settings({**LDAP, **change})


def test_plain_ldap_only_when_asked_for():
    conf = s.ldap_settings(
        {**LDAP, "OPSQM_LDAP_URI": "ldap://dc.bureau.local", "OPSQM_LDAP_ALLOW_PLAIN": "1"}
    )
    assert conf["AUTH_LDAP_SERVER_URI"] == "ldap://dc.bureau.local"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"OPSQM_OIDC_CLIENT_SECRET": ""}, "OPSQM_OIDC_CLIENT_SECRET"),
        ({"OPSQM_OIDC_TOKEN_ENDPOINT": "idp/token"}, "OPSQM_OIDC_TOKEN_ENDPOINT"),
        ({"OPSQM_OIDC_SIGN_ALGO": "HS256"}, "OPSQM_OIDC_SIGN_ALGO"),
        ({"OPSQM_OIDC_ROLE_GROUPS": "audit_admin=auditors"}, "administrator role"),
    ],
)
def test_single_sign_on_mistakes_stop_the_start(change, named):
    with pytest.raises(ImproperlyConfigured, match=named):
        s.oidc_settings({**OIDC, **change})


def test_the_mapping_tables():
    maps = s.scope_maps(
        {
            "OPSQM_DIRECTORY_UNIT_MAP": "D01=第一监区; D02 = 第二监区",
            "OPSQM_DIRECTORY_VENDOR_MAP": "",
        }
    )
    assert maps == {"unit": {"D01": "第一监区", "D02": "第二监区"}, "vendor": {}}


def test_roles_of_groups_ignores_case():
    mapping = [("assessor", "CN=IT,DC=x"), ("recipient", "cn=staff,dc=x")]
    assert roles_of({"cn=it,dc=x"}, mapping) == {"assessor"}
    assert roles_of({"cn=it,dc=x", "CN=STAFF,DC=X"}, mapping) == {"assessor", "recipient"}
    assert roles_of(set(), mapping) == set()


def test_what_the_directory_calls_disabled():
    assert _disabled({}, {"cn=gone,dc=x"}, "CN=Gone,DC=x")
    assert _disabled({"userAccountControl": ["514"]}, set(), "")  # AD: 512 | ACCOUNTDISABLE
    assert not _disabled({"userAccountControl": ["512"]}, set(), "")
    assert _disabled({"pwdAccountLockedTime": ["20261206000000Z"]}, set(), "")
    assert not _disabled({"cn": ["x"]}, {"cn=staff,dc=x"}, "cn=gone,dc=x")
