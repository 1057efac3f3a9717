"""Schemathesis against the app's own OpenAPI document, in-process, over the default dataset:
every built-in check, valid and invalid data, as the public (every phase: examples, coverage,
fuzzing, stateful) and as an investigator (examples and fuzzing: the coverage phase's boundary
cases do not depend on the role).

It drives Schemathesis's engine (what `schemathesis run` runs) rather than its pytest plugin,
whose fixture-based loader does not work with pytest 9.2.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from schemathesis.engine.recorder import ScenarioRecorder
from schemathesis.python.asgi import shutdown_lifespans

from api.app import create_app
from api.security import Role, TokenStore, tokens_path
from graph.db.settings import Settings
from tests.conftest import DefaultDataset

# Examples per operation and generation mode in the fuzzing phase; the coverage phase adds its
# own boundary cases (about 550). Enough to find where document and answers part, on 2 cores.
MAX_EXAMPLES = 5
# A schema-valid statement can still be a Cypher syntax error: /cypher documents 400 for that.
CYPHER_ANSWERS = ["2xx", "400", "401", "403", "503"]


@pytest.fixture(scope="module")
def own_settings(
    shared_dataset: DefaultDataset, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """The default dataset, with a state folder of the module's own (tokens, audit log)."""
    state = tmp_path_factory.mktemp("schema-state")
    return shared_dataset.ensure().model_copy(update={"state_dir": state})


@pytest.fixture(scope="module")
def investigator(own_settings: Settings) -> str:
    _, token = TokenStore(tokens_path(own_settings)).create(Role.investigator)
    return token


@pytest.fixture
def app_settings(default_dataset: object, own_settings: Settings) -> Iterator[Settings]:
    """The dataset is in place (`default_dataset`); the app's driver, which Schemathesis opens
    in the app's lifespan, is closed after the test, while Neo4j still runs."""
    yield own_settings
    shutdown_lifespans()


def config(headers: dict[str, str] | None, every_phase: bool) -> SchemathesisConfig:
    data: dict[str, Any] = {
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "operations": [
            {
                "include-path": "/cypher",
                "include-method": "POST",
                "checks": {"positive_data_acceptance": {"expected-statuses": CYPHER_ANSWERS}},
            }
        ],
    }
    if headers:
        data["headers"] = headers
    if not every_phase:
        data["phases"] = {"coverage": {"enabled": False}, "stateful": {"enabled": False}}
    return SchemathesisConfig.from_dict(data)


def problems(recorder: ScenarioRecorder) -> list[str]:
    """Each failed or errored check of a scenario, with the request that shows it."""
    found = []
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.status in (Status.FAILURE, Status.ERROR):
                case = recorder.cases[case_id].value
                info = check.failure_info
                detail = f"{info.failure.title}: {info.failure.message}" if info else "error"
                found.append(f"{check.name} on {case.method} {case.formatted_path}: {detail}")
    return found


def run(
    settings: Settings, headers: dict[str, str] | None = None, every_phase: bool = True
) -> tuple[list[str], set[str], set[str]]:
    """Schemathesis over the app: the problems found, the operations exercised, and all."""
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", create_app(settings), config=config(headers, every_phase)
    )
    operations = {result.ok().label for result in schema.get_all_operations()}
    found: list[str] = []
    exercised: set[str] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            found += problems(event.recorder)
            exercised |= {case.value.operation.label for case in event.recorder.cases.values()}
        elif isinstance(event, events.NonFatalError):
            found.append(f"{event.label}: {event.info}")
        elif isinstance(event, events.FatalError):
            found.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            found += [f"{f.title}: {f.message}" for f in event.failures]
    return sorted(set(found)), exercised, operations


def test_the_public_gets_what_the_document_says(app_settings: Settings) -> None:
    found, exercised, operations = run(app_settings)
    assert found == []
    assert len(operations) >= 20
    assert exercised == operations


def test_an_investigator_gets_what_the_document_says(
    app_settings: Settings, investigator: str
) -> None:
    headers = {"Authorization": f"Bearer {investigator}"}
    found, exercised, operations = run(app_settings, headers, every_phase=False)
    assert found == []
    assert exercised == operations
