"""The API fuzzed against its own OpenAPI schema (schemathesis), in-process.

Schemathesis reads the served schema (/api/v1/openapi.json) from the WSGI app and runs its
engine, as its command line would: every operation of the schema, whatever routes exist,
through the examples, coverage, fuzzing and stateful phases. The party operations carry
wang_worker's token and the system operations a key holding every scope of the test
market (one credential per security scheme); the sign-in operations need none.

A failure is a server error, an answer the schema does not describe (status, content type,
body), or an engine error; the test prints a summary either way (pytest -s shows it).

Repeatable: a fixed seed, deterministic generation, no example database, no cache.
"""

import collections
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events

from casework.api import tokens
from casework.api.models import SystemKey
from casework.disputes.models import Dispute

SCHEMA_PATH = "/api/v1/openapi.json"
EXAMPLES = 20  # per operation and phase: the run stays near 15 s on two cores
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    # The coverage phase also sends the methods a path lacks: 405, with Allow.
    "unsupported_method",
)


def config(token: str, key: str) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": 20,
            # One worker thread: the requests run one at a time, as the test database likes.
            "workers": 1,
            "cache": {"enabled": False},
            "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "auth": {"openapi": {"PartyAuth": {"bearer": token}, "SystemAuth": {"api_key": key}}},
        }
    )


@dataclass
class Summary:
    cases: collections.Counter = field(default_factory=collections.Counter)
    statuses: dict = field(default_factory=lambda: collections.defaultdict(collections.Counter))
    by_phase: collections.Counter = field(default_factory=collections.Counter)
    phases: dict = field(default_factory=dict)
    stateful: str = ""
    failures: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    def scenario(self, phase: str, recorder) -> None:
        for case_id, node in recorder.cases.items():
            label = node.value.operation.label
            self.cases[label] += 1
            self.by_phase[phase] += 1
            interaction = recorder.interactions.get(case_id)
            if interaction is not None and interaction.response is not None:
                self.statuses[label][interaction.response.status_code] += 1
        for checks in recorder.checks.values():
            for check in checks:
                if check.status == Status.FAILURE and check.failure_info is not None:
                    self.failure(check.name, check.failure_info)

    def failure(self, check: str, info) -> None:
        failure = info.failure
        key = (failure.operation, check, failure.title)
        self.failures.setdefault(key, f"{failure.message}\n    {info.code_sample}")

    def add(self, event) -> None:
        if isinstance(event, events.ScenarioFinished):
            self.scenario(event.phase.value, event.recorder)
        elif isinstance(event, events.PhaseStarted) and event.payload is not None:
            payload = event.payload
            self.stateful = (
                f"{payload.inferred_transitions} links inferred, "
                f"{payload.transitions_selected} of {payload.transitions_total} transitions used"
            )
        elif isinstance(event, events.PhaseFinished):
            reason = event.phase.skip_reason
            self.phases[event.phase.name.value] = (
                f"{event.status.value} ({reason.value})" if reason else event.status.value
            )
        elif isinstance(event, events.NonFatalError):
            self.errors.append(f"{event.label}: {event.info.title}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            self.errors.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            self.errors += [f"after run: {failure.title}" for failure in event.failures]

    def text(self) -> str:
        lines = [
            f"schemathesis {schemathesis.SCHEMATHESIS_VERSION}: {len(self.cases)} operations, "
            f"{sum(self.cases.values())} cases ({self._per_phase()}), "
            f"{len(self.failures)} failures, {len(self.errors)} errors",
            "phases: " + ", ".join(f"{name} {state}" for name, state in self.phases.items()),
            f"stateful: {self.stateful or 'no transitions'}",
        ]
        for label in sorted(self.cases):
            codes = " ".join(f"{code}x{n}" for code, n in sorted(self.statuses[label].items()))
            lines.append(f"  {label:<52} {self.cases[label]:>4} cases  {codes}")
        for (operation, check, title), detail in sorted(self.failures.items(), key=str):
            lines.append(f"FAILURE {operation} [{check}] {title}: {detail}")
        lines += [f"ERROR {error}" for error in self.errors]
        return "\n".join(lines)

    def _per_phase(self) -> str:
        return ", ".join(f"{phase} {n}" for phase, n in sorted(self.by_phase.items()))


@pytest.fixture
def cases_of_wang(new_dispute, new_agreement):
    """Something behind each of wang's operations: an effective dispute (its documents, a
    survey to answer) and an agreement waiting for signatures. Schemathesis learns their
    codes and ids from the answers (/me/cases, /me/surveys) and sends them on."""
    new_dispute(Dispute.State.EFFECTIVE)
    new_agreement("sent")


# transaction=True: the engine sends its requests from a worker thread, whose database
# connection sees committed rows only.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_answer_is_the_one_the_schema_describes(settings, wang_worker, market, cases_of_wang):
    settings.API_RATE_PARTY = settings.API_RATE_SYSTEM = "100000/min"
    settings.API_RATE_ANONYMOUS = "100000/min"
    token = tokens.issue(wang_worker).access_token
    _key, secret = tokens.key_create(name="fuzz", markets=[market], scopes=SystemKey.Scope.values)
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, app, config=config(token, secret))

    summary = Summary()
    for event in schemathesis.engine.from_schema(schema).execute():
        summary.add(event)
    print("\n" + summary.text())

    assert not summary.failures and not summary.errors, summary.text()
    # django-ninja declares no OpenAPI links: schemathesis infers them from the schema
    # (a code in one answer, a {code} in another path) and chains the calls; a schema it
    # could infer none from would skip the phase, which fails here rather than silently.
    assert summary.phases.get("stateful", "").startswith("success"), summary.text()
    # The credentials held to the end: each operation that needs one answered past 401.
    refused = [
        label for label in secured(schema.raw_schema) if set(summary.statuses[label]) <= {401}
    ]
    assert not refused, f"only 401 for {refused}"


def secured(raw: dict) -> list[str]:
    return [
        f"{method.upper()} {path}"
        for path, methods in raw["paths"].items()
        for method, operation in methods.items()
        if operation.get("security")
    ]
