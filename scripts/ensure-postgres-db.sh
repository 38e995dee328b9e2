#!/usr/bin/env bash
# Makes sure the PostgreSQL named by DATABASE_URL (default: the machine's local server,
# 127.0.0.1:5432, trust auth) is up and the database exists.  pytest-django creates
# its own test databases from there: test_<name>_gw0, test_<name>_gw1, … (one per
# pytest-xdist worker; `make test-postgres` runs one per core).
set -euo pipefail
url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/opsqm}
host=$(python3 -c "import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p.hostname or '127.0.0.1')" "$url")
port=$(python3 -c "import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p.port or 5432)" "$url")
user=$(python3 -c "import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p.username or 'postgres')" "$url")
db=$(python3 -c "import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p.path.lstrip('/') or 'opsqm')" "$url")

if ! pg_isready -q -h "$host" -p "$port"; then
  if [ "$host" = 127.0.0.1 ] || [ "$host" = localhost ]; then
    echo "== starting the local PostgreSQL server"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h "$host" -p "$port" && break; sleep 1; done
  fi
fi
pg_isready -h "$host" -p "$port" >/dev/null || { echo "PostgreSQL at $host:$port does not answer" >&2; exit 1; }
if ! psql -h "$host" -p "$port" -U "$user" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1; then
  createdb -h "$host" -p "$port" -U "$user" "$db"
fi
