"""The API's contract: the schema it serves is the one in docs/api/openapi.json, and every
operation follows the conventions of docs/api.md, whatever routes exist.

Each test walks every operation of the served schema (or of the API that serves it), so
a new route is held to the same rules without being listed here.
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from casework.api.idempotency import HEADER, idempotent
from casework.api.management.commands.api_schema import short_diff
from casework.api.site import get_api

SCHEMA_FILE = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.json"
REGENERATE = ".venv/bin/python manage.py api_schema --write docs/api/openapi.json"
ERROR_REF = "#/components/schemas/ErrorOut"
ALWAYS = ("400", "401", "422", "429")  # casework.api.errors.responses documents them always
# What an Idempotency-Key can answer (casework.api.idempotency): the key missing, the
# first call still running, the key used for another body.
IDEMPOTENCY_STATUSES = ("400", "409", "422")
IDEMPOTENT_CODE = idempotent(lambda request: None).__code__
URL_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def served() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200, response.content[:500]
    return response.json()


def operations(schema: dict):
    """(method, path, operation) for every operation of the schema."""
    for path, item in sorted(schema["paths"].items()):
        for method, operation in sorted(item.items()):
            if method in METHODS:
                yield method, path, operation


def ninja_operations():
    """(operationId, ninja Operation) for every operation of the API, walked as
    django-ninja's own schema generator walks them."""
    api = get_api()
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                yield operation.operation_id or api.get_openapi_operation_id(operation), operation


def pretty(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_the_served_schema_is_the_one_in_docs(served):
    assert SCHEMA_FILE.exists(), f"{SCHEMA_FILE} is missing: run {REGENERATE}"
    kept = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    if kept != served:
        diff = short_diff(pretty(kept), pretty(served), "docs/api/openapi.json")
        pytest.fail(f"docs/api/openapi.json is not the served schema: run {REGENERATE}\n{diff}")


def test_every_operation_has_a_unique_id_and_a_summary(served):
    seen: dict[str, str] = {}
    for method, path, operation in operations(served):
        where = f"{method.upper()} {path}"
        assert operation.get("operationId"), f"{where} has no operationId"
        assert operation.get("summary", "").strip(), f"{where} has no summary="
        assert operation["operationId"] not in seen, (
            f"{where} and {seen[operation['operationId']]} share the operationId "
            f"{operation['operationId']}: rename one handler"
        )
        seen[operation["operationId"]] = where


def test_every_operation_has_its_own_url_name(served):
    served_ids = {operation["operationId"] for _m, _p, operation in operations(served)}
    names: dict[str, str] = {}
    walked = set()
    for operation_id, operation in ninja_operations():
        walked.add(operation_id)
        name = getattr(operation, "url_name", None)
        assert name, f"{operation_id} has no url_name="
        assert URL_NAME.match(name), f"{operation_id}: url_name {name!r} is not snake_case"
        assert name not in names, f"{operation_id} and {names[name]} share the url_name {name}"
        names[name] = operation_id
    assert walked == served_ids


def test_every_operation_documents_its_errors_in_the_one_format(served):
    for method, path, operation in operations(served):
        where = f"{method.upper()} {path}"
        answers = operation.get("responses", {})
        missing = [status for status in ALWAYS if status not in answers]
        assert not missing, f"{where} does not document {missing}: use errors.responses()"
        for status, answer in answers.items():
            if int(status) < 400:
                continue
            schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
            assert schema.get("$ref") == ERROR_REF, f"{where} documents {status} without ErrorOut"


def test_the_party_and_system_operations_need_their_credentials(served):
    for method, path, operation in operations(served):
        schemes = {name for need in operation.get("security", []) for name in need}
        where = f"{method.upper()} {path}"
        if path.startswith("/api/v1/me"):
            assert schemes == {"PartyAuth"}, f"{where} is a party call: auth=PartyAuth()"
        elif path.startswith("/api/v1/system/"):
            assert schemes == {"SystemAuth"}, f"{where} is a system call: auth=SystemAuth()"


def test_every_party_post_is_idempotent_and_documents_what_the_key_answers(served):
    by_id = dict(ninja_operations())
    for method, path, operation in operations(served):
        if method != "post" or not path.startswith("/api/v1/me/"):
            continue
        where = f"POST {path}"
        view = by_id[operation["operationId"]].view_func
        assert view.__code__ is IDEMPOTENT_CODE, (
            f"{where} creates or changes something: put @idempotent under its router decorator"
        )
        missing = [s for s in IDEMPOTENCY_STATUSES if s not in operation["responses"]]
        assert not missing, f"{where} does not document {missing}, which its key may answer"


def test_the_idempotent_calls_and_only_they_declare_the_key_header(served):
    by_id = dict(ninja_operations())
    for method, path, operation in operations(served):
        headers = [
            parameter
            for parameter in operation.get("parameters", [])
            if parameter.get("in") == "header" and parameter.get("name") == HEADER
        ]
        idempotent_view = by_id[operation["operationId"]].view_func.__code__ is IDEMPOTENT_CODE
        where = f"{method.upper()} {path}"
        assert len(headers) == int(idempotent_view), f"{where}: {HEADER} declared {len(headers)}x"
        assert all(header.get("required") for header in headers), f"{where}: {HEADER} optional"
