"""The API against its OpenAPI document (section 4 of issue 14).

- Every operation declares its error answers (400/401/403/404, 409 on writes)
  with their bodies (opsqm.edges.api.schema_errors).
- schemathesis generates requests from the document for every operation, as three
  roles (assessor, vendor manager, recipient), a bounded number of examples each:
  no answer is a server error, and every answer conforms to the document (status
  code declared, body matching its schema, content type)."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token

from opsqm.infra.core.roles import Role

pytestmark = pytest.mark.django_db

EXAMPLES = 2  # per operation and role: keeps the run under a minute
SKIP = ("/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/")


def document() -> dict[str, Any]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return dict(schema)


def test_every_operation_declares_its_error_answers() -> None:
    doc = document()
    assert {"Error", "ValidationError"} <= set(doc["components"]["schemas"])
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            codes = set(op["responses"])
            assert {"400", "401", "403", "404"} <= codes, (method, path, codes)
            if method in {"post", "put", "patch", "delete"}:
                assert "409" in codes, (method, path)
            body = op["responses"]["403"]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/Error"}


def _checks() -> list[Any]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi import checks

    # Not "positive data acceptance": the document cannot say which contract ids
    # belong to an account, so a well-formed request for another vendor's contract
    # is rightly refused (400/404).
    return [
        not_a_server_error,
        checks.status_code_conformance,
        checks.content_type_conformance,
        checks.response_schema_conformance,
    ]


CHECKS: list[Any] = []


def check(operation: Any, headers: dict[str, str]) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_the_api_keeps_its_document_as_three_roles(users: dict[str, Any]) -> None:
    schemathesis = pytest.importorskip("schemathesis")
    CHECKS[:] = _checks()
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    schema = schemathesis.openapi.from_dict(document())
    schema.app = get_wsgi_application()
    # As Django's test client does: the requests run inside the test's transaction,
    # whose connection the end of a request must not close.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    roles = (Role.ASSESSOR, Role.VENDOR_MANAGER, Role.RECIPIENT)
    tokens = {role: Token.objects.create(user=users[role]).key for role in roles}
    failures: list[str] = []
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if not result.ok().path.startswith(SKIP)
    ]
    assert operations
    for operation in operations:
        for role in roles:
            try:
                check(operation, {"Authorization": f"Token {tokens[role]}"})
            except BaseException as exc:  # name every failing operation, not only the first
                if isinstance(exc, KeyboardInterrupt):
                    raise
                failures.append(f"{role} {operation.method.upper()} {operation.path}: {exc}"[:700])
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
    assert failures == [], "\n\n".join(failures)
