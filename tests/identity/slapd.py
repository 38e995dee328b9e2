"""A throwaway OpenLDAP server on loopback for the directory tests.

Debian's `slapd` (scripts/install-system-deps.sh) with its own configuration file,
database, TLS certificate (a test CA made here) and an LDIF test directory, loaded
offline with `slapadd` and served on free ports: ldap:// (with StartTLS) and ldaps://.
"""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.mail.mailserver import free_port, wait_for_port

SUFFIX = "dc=bureau,dc=test"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "slapd-admin-secret"
BIND_DN = f"cn=opsqm,ou=services,{SUFFIX}"
BIND_PASSWORD = "opsqm-bind-secret"
PASSWORD = "Directory-2026!"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
UNIT = "第一监区"
VENDOR = "北京某信息技术有限公司"


def group_dn(name: str) -> str:
    return f"cn={name},{GROUPS}"


def person_dn(uid: str) -> str:
    return f"uid={uid},{PEOPLE}"


# uid → (full name, groups, extra attributes)
PEOPLE_ENTRIES: dict[str, tuple[str, list[str], dict[str, str]]] = {
    "zhang.wei": ("张伟", ["opsqm-assessors"], {"telephoneNumber": "010-6000-0001"}),
    "li.na": ("李娜", ["opsqm-recipients"], {"departmentNumber": UNIT}),
    "wang.fang": ("王芳", ["opsqm-assessors", "opsqm-service-desk"], {}),  # two roles
    "zhao.lei": ("赵磊", ["opsqm-recipients", "opsqm-disabled"], {"departmentNumber": UNIT}),
    "chen.jie": ("陈杰", ["opsqm-vendor-engineers"], {"o": "vendor-a"}),
    "sun.li": ("孙丽", [], {}),  # in no OpsQM group
    "sysadmin": ("目录里的同名人", ["opsqm-assessors"], {}),  # a local administrator's name
}
GROUP_NAMES = [
    "opsqm-assessors",
    "opsqm-service-desk",
    "opsqm-recipients",
    "opsqm-vendor-engineers",
    "opsqm-disabled",
]
ROLE_GROUPS = ";".join(
    [
        f"assessor={group_dn('opsqm-assessors')}",
        f"service_desk={group_dn('opsqm-service-desk')}",
        f"recipient={group_dn('opsqm-recipients')}",
        f"vendor_engineer={group_dn('opsqm-vendor-engineers')}",
    ]
)


def slapd_binary() -> str | None:
    found = shutil.which("slapd") or (
        "/usr/sbin/slapd" if os.path.exists("/usr/sbin/slapd") else None
    )
    if found and (shutil.which("slapadd") or os.path.exists("/usr/sbin/slapadd")):
        return found
    return None


