#!/usr/bin/env bash
# System packages the test suite uses, from Debian: the loopback mail server (Dovecot),
# headless Chromium for browser tests, and CJK fonts for screenshots and PDFs.
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-mail-server.sh

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "== installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
