#!/usr/bin/env bash
# `make bundle`: the offline installation bundle (docs/operations.md):
#   dist/opsqm-offline-<version>-<python tag>-<platform>.tar.gz
# with the wheels of OpsQM and of every dependency pinned by requirements/opsqm.lock
# (hash-checked), the compiled zh_Hans catalogue (in OpsQM's wheel), the collected
# static files, deploy/, docs, CHANGELOG.md and install.sh.  Needs the package index
# (this machine, not the bureau's); the bundle then installs with no network at all.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
OUT=${OPSQM_BUNDLE_OUT:-dist}
VERSION=$($PY -c 'import opsqm; print(opsqm.__version__)')
TAG=$($PY -c 'import sys; print("cp%d%d" % sys.version_info[:2])')
PLATFORM=$($PY -c 'import sysconfig; print(sysconfig.get_platform().replace("-", "_").replace(".", "_"))')
NAME="opsqm-offline-$VERSION-$TAG-$PLATFORM"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/opsqm-bundle.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/$NAME"
mkdir -p "$STAGE/wheels" "$STAGE/requirements" "$OUT"

echo "== $NAME"
# The catalogue compiled from the committed .po (when GNU gettext is here; else the
# committed .mo, which a test keeps in step).
if command -v msgfmt >/dev/null 2>&1; then
  msgfmt --check -o opsqm/locale/zh_Hans/LC_MESSAGES/django.mo opsqm/locale/zh_Hans/LC_MESSAGES/django.po
fi
$PY -m pip wheel -q --no-deps -w "$STAGE/wheels" .
# Every dependency as a wheel for this Python and platform, each checked against the lock.
$PY -m pip download -q --require-hashes --only-binary=:all: -d "$STAGE/wheels" \
  -r requirements/opsqm.lock
cp requirements/opsqm.lock "$STAGE/requirements/"

# Static files with hashed names and the manifest OpsQM's storage reads, then gzip'd
# copies for nginx's gzip_static and WhiteNoise (brotli at its best level would take
# minutes on the API documentation's scripts, for little over gzip on an intranet).
OPSQM_STATIC_COMPRESS=0 SECRET_KEY=bundle-build DEBUG=0 OPSQM_VAR_DIR="$WORK/var" \
  OPSQM_STATIC_ROOT="$STAGE/static" $PY -m opsqm.edges.web.manage collectstatic --noinput -v0
$PY -m whitenoise.compress --quiet --no-brotli "$STAGE/static"

cp -R deploy "$STAGE/deploy"
mv "$STAGE/deploy/install.sh" "$STAGE/install.sh"
mkdir -p "$STAGE/docs"
cp docs/operations.md docs/worker.md docs/mail.md "$STAGE/docs/"
cp CHANGELOG.md README.md deploy/system-packages.txt "$STAGE/"
echo "$VERSION" >"$STAGE/VERSION"
echo "$TAG" >"$STAGE/PYTHON_TAG"
(cd "$STAGE" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum >SHA256SUMS)
tar -C "$WORK" -czf "$OUT/$NAME.tar.gz" "$NAME"
echo "$OUT/$NAME.tar.gz"
