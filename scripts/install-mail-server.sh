#!/usr/bin/env bash
# Installs the mail server that the mail tests run on loopback: Dovecot (IMAP + LMTP)
# from Debian.  The SMTP side of the tests is aiosmtpd (a dev dependency in
# pyproject.toml), which relays into Dovecot over LMTP; see docs/mail.md.
#
# Idempotent: does nothing when the binaries are already there.  Never leaves a
# system-wide Dovecot running: the tests start their own instance from a throwaway
# configuration (opsqm/infra/mail/loopback.py, its template beside it): the tests
# (tests/conftest.py, tests/mail/mailserver.py) and `make run` (opsqm/edges/demo/runner.py).
set -euo pipefail

have_all() {
  command -v dovecot >/dev/null 2>&1 &&
    [ -x /usr/lib/dovecot/imap ] && [ -x /usr/lib/dovecot/lmtp ]
}

if have_all; then
  echo "== mail server: Dovecot $(dovecot --version | cut -d' ' -f1) already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-mail-server: run as root (or install sudo)" >&2; exit 1; }
  SUDO="sudo"
fi

echo "== mail server: installing dovecot-imapd and dovecot-lmtpd"
# Keep the package scripts from starting a system-wide Dovecot on ports 143/993:
# the tests need none, and a container has no init to manage it.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  made_policy=1
fi
cleanup() { if [ "$made_policy" = 1 ]; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q --no-install-recommends dovecot-imapd dovecot-lmtpd; then
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends dovecot-imapd dovecot-lmtpd
fi

have_all || { echo "install-mail-server: dovecot binaries missing after install" >&2; exit 1; }
echo "== mail server: Dovecot $(dovecot --version | cut -d' ' -f1) installed"
