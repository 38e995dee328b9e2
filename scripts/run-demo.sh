#!/usr/bin/env bash
# `make run`: migrate, collect static files, load the demo bureau (once), then serve
# OpsQM with waitress on http://127.0.0.1:8000/ (OPSQM_BIND=host:port to change).
# The virtualenv comes from scripts/bootstrap.sh, which `make run` calls first.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export OPSQM_VAR_DIR="${OPSQM_VAR_DIR:-$PWD/var}"
BIND="${OPSQM_BIND:-127.0.0.1:8000}"
HOST="${BIND%:*}"
PORT="${BIND##*:}"
THREADS="${OPSQM_THREADS:-8}"

echo "== data directory: $OPSQM_VAR_DIR"
$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
$PY manage.py demo

# Allow the bound host name (waitress serves it; settings read ALLOWED_HOSTS).
case ",${ALLOWED_HOSTS:-127.0.0.1,localhost}," in
  *",$HOST,"*) ;;
  *) export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost},$HOST" ;;
esac

cat <<MSG

OpsQM is starting on http://$BIND/
Demo logins: see above (password Demo-2025!pass for every account; docs/demo.md).
Stop with Ctrl-C.

MSG
exec $PY -m waitress --host="$HOST" --port="$PORT" --threads="$THREADS" \
  --ident=OpsQM opsqm.web.wsgi:application
