#!/usr/bin/env bash
# `make run`: migrate, collect static files, load the demo bureau (once), then serve
# OpsQM on http://127.0.0.1:8000/ (OPSQM_BIND=host:port to change) with gunicorn:
# OPSQM_WORKERS sync worker processes (default: one per CPU core; docs/benchmarks.md).
# Where gunicorn is missing (Windows), waitress in one process (OPSQM_THREADS, default 8).
# The virtualenv comes from scripts/bootstrap.sh, which `make run` calls first.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export OPSQM_VAR_DIR="${OPSQM_VAR_DIR:-$PWD/var}"
# The settings want a secret key (or DEBUG=1): the demo keeps one in its data directory.
if [ -z "${SECRET_KEY:-}" ]; then
  mkdir -p "$OPSQM_VAR_DIR"
  [ -s "$OPSQM_VAR_DIR/.secret_key" ] ||
    (umask 077; $PY -c 'import secrets; print(secrets.token_urlsafe(50))' >"$OPSQM_VAR_DIR/.secret_key")
  SECRET_KEY="$(cat "$OPSQM_VAR_DIR/.secret_key")"
  export SECRET_KEY
fi
BIND="${OPSQM_BIND:-127.0.0.1:8000}"
HOST="${BIND%:*}"
PORT="${BIND##*:}"
THREADS="${OPSQM_THREADS:-8}"
WORKERS="${OPSQM_WORKERS:-$(nproc 2>/dev/null || echo 2)}"

echo "== data directory: $OPSQM_VAR_DIR"
$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
$PY manage.py demo

# Allow the bound host name (the server serves it; settings read ALLOWED_HOSTS).
case ",${ALLOWED_HOSTS:-127.0.0.1,localhost}," in
  *",$HOST,"*) ;;
  *) export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost},$HOST" ;;
esac

cat <<MSG

OpsQM is starting on http://$BIND/
Demo logins: see above (password Demo-2025!pass for every account; docs/demo.md).
Stop with Ctrl-C.

MSG
if $PY -c "import gunicorn" 2>/dev/null; then
  # Sync workers: one request per process at a time, a process per core (Python's GIL
  # keeps one process on one core).  Each request is its own connection, so the kernel
  # spreads them over the workers.  Slow clients hold a worker: on a network with slow
  # or distant clients put a buffering proxy (nginx) in front.
  exec $PY -m gunicorn --bind="$BIND" --workers="$WORKERS" --worker-class=sync \
    --timeout=120 --graceful-timeout=20 opsqm.edges.web.wsgi:application
fi
exec $PY -m waitress --host="$HOST" --port="$PORT" --threads="$THREADS" \
  --ident=OpsQM opsqm.edges.web.wsgi:application
