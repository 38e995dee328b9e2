#!/bin/sh
# Installs OpsQM from this offline bundle, without any network:
#   sudo ./install.sh --prefix /opt/opsqm
# makes PREFIX/venv (pip --no-index from wheels/), PREFIX/static, PREFIX/share (deploy/,
# docs), PREFIX/etc/opsqm.env (first time only, with a new SECRET_KEY) and PREFIX/bin/opsqm.
# It first checks the Debian packages OpsQM needs and names the missing ones.
# Options: --python PATH (the interpreter), --ignore-missing (install anyway).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=""
PY=""
IGNORE_MISSING=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="${2:?--prefix needs a directory}"; shift 2 ;;
    --prefix=*) PREFIX="${1#--prefix=}"; shift ;;
    --python) PY="${2:?--python needs a path}"; shift 2 ;;
    --ignore-missing) IGNORE_MISSING=1; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$PREFIX" ] || { echo "install.sh: --prefix DIR is required" >&2; exit 2; }
mkdir -p "$PREFIX"
PREFIX=$(cd "$PREFIX" && pwd)
VERSION=$(cat "$HERE/VERSION")
TAG=$(cat "$HERE/PYTHON_TAG")           # e.g. cp313: the wheels are for Python 3.13
WANT="${TAG#cp}"; WANT="${WANT%"${WANT#?}"}.${WANT#?}"
echo "== OpsQM $VERSION into $PREFIX (Python $WANT)"

# --- the Debian packages ------------------------------------------------------------
missing=""
need() { missing="$missing $1"; echo "   missing: $1 ($2)" >&2; }
pyver() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }
if [ -n "$PY" ]; then
  [ "$(pyver "$PY")" = "$WANT" ] || { echo "   $PY is not Python $WANT" >&2; PY=""; }
else
  for c in "python$WANT" python3; do
    if command -v "$c" >/dev/null 2>&1 && [ "$(pyver "$c")" = "$WANT" ]; then
      PY=$(command -v "$c"); break
    fi
  done
fi
if [ -z "$PY" ]; then
  need python3 "Python $WANT: the bundle's wheels are built for it (Debian 13: python3)"
elif ! "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  need python3-venv "virtualenv support of $PY"
fi
has_lib() { ldconfig -p 2>/dev/null | grep -q "$1" || ls /usr/lib/*/"$1"* >/dev/null 2>&1; }
has_lib libpango-1.0.so.0 || need libpango-1.0-0 "PDF output"
has_lib libpangoft2-1.0.so.0 || need libpangoft2-1.0-0 "PDF output"
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] ||
  { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh family | grep -q Noto; } ||
  need fonts-noto-cjk "Chinese fonts in PDFs"
command -v pg_dump >/dev/null 2>&1 || need postgresql-client "backups on PostgreSQL"
if [ -n "$missing" ]; then
  echo "Debian packages missing:$missing" >&2
  echo "install them first:  apt-get install$missing   (see system-packages.txt)" >&2
  if [ "$IGNORE_MISSING" != 1 ] || [ -z "$PY" ]; then exit 1; fi
  echo "== going on without them (--ignore-missing)" >&2
fi

# --- OpsQM and its dependencies, from wheels/ only --------------------------------------
[ -x "$PREFIX/venv/bin/python" ] || "$PY" -m venv "$PREFIX/venv"
# --isolated: no pip configuration or PIP_* variable of this machine; the bundle alone.
PIP="$PREFIX/venv/bin/python -m pip --isolated --disable-pip-version-check --no-input -q"
# Every dependency pinned and hash-checked (requirements/opsqm.lock), then OpsQM itself.
$PIP install --no-index --find-links "$HERE/wheels" --require-hashes -r "$HERE/requirements/opsqm.lock"
$PIP install --no-index --no-deps --force-reinstall "$HERE"/wheels/opsqm-"$VERSION"-*.whl

rm -rf "$PREFIX/static.new" && cp -R "$HERE/static" "$PREFIX/static.new"
rm -rf "$PREFIX/static" && mv "$PREFIX/static.new" "$PREFIX/static"
mkdir -p "$PREFIX/share" "$PREFIX/etc" "$PREFIX/bin" "$PREFIX/var"
rm -rf "$PREFIX/share/deploy" "$PREFIX/share/docs"
cp -R "$HERE/deploy" "$PREFIX/share/deploy"
cp -R "$HERE/docs" "$PREFIX/share/docs"
cp "$HERE/CHANGELOG.md" "$HERE/VERSION" "$PREFIX/share/"

ENV_FILE="$PREFIX/etc/opsqm.env"
if [ ! -f "$ENV_FILE" ]; then
  KEY=$("$PREFIX/venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))')
  (umask 077; sed -e "s|^SECRET_KEY=.*|SECRET_KEY=$KEY|" \
      -e "s|^OPSQM_VAR_DIR=.*|OPSQM_VAR_DIR=$PREFIX/var|" \
      -e "s|^OPSQM_STATIC_ROOT=.*|OPSQM_STATIC_ROOT=$PREFIX/static|" \
      -e "s|^OPSQM_BACKUP_DIR=.*|OPSQM_BACKUP_DIR=|" \
      -e "s|^DATABASE_URL=.*|DATABASE_URL=|" \
      "$HERE/deploy/opsqm.env.example" >"$ENV_FILE")
  echo "== wrote $ENV_FILE (new SECRET_KEY; SQLite in $PREFIX/var until DATABASE_URL is set)"
fi

# PREFIX/bin/opsqm: the command with the environment file's settings (those already in
# the environment win); OPSQM_ENV_FILE names another file.
sed "s|@PREFIX@|$PREFIX|g" >"$PREFIX/bin/opsqm" <<'WRAPPER'
#!/bin/sh
env_file="${OPSQM_ENV_FILE:-@PREFIX@/etc/opsqm.env}"
if [ -r "$env_file" ]; then
  preset=" $(env | sed 's/=.*//' | tr '\n' ' ') "
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    key=${line%%=*}
    case "$key" in *[!A-Za-z0-9_]*|'') continue ;; esac
    case "$preset" in *" $key "*) continue ;; esac
    export "$key=${line#*=}"
  done <"$env_file"
fi
exec "@PREFIX@/venv/bin/opsqm" "$@"
WRAPPER
chmod 755 "$PREFIX/bin/opsqm"
echo "== installed: $("$PREFIX/bin/opsqm" --version)"
echo "next: edit $ENV_FILE, then $PREFIX/bin/opsqm migrate, createadmin, check (docs/operations.md)"
