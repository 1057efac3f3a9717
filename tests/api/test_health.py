"""GET /health on the real Neo4j: 200 with counts, 503 while it is down, then recovery."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.app import create_app
from api.security import Role, TokenStore, tokens_path
from graph.db.runtime import LocalNeo4j
from graph.db.settings import Settings
from ontology.model import load as load_ontology
from tests.conftest import default_records


@pytest.fixture
def client(settings: Settings, driver: Driver) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_health_reports_version_and_counts_by_label(
    dataset_client: TestClient, settings: Settings
) -> None:
    response = dataset_client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["neo4j"] == {"reachable": True, "version": "5.26.30", "edition": "community"}
    assert set(body["counts"]) == set(load_ontology().labels)
    assert body["counts"]["Source"] == 6
    persons = [r for r in default_records() if r.label == "Person"]
    witnesses = [r for r in persons if r.properties.get("restricted")]
    # The public count cannot tell that a witness is there; an investigator's counts are whole.
    assert body["counts"]["Person"] == len(persons) - len(witnesses) > 0
    _, token = TokenStore(tokens_path(settings)).create(Role.investigator)
    whole = dataset_client.get("/health", headers={"Authorization": f"Bearer {token}"}).json()
    assert whole["counts"]["Person"] == len(persons)
    assert len(witnesses) >= 10
    withheld_claims = whole["counts"]["Claim"] - body["counts"]["Claim"]
    assert withheld_claims >= 10  # statements, participations, attributions, tolls


def test_health_is_503_while_neo4j_is_down_and_recovers(
    client: TestClient, neo4j_runtime: LocalNeo4j
) -> None:
    assert client.get("/health").status_code == 200
    neo4j_runtime.stop()
    try:
        assert neo4j_runtime.process() is None, "db stop left a Java process behind"
        down = client.get("/health")
        assert down.status_code == 503
        assert down.json()["status"] == "unavailable"
        assert "not reachable" in down.json()["error"]
        assert "silsila db start" in down.json()["error"]
    finally:
        neo4j_runtime.start()
    # The same app and driver, with no restart: the driver reconnects by itself.
    up = client.get("/health")
    assert up.status_code == 200
    assert up.json()["neo4j"]["reachable"] is True


def test_no_response_carries_the_password(client: TestClient, settings: Settings) -> None:
    assert settings.neo4j_password is not None
    password = settings.neo4j_password.get_secret_value()
    for path in ("/health", "/openapi.json", "/docs"):
        assert password not in client.get(path).text
