"""POST /cypher on the real Neo4j: tokens required, reads only, capped, audited without values."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.app import create_app
from api.audit import AuditLog, audit_path
from api.security import Role, TokenStore, tokens_path
from graph.db.settings import Settings

SECRET_VALUE = "Witness-Name-7f3a"  # a parameter value that must never reach the audit log


@dataclass
class Api:
    client: TestClient
    settings: Settings
    investigator: str
    admin: str
    investigator_id: str

    def cypher(self, statement: str, token: str | None = None, **parameters: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = {"statement": statement, "parameters": parameters}
        return self.client.post("/cypher", json=body, headers=headers)

    def audit(self) -> list[dict[str, Any]]:
        return AuditLog(audit_path(self.settings)).entries()


@pytest.fixture
def api(settings: Settings, driver: Driver, tmp_path: Path) -> Iterator[Api]:
    """The app on the session's Neo4j, with its own state folder for tokens and the audit log."""
    own = settings.model_copy(update={"state_dir": tmp_path / "state"})
    tokens = TokenStore(tokens_path(own))
    investigator_id, investigator = tokens.create(Role.investigator)
    _, admin = tokens.create(Role.admin)
    with TestClient(create_app(own)) as client:
        yield Api(client, own, investigator, admin, investigator_id)


def seed(driver: Driver, settings: Settings) -> int:
    driver.execute_query(
        "UNWIND range(1, 5) AS i CREATE (:Actor:Person {id: 'person:' + i, name: 'P' + i})",
        database_=settings.neo4j_database,
    )
    return 5


def node_count(driver: Driver, settings: Settings) -> int:
    records = driver.execute_query(
        "MATCH (n) RETURN count(n) AS n", database_=settings.neo4j_database
    ).records
    return int(records[0]["n"])


def test_without_a_token_cypher_is_401(api: Api) -> None:
    response = api.cypher("MATCH (n) RETURN count(n) AS n")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    body = response.json()
    assert body["status"] == "error"
    assert "Authorization: Bearer <token>" in body["error"]
    assert "silsila token create" in body["error"]
    assert api.audit() == []


def test_a_bad_token_is_401(api: Api) -> None:
    assert api.cypher("RETURN 1 AS x", token="not-a-real-token").status_code == 401
    assert api.cypher("RETURN 1 AS x", token=api.investigator[:-1]).status_code == 401
    malformed = api.client.post(
        "/cypher",
        json={"statement": "RETURN 1 AS x"},
        headers={"Authorization": f"Token {api.investigator}"},
    )
    assert malformed.status_code == 401


def test_an_investigator_counts_nodes(api: Api, driver: Driver) -> None:
    seeded = seed(driver, api.settings)
    response = api.cypher("MATCH (n) RETURN count(n) AS n", token=api.investigator)
    assert response.status_code == 200, response.text
    assert response.json() == {"columns": ["n"], "rows": [[seeded]], "truncated": False}
    admin = api.cypher("MATCH (n:Person {id: $id}) RETURN n", token=api.admin, id="person:3")
    assert admin.status_code == 200, admin.text
    [[node]] = admin.json()["rows"]
    assert node["labels"] == ["Actor", "Person"]
    assert node["properties"] == {"id": "person:3", "name": "P3"}


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE (n:Person {id: 'x'})",
        "MATCH (n) DETACH DELETE n",
        "MERGE (n:Person {id: 'person:new'}) RETURN n",
        "MATCH (n:Person) SET n.name = 'overwritten'",
        "CALL db.createLabel('X')",
        "CALL db.ping()",
        "CALL dbms.listConfig()",
        "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
        "SHOW TRANSACTIONS YIELD parameters RETURN parameters",
        "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    ],
)
def test_writes_and_barred_calls_are_403_and_leave_the_graph_unchanged(
    api: Api, driver: Driver, statement: str
) -> None:
    seed(driver, api.settings)
    before = driver.execute_query(
        "MATCH (n) RETURN n.id AS id, n.name AS name ORDER BY id",
        database_=api.settings.neo4j_database,
    ).records
    response = api.cypher(statement, token=api.investigator)
    assert response.status_code == 403, response.text
    assert response.json()["status"] == "error"
    assert "not allowed" in response.json()["error"] or "read-only" in response.json()["error"]
    assert node_count(driver, api.settings) == 5
    after = driver.execute_query(
        "MATCH (n) RETURN n.id AS id, n.name AS name ORDER BY id",
        database_=api.settings.neo4j_database,
    ).records
    assert [r.data() for r in after] == [r.data() for r in before]
    labels = driver.execute_query("CALL db.labels()", database_=api.settings.neo4j_database)
    assert "X" not in {r["label"] for r in labels.records}


