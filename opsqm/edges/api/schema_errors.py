"""Declares in the OpenAPI document every error answer the API gives, with its body
(a drf-spectacular postprocessing hook, SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]).
tests/web/test_api_contract.py holds the API to it with schemathesis.

What opsqm.edges.api.errors.exception_handler answers: 400 with the fields and their
messages (or "detail"), 401/403/404/405/409 with {"detail": "…"}.  Every operation may
answer 401 (no or a bad token), 403 (the role has no business there) and 400 (bad
input or query) and 404 (an object not there or outside the scope, a page past the
end); writes 409 (a state that forbids it)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.hooks import postprocess_schema_enums

ERROR = {
    "type": "object",
    "description": "An error: what is wrong, in the reader's language.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": "Bad input: each field (or `detail`, `records`, …) with what is wrong.",
    "additionalProperties": True,
}
WRITES = {"post", "put", "patch", "delete"}


def _ref(name: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }


def add_error_responses(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    result = postprocess_schema_enums(result, generator, **kwargs)
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["ValidationError"] = VALIDATION_ERROR
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            answers = operation["responses"]
            answers.setdefault("400", _ref("ValidationError", "Bad input"))
            answers.setdefault("401", _ref("Error", "Not logged in, or a bad token"))
            answers.setdefault("403", _ref("Error", "Not allowed for this account"))
            # One object not there or outside the scope; a list's page past its end.
            answers.setdefault("404", _ref("Error", "Not there, or outside your scope"))
            if method in WRITES:
                answers.setdefault("409", _ref("Error", "The object's state forbids it"))
            answers.setdefault("405", _ref("Error", "Method not allowed"))
    return result
