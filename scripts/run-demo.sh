#!/usr/bin/env bash
# `make run`: the whole demo on loopback, from one launcher (opsqm/edges/demo/runner.py):
# migrate, collect static files, load the demo bureau (kept when already there), start
# the loopback mail server (Dovecot + the SMTP relay) with the demo's mailboxes, the web
# server on http://127.0.0.1:8000/ (OPSQM_BIND=host:port to change; gunicorn with
# OPSQM_WORKERS processes, or waitress with OPSQM_THREADS where gunicorn is missing) and
# one `opsqm worker`.  Ctrl-C or SIGTERM stops them all.  docs/demo.md.
# The virtualenv comes from scripts/bootstrap.sh, which `make run` calls first.
set -euo pipefail
cd "$(dirname "$0")/.."
export OPSQM_VAR_DIR="${OPSQM_VAR_DIR:-$PWD/var}"
# The settings want a secret key (or DEBUG=1): the demo keeps one in its data directory.
if [ -z "${SECRET_KEY:-}" ]; then
  mkdir -p "$OPSQM_VAR_DIR"
  [ -s "$OPSQM_VAR_DIR/.secret_key" ] ||
    (umask 077; .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' >"$OPSQM_VAR_DIR/.secret_key")
  SECRET_KEY="$(cat "$OPSQM_VAR_DIR/.secret_key")"
  export SECRET_KEY
fi

# Dovecot comes from Debian; install it when we may (root, or sudo without a password).
# Otherwise the launcher says in one line that the demo runs without mail.
if ! command -v dovecot >/dev/null 2>&1 && { [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; }; then
  scripts/install-mail-server.sh || true
fi

exec .venv/bin/python -m opsqm.edges.demo.runner "$@"