def test_an_admin_cannot_write_either(api: Api, driver: Driver) -> None:
    seed(driver, api.settings)
    assert api.cypher("MATCH (n) DETACH DELETE n", token=api.admin).status_code == 403
    assert node_count(driver, api.settings) == 5


def test_allowed_procedures_work(api: Api, driver: Driver) -> None:
    seed(driver, api.settings)
    response = api.cypher("CALL db.labels()", token=api.investigator)
    assert response.status_code == 200, response.text
    assert response.json()["columns"] == ["label"]
    assert {"Actor", "Person"} <= {row[0] for row in response.json()["rows"]}


def test_rows_are_capped_at_1000(api: Api) -> None:
    response = api.cypher("UNWIND range(1, 1500) AS x RETURN x", token=api.investigator)
    assert response.status_code == 200
    body = response.json()
    assert len(body["rows"]) == 1000
    assert body["rows"][-1] == [1000]
    assert body["truncated"] is True
    whole = api.cypher("UNWIND range(1, 1000) AS x RETURN x", token=api.investigator).json()
    assert whole["truncated"] is False


def test_bad_statements_are_400(api: Api) -> None:
    syntax = api.cypher("MATCH (n RETURN n", token=api.investigator)
    assert syntax.status_code == 400
    assert "SyntaxError" in syntax.json()["error"]
    two = api.cypher("RETURN 1 AS a; RETURN 2 AS b", token=api.investigator)
    assert two.status_code == 400
    assert "one statement at a time" in two.json()["error"]
    missing = api.cypher("RETURN $absent AS x", token=api.investigator)
    assert missing.status_code == 400


def test_the_body_is_validated(api: Api) -> None:
    too_long = api.cypher("RETURN 1 AS x " + " " * 10_000, token=api.investigator)
    assert too_long.status_code == 422
    empty = api.cypher("", token=api.investigator)
    assert empty.status_code == 422


def test_each_call_is_audited_by_hash_without_parameter_values(api: Api, driver: Driver) -> None:
    seed(driver, api.settings)
    read = "MATCH (n:Person) WHERE n.name = $name RETURN n.id AS id"
    write = "CREATE (n:Person {name: $name})"
    assert api.cypher(read, token=api.investigator, name=SECRET_VALUE).status_code == 200
    assert api.cypher(write, token=api.investigator, name=SECRET_VALUE).status_code == 403
    assert api.cypher("MATCH (n RETURN n", token=api.admin).status_code == 400
    assert api.cypher(read, name=SECRET_VALUE).status_code == 401  # never reaches the route
    path = audit_path(api.settings)
    assert path.stat().st_mode & 0o777 == 0o600
    text = path.read_text(encoding="utf-8")
    assert SECRET_VALUE not in text
    assert api.investigator not in text
    assert api.admin not in text
    entries = api.audit()
    assert len(entries) == 3
    assert [e["action"] for e in entries] == ["cypher"] * 3
    assert [e["outcome"] for e in entries] == ["ok", "refused", "error"]
    assert entries[0]["target"] == hashlib.sha256(read.encode()).hexdigest()
    assert entries[1]["target"] == hashlib.sha256(write.encode()).hexdigest()
    assert entries[0]["token_id"] == api.investigator_id
    assert [e["role"] for e in entries] == ["investigator", "investigator", "admin"]


def test_no_response_or_log_carries_the_neo4j_password(api: Api, driver: Driver) -> None:
    password = api.settings.neo4j_password
    assert password is not None
    secret = password.get_secret_value()
    responses = [
        api.cypher("CALL dbms.listConfig()", token=api.investigator),
        api.cypher("SHOW SETTINGS", token=api.investigator),
        api.cypher("CALL dbms.showCurrentUser()", token=api.investigator),
        api.cypher("MATCH (n RETURN n", token=api.investigator),
        api.cypher("RETURN 1 AS x"),
        api.client.get("/openapi.json"),
    ]
    for response in responses:
        assert secret not in response.text
    assert secret not in audit_path(api.settings).read_text(encoding="utf-8")
    assert secret not in tokens_path(api.settings).read_text(encoding="utf-8")


def test_openapi_documents_the_bearer_scheme(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    assert spec["paths"]["/cypher"]["post"]["security"] == [{"HTTPBearer": []}]
