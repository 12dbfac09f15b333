"""Who may call what in the API: every operation of the served schema, for every caller.

The callers: nobody, wang (a worker, party to the cases below), li (a worker, party to
none of them), a staff member signed in to the site (a session is no credential here:
the API reads only tokens and keys), and system keys: of the test market with the cases
scope only, with every scope, one of the other market, and a revoked one.

TABLE says what each caller gets from each operation, by url name; an operation without
a row fails test_every_operation_has_a_row, so a new route needs a decision here.
GET is called as each caller. POST is called with an Idempotency-Key and the smallest
body the schema accepts (its required fields, each "1", 1 or true), and only as the
callers it must refuse: NOT_SENT marks a caller who may do it, since the call would
really file, sign or answer (the workflows' own API tests do those). The sign-in calls
are open to all and answer that body the same whoever sends it.
"""

import uuid
from dataclasses import dataclass

import pytest
from django.test import Client, TestCase

from casework.api import registry, tokens
from casework.api.models import SystemKey
from casework.disputes.models import Dispute
from casework.surveys import services as surveys
from tests.api.test_schema_contract import ninja_operations, operations

API = "/api/v1"
NOT_SENT = None
ANONYMOUS, WANG, LI, STAFF = "anonymous", "wang", "li", "staff_session"
KEY_CASES, KEY_ALL, KEY_OTHER, KEY_REVOKED = "key_cases", "key_all", "key_other", "key_revoked"
PERSONAS = (ANONYMOUS, WANG, LI, STAFF, KEY_CASES, KEY_ALL, KEY_OTHER, KEY_REVOKED)
KEYS = (KEY_CASES, KEY_ALL, KEY_OTHER, KEY_REVOKED)


def party(wang, li) -> dict:
    """A party call: a token of wang or li, nothing else (no session, no key)."""
    return {ANONYMOUS: 401, WANG: wang, LI: li, STAFF: 401, **dict.fromkeys(KEYS, 401)}


def system(cases, every, other) -> dict:
    """A system call: a live key, nothing else (no token, no session)."""
    people = dict.fromkeys((ANONYMOUS, WANG, LI, STAFF), 401)
    return {**people, KEY_CASES: cases, KEY_ALL: every, KEY_OTHER: other, KEY_REVOKED: 401}


def public(status) -> dict:
    """A sign-in call: open to all, its answer the same whoever sends it."""
    return dict.fromkeys(PERSONAS, status)


@dataclass(frozen=True)
class Row:
    expect: dict
    # The path's parameters, from the objects the test made (Made, below).
    params: object = None


TABLE = {
    # The sign-in calls, sent "1" for every field: not a number, no such token.
    "auth_code": Row(public(422)),
    "auth_token": Row(public(422)),
    "auth_refresh": Row(public(401)),
    "auth_revoke": Row(public(200)),  # the same answer whether or not the token existed
    # What the parties read: their own cases only, another's is 404.
    "party_me": Row(party(200, 200)),
    "party_cases": Row(party(200, 200)),
    "party_case": Row(party(200, 404), lambda m: {"workflow": "disputes", "code": m.dispute}),
    "party_document_file": Row(party(200, 404), lambda m: {"document_id": m.document}),
    "party_agreement": Row(party(200, 404), lambda m: {"code": m.agreement}),
    "party_surveys": Row(party(200, 200)),
    "party_markets": Row(party(200, 200)),
    "party_mediation_bodies": Row(party(200, 200)),
    # What the parties do.
    "party_agreement_code": Row(party(NOT_SENT, 404), lambda m: {"code": m.agreement}),
    "party_agreement_sign": Row(party(NOT_SENT, 404), lambda m: {"code": m.agreement}),
    "party_agreement_complete": Row(party(NOT_SENT, 404), lambda m: {"code": m.agreement}),
    "party_agreement_payment": Row(party(NOT_SENT, 404), lambda m: {"code": m.agreement}),
    "party_survey_answer": Row(party(NOT_SENT, 404), lambda m: {"survey_id": m.survey}),
    # Filing, by a party's token (the services check who may file): the rest are refused.
    "party_dispute_file": Row(party(NOT_SENT, NOT_SENT)),
    "party_complaint_file": Row(party(NOT_SENT, NOT_SENT)),
    "party_assistance_apply": Row(party(NOT_SENT, NOT_SENT)),
    # The systems: their markets only, each call with its scope.
    "system_cases": Row(system(200, 200, 200), lambda m: {"workflow": "disputes"}),
    "system_case": Row(
        system(200, 200, 404), lambda m: {"workflow": "disputes", "code": m.dispute}
    ),
    "system_statistics": Row(system(403, 200, 200)),
}


@dataclass
class Made:
    dispute: str
    document: int
    agreement: str
    survey: int


