"""Installations in subprocesses: each test gets its own data directory and, on
PostgreSQL, its own databases (created and dropped here), so nothing is shared with
the pytest process's test database."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
OPSQM = str(Path(sys.executable).with_name("opsqm"))
# The server the PostgreSQL tests make their own databases on (trust auth).
PG_SERVER = os.environ.get("OPSQM_TEST_PG_SERVER", "postgres://postgres@127.0.0.1:5432")


def base_env(var_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "OPSQM_", "MAIL_", "DJANGO_", "PYTEST"))
    }
    env.update(
        OPSQM_VAR_DIR=str(var_dir),
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="0",
        OPSQM_FAST_HASHER="1",
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="WARNING",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run(env: dict[str, str], *args: str, check: bool = True, **kw: Any) -> Any:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, **kw)
    if check and done.returncode != 0:
        raise AssertionError(f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def opsqm(env: dict[str, str], *args: str, check: bool = True) -> Any:
    return run(env, OPSQM, *args, check=check)


def script(env: dict[str, str], name: str, *args: str) -> Any:
    return run(env, sys.executable, str(ROOT / "tests" / "ops" / name), *args)


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


@pytest.fixture
def pg_databases() -> Iterator[Callable[[], str]]:
    """Makes empty PostgreSQL databases (URL each), dropped at the end."""
    try:
        _pg_admin("SELECT 1")
    except Exception as exc:
        message = f"PostgreSQL at {PG_SERVER} does not answer: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    made: list[str] = []

    def make() -> str:
        name = f"opsqm_ops_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        made.append(name)
        return f"{PG_SERVER}/{name}"

    yield make
    for name in made:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
