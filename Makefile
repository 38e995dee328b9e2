# The two commands of the README: `make run` and `make test`.
PY := .venv/bin/python
export OPSQM_VAR_DIR ?= $(CURDIR)/var
# pytest-xdist workers for the test targets: one per core.  A test file's tests run on
# one worker, so what a module builds once (scope="module") is built once.
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadfile

.PHONY: bootstrap system-deps run demo test test-sqlite test-postgres lint bench bench-pdf bench-tickets bench-load messages lock bundle

bootstrap:
	@scripts/bootstrap.sh

## Debian packages the tests need: Dovecot (mail on loopback), Chromium, CJK fonts.
system-deps:
	@scripts/install-system-deps.sh

## The main job: set up, migrate, load the demo bureau (kept once there), then serve it on
## http://127.0.0.1:8000/ with one worker and the loopback mail server (docs/demo.md).
run: bootstrap
	@scripts/run-demo.sh

## The whole test suite on the embedded default (SQLite), with lint and type checks.
test: bootstrap system-deps lint test-sqlite

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy opsqm
	.venv/bin/lint-imports --no-logo

## The suite on every core (pytest-xdist; PYTEST_WORKERS=0 runs it in one process).
## tests/ops's slow_ops tests also make PostgreSQL databases of their own: start the server
## if it is here (without one they skip, or fail under CI=true).
test-sqlite:
	-@scripts/ensure-postgres-db.sh
	OPSQM_FAST_HASHER=1 $(PY) -m pytest $(PYTEST_PARALLEL)

## The same suite on PostgreSQL (127.0.0.1:5432, trust auth unless DATABASE_URL says otherwise).
## (tests/ops's slow_ops tests make their own databases and ran in `make test` already; the
## browser tests check what a person sees, which does not depend on the database, and ran
## there too.)
test-postgres: bootstrap system-deps
	scripts/ensure-postgres-db.sh
	OPSQM_FAST_HASHER=1 DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/opsqm} $(PY) -m pytest $(PYTEST_PARALLEL) -m "not sqlite_only and not slow_ops and not browser"

bench: bootstrap
	$(PY) bench/generate.py
	$(PY) bench/score_bench.py
	-$(PY) bench/ticket_pdf_bench.py

## The printed ticket form: PDF render time and size, DOCX size (reports; exits 1 only
## when the one-page PDF reaches 200 KB, and `make bench` goes on regardless).
bench-pdf: bootstrap
	$(PY) bench/ticket_pdf_bench.py

## The desk's ticket board and a ticket page at 200,000 tickets on PostgreSQL, 20 users
## (gunicorn as `make run` + wrk; DATABASE_URL, default postgres://postgres@127.0.0.1:5432/opsqm_bench).
bench-tickets: bootstrap
	$(PY) bench/ticket_board_bench.py

## 20 users mixing the board, ticket pages, the dashboards, the ledger and API writes
## against the server and the worker (bounded: --duration, --max-requests); fails on a 5xx.
bench-load: bootstrap
	$(PY) bench/load_mix.py

## Re-extract the translatable strings into opsqm/locale/zh_Hans and compile the .mo
## (docs/i18n.md). The pure core opsqm/pure/assessment has no gettext and is skipped.
messages: bootstrap
	@command -v xgettext >/dev/null && command -v msgfmt >/dev/null || { echo "make messages needs GNU gettext (apt-get install gettext)" >&2; exit 1; }
	cd opsqm && ../$(PY) ../manage.py makemessages -l zh_Hans --no-obsolete --ignore 'pure/*'
	cd opsqm && ../$(PY) ../manage.py compilemessages -l zh_Hans
	@if grep -q '^#, fuzzy' opsqm/locale/zh_Hans/LC_MESSAGES/django.po; then echo "fuzzy entries to review in opsqm/locale/zh_Hans/LC_MESSAGES/django.po" >&2; fi
	@msgfmt --statistics -o /dev/null opsqm/locale/zh_Hans/LC_MESSAGES/django.po

## The pinned, hash-checked dependencies of the offline bundle (commit the result).
lock: bootstrap
	$(PY) -m uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.12 \
		--no-header -q -o requirements/opsqm.lock

## The offline installation bundle: dist/opsqm-offline-<version>-<python>-<platform>.tar.gz
## (docs/operations.md); installs with `install.sh --prefix DIR` and no network.
bundle: bootstrap
	scripts/build-bundle.sh
