"""POST /cypher on the real Neo4j: tokens required, reads only, capped, audited without values."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.app import create_app
from api.audit import AuditLog, audit_path
from api.routes import cypher as cypher_route
from api.routes.cypher import MAX_BYTES
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
    assert response.json() == {
        "columns": ["n"],
        "rows": [[seeded]],
        "truncated": False,
        "truncated_by": None,
    }
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
    assert body["truncated_by"] == "rows"
    whole = api.cypher("UNWIND range(1, 1000) AS x RETURN x", token=api.investigator).json()
    assert whole["truncated"] is False
    assert whole["truncated_by"] is None


def test_rows_are_capped_at_10_mib_of_json(api: Api) -> None:
    # 1,000 rows of 16 KiB each: 16 MiB under the row cap. Before the byte cap, 1,000 rows of
    # 512 KiB took the API to 1.8 GB.
    statement = (
        "UNWIND range(1, 1000) AS i RETURN i, reduce(s = 'x', j IN range(1, 14) | s + s) AS s"
    )
    response = api.cypher(statement, token=api.investigator)
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    assert body["truncated"] is True
    assert body["truncated_by"] == "bytes"
    rows = body["rows"]
    assert rows[:2] == [[1, "x" * 16384], [2, "x" * 16384]]
    assert [row[0] for row in rows] == list(range(1, len(rows) + 1))
    # As many rows as fit in the cap: the answer is within it, and one more row would not be.
    row_bytes = len(json.dumps(rows[0], separators=(",", ":")))
    assert len(response.content) <= MAX_BYTES + 200
    assert len(response.content) + row_bytes > MAX_BYTES


def test_bad_statements_are_400(api: Api) -> None:
    syntax = api.cypher("MATCH (n RETURN n", token=api.investigator)
    assert syntax.status_code == 400
    assert "SyntaxError" in syntax.json()["error"]
    two = api.cypher("RETURN 1 AS a; RETURN 2 AS b", token=api.investigator)
    assert two.status_code == 400
    assert "one statement at a time" in two.json()["error"]
    missing = api.cypher("RETURN $absent AS x", token=api.investigator)
    assert missing.status_code == 400


def test_a_slow_statement_is_400_within_the_time_limit(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Neo4j does not stop this reduce() at its transaction timeout; the route's limit does.
    monkeypatch.setattr(cypher_route, "TIMEOUT_S", 0.5)
    busy = "RETURN reduce(total = 0, i IN range(1, 100000000) | total + i) AS total"
    response = api.cypher(busy, token=api.investigator)
    assert response.status_code == 400, response.text
    assert "longer than 0.5 s" in response.json()["error"]
    assert [e["outcome"] for e in api.audit()] == ["error"]


@pytest.mark.parametrize(
    "statement",
    [
        # A string doubled 40 times: Neo4j's memory pools do not count it; the heap stops it.
        "RETURN reduce(s = 'x', i IN range(1, 40) | s + s) AS s",
        # collect() of 30 million integers: the per-transaction cap stops it.
        "UNWIND range(1, 30000000) AS i RETURN collect(i) AS all",
    ],
)
def test_statements_building_huge_values_are_400_and_neo4j_keeps_answering(
    api: Api, driver: Driver, statement: str
) -> None:
    response = api.cypher(statement, token=api.investigator)
    assert response.status_code == 400, response.text[:300]
    assert "more memory than Neo4j gives one statement" in response.json()["error"]
    after = api.cypher("MATCH (n) RETURN count(n) AS n", token=api.investigator)
    assert after.status_code == 200, after.text
    # Writes too: the database is not left unhealthy.
    assert seed(driver, api.settings) == node_count(driver, api.settings)


def test_neo4j_errors_never_echo_a_parameter_value(api: Api) -> None:
    # Neo4j's own message would be: Text cannot be parsed to a Date "Witness-Name-7f3a".
    response = api.cypher("RETURN date($when) AS d", token=api.investigator, when=SECRET_VALUE)
    assert response.status_code == 400
    assert SECRET_VALUE not in response.text
    assert "Neo.ClientError.Statement.SyntaxError" in response.json()["error"]
    point = api.cypher("RETURN point($at) AS p", token=api.investigator, at={SECRET_VALUE: 1})
    assert point.status_code == 400
    assert SECRET_VALUE not in point.text
    assert SECRET_VALUE not in audit_path(api.settings).read_text(encoding="utf-8")


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


def test_openapi_documents_the_caps(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    post = spec["paths"]["/cypher"]["post"]
    assert "10 MiB" in post["description"]
    assert "memory" in post["responses"]["400"]["description"]
    fields = spec["components"]["schemas"]["CypherResult"]["properties"]
    assert "10 MiB" in fields["truncated_by"]["description"]
    assert "truncated_by" not in spec["components"]["schemas"]["CypherResult"].get("required", [])
