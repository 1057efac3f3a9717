"""Running a caller's Cypher read-only on the real Neo4j: reads run, everything else is refused."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import pytest
from neo4j import Driver

from graph.db import store
from graph.db.readonly import (
    ALLOWED_PROCEDURES,
    ReadOnlyResult,
    check_single_statement,
    json_size,
    run_read_only,
    statement_digest,
)
from graph.db.settings import Settings
from graph.errors import InvalidStatementError, QueryError, ReadOnlyViolationError
from ontology.model import load as load_ontology


def run(
    settings: Settings,
    statement: str,
    parameters: Mapping[str, Any] | None = None,
    **options: Any,
) -> ReadOnlyResult:
    async def go() -> ReadOnlyResult:
        driver = store.open_async_driver(settings)
        try:
            return await run_read_only(driver, settings, statement, parameters or {}, **options)
        finally:
            await driver.close()

    return asyncio.run(go())


def seed(driver: Driver, settings: Settings) -> None:
    driver.execute_query(
        "CREATE (a:Actor:Person {id: 'person:a', name: 'Ali', born: date('1970-03-01')})"
        "-[:COMMANDED {since: datetime('2012-01-01T00:00:00Z')}]->"
        "(u:Unit {id: 'unit:u', name: 'Unit 1'}), (:Actor:Person {id: 'person:b', name: 'Badr'})",
        database_=settings.neo4j_database,
    )


def snapshot(driver: Driver, settings: Settings) -> dict[str, Any]:
    """Everything a refused statement could have changed: nodes, properties, labels, indexes."""
    db = settings.neo4j_database
    nodes = driver.execute_query(
        "MATCH (n) RETURN n.id AS id, labels(n) AS labels, properties(n) AS props ORDER BY id",
        database_=db,
    ).records
    rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n", database_=db).records
    labels = driver.execute_query("CALL db.labels() YIELD label RETURN label", database_=db)
    indexes = driver.execute_query("SHOW INDEXES YIELD name RETURN name", database_=db).records
    return {
        "nodes": [r.data() for r in nodes],
        "rels": rels[0]["n"],
        "labels": sorted(r["label"] for r in labels.records),
        "indexes": sorted(r["name"] for r in indexes),
    }


def test_a_read_returns_columns_and_rows(driver: Driver, settings: Settings) -> None:
    seed(driver, settings)
    result = run(settings, "MATCH (n) RETURN count(n) AS n")
    assert result == ReadOnlyResult(columns=["n"], rows=[[3]], truncated=False)


def test_values_come_back_json_safe(driver: Driver, settings: Settings) -> None:
    seed(driver, settings)
    result = run(
        settings,
        "MATCH p = (a:Person {id: $id})-[r:COMMANDED]->(u) "
        "RETURN a, r, p, a.born AS born, r.since AS since, duration('P1Y2D') AS d, "
        "point({x: 1, y: 2}) AS pt, 0.0 / 0.0 AS nan, $list AS list",
        {"id": "person:a", "list": [1, "two", None, {"k": True}]},
    )
    assert result.columns == ["a", "r", "p", "born", "since", "d", "pt", "nan", "list"]
    a, r, p, born, since, d, pt, nan, values = result.rows[0]
    assert a["labels"] == ["Actor", "Person"]
    assert a["properties"] == {"id": "person:a", "name": "Ali", "born": "1970-03-01"}
    assert isinstance(a["id"], str)
    assert r["type"] == "COMMANDED"
    assert r["start"] == a["id"]
    assert r["end"] == p["nodes"][1]["id"]
    assert r["properties"] == {"since": "2012-01-01T00:00:00.000000000+00:00"}
    assert [n["properties"]["id"] for n in p["nodes"]] == ["person:a", "unit:u"]
    assert [rel["type"] for rel in p["relationships"]] == ["COMMANDED"]
    assert born == "1970-03-01"
    assert since == "2012-01-01T00:00:00.000000000+00:00"
    assert d == "P1Y2D"
    assert pt == {"srid": 7203, "coordinates": [1.0, 2.0]}
    assert nan == "NaN"
    assert values == [1, "two", None, {"k": True}]


WRITES_AND_BARRED = [
    "CREATE (n:Person {id: 'x'})",
    "MERGE (n:Person {id: 'person:a'}) SET n.name = 'changed'",
    "MATCH (n) SET n.name = 'changed'",
    "MATCH (n) REMOVE n.name",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n) CALL (n) { SET n.flag = true } RETURN count(*) AS c",
    "MATCH (n) FOREACH (x IN [1] | SET n.flag = x)",
    "CREATE INDEX probe_index FOR (n:Person) ON (n.probe)",
    "CALL db.createLabel('Injected')",
    "CALL db.createProperty('injected')",
    # Read-only procedures that are not on the allow-list.
    "CALL db.ping()",
    "CALL dbms.listConfig()",
    "CALL dbms.showCurrentUser()",
    "CALL db.clearQueryCaches()",
    "MATCH (n) WITH n LIMIT 1 CALL db.ping() YIELD success RETURN success",
    # Reads Neo4j classes as "r" that reach outside the graph or administer the server.
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "SHOW TRANSACTIONS YIELD currentQuery, parameters RETURN currentQuery, parameters",
    "SHOW SETTINGS",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
]


@pytest.mark.parametrize("statement", WRITES_AND_BARRED)
def test_writes_and_barred_calls_are_refused_and_change_nothing(
    driver: Driver, settings: Settings, statement: str
) -> None:
    seed(driver, settings)
    before = snapshot(driver, settings)
    assert len(before["nodes"]) == 3
    with pytest.raises(ReadOnlyViolationError):
        run(settings, statement)
    assert snapshot(driver, settings) == before


def test_refusals_say_why(driver: Driver, settings: Settings) -> None:
    with pytest.raises(ReadOnlyViolationError, match="writes"):
        run(settings, "CREATE (n:Person {id: 'x'})")
    with pytest.raises(ReadOnlyViolationError, match=r"Procedure db\.ping is not allowed"):
        run(settings, "CALL db.ping()")
    with pytest.raises(ReadOnlyViolationError, match="LOAD CSV"):
        run(settings, "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line")


def test_allowed_procedures_run(driver: Driver, settings: Settings) -> None:
    store.apply_schema(driver, settings, load_ontology())
    seed(driver, settings)
    labels = run(settings, "CALL db.labels() YIELD label RETURN label ORDER BY label")
    assert ["Person"] in labels.rows
    assert ["Unit"] in labels.rows
    components = run(settings, "CALL dbms.components() YIELD name, edition RETURN name, edition")
    assert components.rows == [["Neo4j Kernel", "community"]]
    for procedure in ("db.relationshipTypes", "db.propertyKeys", "db.schema.visualization"):
        assert procedure in ALLOWED_PROCEDURES
        assert run(settings, f"CALL {procedure}()").columns
    driver.execute_query("CALL db.awaitIndexes(60)", database_=settings.neo4j_database)
    found = run(
        settings,
        "CALL db.index.fulltext.queryNodes('name_search', $q) YIELD node RETURN node.id AS id",
        {"q": "Badr"},
    )
    assert ["person:b"] in found.rows


def test_rows_stop_at_the_cap(driver: Driver, settings: Settings) -> None:
    capped = run(settings, "UNWIND range(1, 10) AS x RETURN x", max_rows=4)
    assert capped.rows == [[1], [2], [3], [4]]
    assert capped.truncated is True
    assert capped.truncated_by == "rows"
    exact = run(settings, "UNWIND range(1, 4) AS x RETURN x", max_rows=4)
    assert len(exact.rows) == 4
    assert exact.truncated is False
    assert exact.truncated_by is None


def test_rows_stop_at_the_byte_cap(driver: Driver, settings: Settings) -> None:
    statement = "UNWIND range(1, 9) AS x RETURN x, $text AS text"
    text = "ناجي-" * 2  # not ASCII: bytes, not characters, are counted
    row_bytes = len(json.dumps([1, text], ensure_ascii=False, separators=(",", ":")).encode())
    # Three rows and their commas fit in 3 * (row_bytes + 1); a fourth would pass it.
    capped = run(settings, statement, {"text": text}, max_bytes=3 * (row_bytes + 1))
    assert capped.rows == [[1, text], [2, text], [3, text]]
    assert capped.truncated is True
    assert capped.truncated_by == "bytes"
    # The row cap, reached first, is the one named.
    by_rows = run(settings, statement, {"text": text}, max_rows=2, max_bytes=3 * (row_bytes + 1))
    assert (len(by_rows.rows), by_rows.truncated_by) == (2, "rows")
    whole = run(settings, statement, {"text": text}, max_bytes=9 * (row_bytes + 1))
    assert (len(whole.rows), whole.truncated, whole.truncated_by) == (9, False, None)


def test_a_row_larger_than_the_byte_cap_leaves_no_row(driver: Driver, settings: Settings) -> None:
    huge = run(settings, "RETURN reduce(s = 'x', i IN range(1, 20) | s + s) AS s", max_bytes=1000)
    assert huge == ReadOnlyResult(columns=["s"], rows=[], truncated=True, truncated_by="bytes")


def test_json_size_counts_bytes_as_written_and_stops_early_past_the_limit() -> None:
    row = [1, "Jabal al-Zawiya — جبل الزاوية", {"k": [None, 2.5, True]}]
    written = json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert json_size(row, 10_000) == len(written)
    # A row whose text alone passes the limit is not written out to be measured.
    assert json_size(["x" * 5000], 100) == 101


def test_one_statement_at_a_time(driver: Driver, settings: Settings) -> None:
    seed(driver, settings)
    before = snapshot(driver, settings)
    for text in (
        "MATCH (n) RETURN count(n) AS n; MATCH (n) DETACH DELETE n",
        "RETURN 1 AS x; RETURN 2 AS y",
        "RETURN 1 AS x;;",
    ):
        with pytest.raises(InvalidStatementError, match="one statement at a time"):
            run(settings, text)
    assert snapshot(driver, settings) == before
    # Semicolons in strings, names and comments, and one at the end, are fine.
    assert run(settings, "RETURN 'a;b' AS `x;y` // c;d\n;").rows == [["a;b"]]
    check_single_statement('RETURN "it\\";s" AS s /* ; */')


def test_syntax_errors_are_query_errors(driver: Driver, settings: Settings) -> None:
    with pytest.raises(QueryError, match="SyntaxError"):
        run(settings, "MATCH (n RETURN n")
    with pytest.raises(InvalidStatementError, match="ParameterMissing"):
        run(settings, "RETURN $absent AS x")


def test_a_slow_statement_is_stopped(driver: Driver, settings: Settings) -> None:
    slow = "UNWIND range(1, 10000000000) AS x WITH x WHERE x < 0 RETURN count(*) AS c"
    with pytest.raises(InvalidStatementError, match=r"longer than 0\.5 s"):
        run(settings, slow, timeout_s=0.5)


def test_the_deadline_holds_where_neo4j_does_not_check_its_timeout(
    driver: Driver, settings: Settings
) -> None:
    # Neo4j checks a transaction's timeout between rows, never inside one expression: this
    # reduce() runs for seconds past a Neo4j timeout. The runner's own deadline still ends it.
    busy = "RETURN reduce(total = 0, i IN range(1, 100000000) | total + i) AS total"
    with pytest.raises(InvalidStatementError, match=r"longer than 0\.2 s"):
        run(settings, busy, timeout_s=0.2)
    assert run(settings, "RETURN 1 AS one").rows == [[1]]


def test_unsendable_parameters_are_refused_without_echoing_them(
    driver: Driver, settings: Settings
) -> None:
    huge = 2**70
    with pytest.raises(InvalidStatementError, match=r"\$big") as refused:
        run(settings, "RETURN $big AS x", {"big": huge})
    assert str(huge) not in str(refused.value)


SECRET = "Witness-Alias-51c9"


@pytest.mark.parametrize(
    ("statement", "parameters", "code"),
    [
        ("RETURN date($when) AS d", {"when": SECRET}, "SyntaxError"),
        ("RETURN point($where) AS p", {"where": {SECRET: 1}}, "ArgumentError"),
        ("RETURN 'x' =~ $pattern AS m", {"pattern": SECRET + "(("}, "SemanticError"),
        ("RETURN 1 AS x LIMIT $n", {"n": -7340911}, "ArgumentError"),
        (
            "CALL db.index.fulltext.queryNodes($index, 'x') YIELD node RETURN node",
            {"index": SECRET},
            "ProcedureCallFailed",
        ),
    ],
)
def test_neo4j_messages_that_quote_a_parameter_are_withheld(
    driver: Driver, settings: Settings, statement: str, parameters: dict[str, Any], code: str
) -> None:
    # Neo4j's own messages for these quote the value: "Text cannot be parsed to a Date
    # "Witness-Alias-51c9"", "'-7340911' is not a valid value", …
    with pytest.raises(InvalidStatementError) as refused:
        run(settings, statement, parameters)
    message = str(refused.value)
    assert SECRET not in message
    assert "7340911" not in message
    assert code in message
    assert "withheld" in message


def test_a_message_about_the_statement_is_withheld_if_it_holds_a_parameter_value(
    driver: Driver, settings: Settings
) -> None:
    # A syntax error quotes the statement, which here (against the advice) holds the value.
    with pytest.raises(InvalidStatementError) as refused:
        run(settings, f"RETURN '{SECRET}' + AS x", {"name": SECRET})
    assert SECRET not in str(refused.value)
    assert "SyntaxError" in str(refused.value)
    # Without such a parameter, Neo4j's words about the statement are passed on.
    with pytest.raises(InvalidStatementError, match="Invalid input"):
        run(settings, f"RETURN '{SECRET}' + AS x")


def test_statement_digest_is_the_sha256_of_the_text() -> None:
    assert statement_digest("RETURN 1") == hashlib.sha256(b"RETURN 1").hexdigest()
