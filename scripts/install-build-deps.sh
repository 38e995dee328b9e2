#!/usr/bin/env bash
# Debian packages that `pip install` of OpsQM builds against: python-ldap (directory
# sign-in, opsqm.infra.accounts.directory) has no wheel on PyPI and compiles against
# OpenLDAP's and Cyrus SASL's headers.  Called by scripts/bootstrap.sh; idempotent.
set -euo pipefail

missing=()
for pkg in libldap2-dev libsasl2-dev gcc; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "python-ldap needs the OpenLDAP and SASL development headers (${missing[*]} on Debian)." >&2
  exit 0  # not Debian: let pip say what is missing
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "== installing ${missing[*]} (python-ldap builds against them)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