def url_names(served: dict) -> dict[str, tuple[str, str, dict]]:
    """url name -> (method, path, operation) for every operation of the served schema."""
    by_id = {operation_id: op.url_name for operation_id, op in ninja_operations()}
    return {
        by_id[operation["operationId"]]: (method, path, operation)
        for method, path, operation in operations(served)
    }


@pytest.fixture(scope="module")
def served() -> dict:
    return Client().get(f"{API}/openapi.json").json()


def test_every_operation_has_a_row(served):
    names = url_names(served)
    missing = [
        f"{name} ({m.upper()} {path})"
        for name, (m, path, _op) in names.items()
        if name not in TABLE
    ]
    assert not missing, "no row in TABLE (tests/api/test_api_authorization.py) for: " + ", ".join(
        missing
    )
    stale = sorted(set(TABLE) - set(names))
    assert not stale, f"rows for operations the API no longer has: {stale}"
    for name, row in TABLE.items():
        assert set(row.expect) == set(PERSONAS), f"{name}: one expectation per caller"


class Caller:
    """One caller's requests: its headers, its session if any."""

    def __init__(self, headers: dict | None = None, user=None):
        self.client = Client()
        self.headers = headers or {}
        if user is not None:
            self.client.force_login(user)

    def call(self, method: str, path: str, body):
        headers = dict(self.headers)
        if method == "get":
            return self.client.get(path, headers=headers)
        headers["Idempotency-Key"] = uuid.uuid4().hex
        with TestCase.captureOnCommitCallbacks(execute=True):
            return self.client.post(path, body, content_type="application/json", headers=headers)


def key_of(markets, scopes, *, revoked=False) -> Caller:
    key, secret = tokens.key_create(name="matrix", markets=markets, scopes=list(scopes))
    if revoked:
        tokens.key_revoke(key)
    return Caller({"X-API-Key": secret})


@pytest.fixture
def callers(wang_worker, li_worker, alice_mediator, market, other_market) -> dict[str, Caller]:
    every = SystemKey.Scope.values
    return {
        ANONYMOUS: Caller(),
        WANG: Caller({"Authorization": f"Bearer {tokens.issue(wang_worker).access_token}"}),
        LI: Caller({"Authorization": f"Bearer {tokens.issue(li_worker).access_token}"}),
        STAFF: Caller(user=alice_mediator),
        KEY_CASES: key_of([market], [SystemKey.Scope.CASES]),
        KEY_ALL: key_of([market], every),
        KEY_OTHER: key_of([other_market], every),
        KEY_REVOKED: key_of([market], every, revoked=True),
    }


@pytest.fixture
def made(wang_worker, new_dispute, new_agreement) -> Made:
    """wang's effective dispute (with its documents and a survey) and an agreement of his
    waiting for signatures, all in the test market."""
    with TestCase.captureOnCommitCallbacks(execute=True):  # the documents render on commit
        dispute = new_dispute(Dispute.State.EFFECTIVE)
    documents = registry.get_workflow("disputes").documents(wang_worker, dispute)
    document = next(doc for doc in documents if doc.is_ready and doc.file)
    survey = surveys.invitations_of(dispute).get(person=wang_worker.person)
    return Made(dispute.code, document.pk, new_agreement("sent").code, survey.pk)


def smallest_body(operation: dict, served: dict):
    """The smallest JSON body the operation's schema accepts (its required fields), so a
    refusal is the caller's and not the body's."""
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return {} if schema is None else sample(schema, served)


def sample(schema: dict, served: dict):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return sample(served["components"]["schemas"][name], served)
    if "enum" in schema:
        return schema["enum"][0]
    for choice in ("anyOf", "oneOf"):
        if choice in schema:
            usable = [s for s in schema[choice] if s.get("type") != "null"]
            return sample(usable[0], served)
    kind = schema.get("type", "object")
    if kind == "object":
        properties = schema.get("properties", {})
        return {
            name: sample(properties.get(name, {}), served) for name in schema.get("required", [])
        }
    return {"string": "1", "integer": 1, "number": 1, "boolean": True, "array": []}.get(kind)


@pytest.mark.django_db
def test_each_caller_gets_what_the_table_says(served, settings, callers, made):
    settings.API_RATE_PARTY = settings.API_RATE_SYSTEM = settings.API_RATE_ANONYMOUS = "10000/min"
    wrong = []
    for name, (method, path, operation) in sorted(url_names(served).items()):
        row = TABLE[name]
        url = path.format(**(row.params(made) if row.params else {}))
        body = smallest_body(operation, served)
        for persona in PERSONAS:
            expected = row.expect[persona]
            if expected is NOT_SENT:
                continue
            response = callers[persona].call(method, url, body)
            if response.status_code != expected:
                wrong.append(f"{name} as {persona}: {response.status_code}, not {expected}")
            elif expected >= 400:
                assert response.json()["error"]["status"] == expected, (name, persona)
    assert not wrong, "\n".join(wrong)
