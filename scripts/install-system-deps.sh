#!/usr/bin/env bash
# System packages the test suite uses, from Debian: the loopback mail server (Dovecot),
# headless Chromium for browser tests, CJK fonts for screenshots and PDFs, Pango for
# WeasyPrint (opsqm.infra.documents), poppler-utils (pdftotext/pdffonts/pdftoppm) to check PDFs,
# and OpenLDAP's slapd + ldap-utils for the directory tests (tests/identity).  The headers
# python-ldap builds against are scripts/install-build-deps.sh's (run by bootstrap.sh).
# the PostgreSQL client and iproute2 for tests/ops.
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-mail-server.sh

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
command -v pdffonts >/dev/null 2>&1 || missing+=(poppler-utils)
command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ] || missing+=(slapd)
command -v ldapsearch >/dev/null 2>&1 || missing+=(ldap-utils)
# tests/ops: pg_dump/pg_restore (backups on PostgreSQL), `ip` to raise the loopback in
# the network namespace of the offline-bundle test.
command -v pg_dump >/dev/null 2>&1 || missing+=(postgresql-client)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
for pkg in libpango-1.0-0 libpangoft2-1.0-0; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "== installing ${missing[*]}"
  $SUDO apt-get update -qq
  # slapd asks for an administrator password when installed interactively: the
  # tests run their own slapd with their own configuration, so skip the questions.
  echo "slapd slapd/no_configuration boolean true" | $SUDO debconf-set-selections
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