def _ldif() -> str:
    out = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: bureau\no: Bureau\n",
        f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups\n",
        f"dn: ou=services,{SUFFIX}\nobjectClass: organizationalUnit\nou: services\n",
        f"dn: {BIND_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
        f"cn: opsqm\nuserPassword: {BIND_PASSWORD}\n",
    ]
    for uid, (name, _groups, extra) in PEOPLE_ENTRIES.items():
        lines = [
            f"dn: {person_dn(uid)}",
            "objectClass: inetOrgPerson",
            f"uid: {uid}",
            f"cn: {name}",
            f"sn: {name[0]}",
            f"mail: {uid}@bureau.test",
            f"userPassword: {PASSWORD}",
            *(f"{k}: {v}" for k, v in extra.items()),
        ]
        out.append("\n".join(lines) + "\n")
    for group in GROUP_NAMES:
        members = [person_dn(u) for u, (_n, gs, _e) in PEOPLE_ENTRIES.items() if group in gs]
        lines = [f"dn: {group_dn(group)}", "objectClass: groupOfNames", f"cn: {group}"]
        # groupOfNames needs a member: the bind account keeps every group non-empty
        # (so that a test may take the last person out).
        lines += [f"member: {m}" for m in [BIND_DN, *members]]
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def _certificates(root: Path) -> tuple[Path, Path, Path]:
    """A test CA and a certificate for 127.0.0.1 signed by it."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OpsQM test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths = root / "ca.pem", root / "server.pem", root / "server.key"
    paths[0].write_bytes(ca.public_bytes(pem))
    paths[1].write_bytes(cert.public_bytes(pem))
    paths[2].write_bytes(
        key.private_bytes(
            pem, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
    )
    return paths


def _config(root: Path, ca: Path, cert: Path, key: Path) -> Path:
    schema = Path("/etc/ldap/schema")
    conf = root / "slapd.conf"
    conf.write_text(
        "\n".join(
            [
                *(f"include {schema / n}.schema" for n in ("core", "cosine", "inetorgperson")),
                f"pidfile {root / 'slapd.pid'}",
                "modulepath /usr/lib/ldap",
                "moduleload back_mdb",
                f"TLSCACertificateFile {ca}",
                f"TLSCertificateFile {cert}",
                f"TLSCertificateKeyFile {key}",
                "access to attrs=userPassword by self write by anonymous auth by * none",
                "access to * by dn.exact=" + f'"{BIND_DN}" read by self read by * none',
                "database mdb",
                f"suffix {SUFFIX}",
                f"rootdn {ADMIN_DN}",
                f"rootpw {ADMIN_PASSWORD}",
                f"directory {root / 'db'}",
                "maxsize 10485760",
                "",
            ]
        )
    )
    return conf


@dataclass
class Slapd:
    root: Path
    port: int
    tls_port: int
    ca_file: Path
    process: subprocess.Popen[bytes]

    @property
    def uri(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def tls_uri(self) -> str:
        return f"ldaps://127.0.0.1:{self.tls_port}"

    def env(self, **overrides: str) -> dict[str, str]:
        """OpsQM's environment variables for this directory (StartTLS by default)."""
        env = {
            "OPSQM_LDAP_URI": self.uri,
            "OPSQM_LDAP_START_TLS": "1",
            "OPSQM_LDAP_CA_FILE": str(self.ca_file),
            "OPSQM_LDAP_BIND_DN": BIND_DN,
            "OPSQM_LDAP_BIND_PASSWORD": BIND_PASSWORD,
            "OPSQM_LDAP_USER_BASE": PEOPLE,
            "OPSQM_LDAP_GROUP_BASE": GROUPS,
            "OPSQM_LDAP_ROLE_GROUPS": ROLE_GROUPS,
            "OPSQM_LDAP_DISABLED_GROUP": group_dn("opsqm-disabled"),
            "OPSQM_LDAP_ATTR_UNIT": "departmentNumber",
            "OPSQM_LDAP_ATTR_VENDOR": "o",
            "OPSQM_DIRECTORY_VENDOR_MAP": f"vendor-a={VENDOR}",
        }
        env.update(overrides)
        return env

    def modify(self, dn: str, changes: list[tuple[int, str, list[bytes]]]) -> None:
        """Change the directory as its administrator (ldap.MOD_ADD / MOD_DELETE …)."""
        import ldap

        conn = ldap.initialize(self.uri)
        try:
            conn.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
            conn.modify_s(dn, changes)
        finally:
            conn.unbind_s()

    def rename(self, dn: str, new_rdn: str) -> None:
        """Give an entry another name (as if the person left and someone else came)."""
        import ldap

        conn = ldap.initialize(self.uri)
        try:
            conn.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
            conn.modrdn_s(dn, new_rdn, True)
        finally:
            conn.unbind_s()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        shutil.rmtree(self.root, ignore_errors=True)


def start() -> Slapd:
    binary = slapd_binary()
    assert binary is not None
    root = Path(tempfile.mkdtemp(prefix="opsqm-slapd-"))
    (root / "db").mkdir()
    ca, cert, key = _certificates(root)
    conf = _config(root, ca, cert, key)
    ldif = root / "directory.ldif"
    ldif.write_text(_ldif(), encoding="utf-8")
    slapadd = shutil.which("slapadd") or "/usr/sbin/slapadd"
    subprocess.run([slapadd, "-f", str(conf), "-l", str(ldif)], check=True, capture_output=True)
    port, tls_port = free_port(), free_port()
    urls = f"ldap://127.0.0.1:{port}/ ldaps://127.0.0.1:{tls_port}/"
    log = (root / "slapd.log").open("wb")
    # -d keeps slapd in the foreground (our child, stopped with the tests).
    process = subprocess.Popen(
        [binary, "-f", str(conf), "-h", urls, "-d", "0"], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_for_port(port)
        wait_for_port(tls_port)
    except RuntimeError:
        process.kill()
        raise RuntimeError(f"slapd did not start: {(root / 'slapd.log').read_text()}") from None
    return Slapd(root, port, tls_port, ca, process)
