"""`silsila import FORMAT PATH --bulk`: neo4j-admin makes the graph a transactional import makes.

A bulk import stops and starts its server: the `driver` fixture restarts it should a test stop
it and fail, and marks the shared dataset as gone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from bench.import_stream import write_export
from graph.db import store
from graph.db.settings import Settings
from loaders import tabular
from loaders.acled import FORMAT
from loaders.bulk import BulkImportFailedError, BulkRefusedError, run_bulk_import
from loaders.importing import run_import
from tests.conftest import cli_env, silsila
from tests.loaders.csv_rows import first_row_with

DATA = Path(__file__).parent / "event_data"
SYRIA = DATA / "acled_syria.csv"


def graph(driver: Driver) -> dict[str, Any]:
    """Every node (labels, properties with their types) and relationship, and the schema."""
    nodes = driver.execute_query(
        "MATCH (n) RETURN n.id AS id, labels(n) AS labels, properties(n) AS props"
    ).records
    links = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS type, b.id AS b, properties(r) AS props"
    ).records
    schema = driver.execute_query("SHOW INDEXES YIELD name, type, labelsOrTypes, properties")
    return {
        "nodes": {
            r["id"]: (sorted(r["labels"]), {k: typed(v) for k, v in r["props"].items()})
            for r in nodes
        },
        "links": sorted((r["a"], r["type"], r["b"], sorted(r["props"].items())) for r in links),
        "schema": sorted(str(r.data()) for r in schema.records),
    }


def typed(value: Any) -> tuple[Any, ...]:
    """A value with its type and its items' (a long and a double that are equal differ)."""
    if isinstance(value, list):
        return (value, "list", *(type(v).__name__ for v in value))
    return (value, type(value).__name__)


@pytest.mark.restarts_neo4j
def test_a_bulk_import_makes_the_graph_a_transactional_import_makes(
    driver: Driver, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the real sample and synthetic rows, in chunks of 10 rows: actors and places come again
    # in later chunks, some typed differently, as the write pass then rewrites them; an actor
    # whose name has no letter has no search keys, an empty list no CSV cell carries
    monkeypatch.setattr(tabular, "CHUNK_ROWS", 10)
    odd = first_row_with(SYRIA, tmp_path / "odd.csv", event_id_cnty="SYR999001", actor2="...")
    generated = tmp_path / "generated.csv"
    write_export(generated, 36)
    paths = [SYRIA, odd, generated]
    run_import(settings, FORMAT, paths)
    transactional = graph(driver)
    store.delete_all(driver, settings)

    done = silsila("import", "acled", *map(str, paths), "--bulk", env=cli_env(settings), check=True)

    assert "Bulk: checked in" in done.stdout
    with store.connect(settings) as restarted:  # the server was restarted
        bulk = graph(restarted)
    assert bulk == transactional
    nodes = transactional["nodes"]
    assert len(nodes) > 300
    labels = {label for found, _ in nodes.values() for label in found}
    assert {"Event", "Organization", "Place", "Citation", "Source"} <= labels
    event = nodes["event:acled-syr123001"][1]
    assert event["start_earliest"][1] == "Date"
    assert any("killed" in props for _, props in nodes.values())
    assert transactional["schema"]


def test_bulk_refuses_a_database_that_is_not_empty(driver: Driver, settings: Settings) -> None:
    run_import(settings, FORMAT, [SYRIA])
    before = graph(driver)

    with pytest.raises(BulkRefusedError, match="only loads into an empty one") as refused:
        run_bulk_import(settings, FORMAT, [SYRIA])

    assert "without --bulk" in str(refused.value)
    assert graph(driver) == before  # not stopped, nothing written


@pytest.mark.restarts_neo4j
def test_a_failed_neo4j_admin_leaves_the_database_empty_and_served(
    driver: Driver, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one event in two chunks: a transactional import merges it, neo4j-admin refuses the id
    monkeypatch.setattr(tabular, "CHUNK_ROWS", 2)
    rows = SYRIA.read_text(encoding="utf-8").splitlines()
    twice = tmp_path / "twice.csv"
    twice.write_text("\n".join([*rows[:3], rows[1]]) + "\n", encoding="utf-8")

    with pytest.raises(BulkImportFailedError, match="without --bulk") as failed:
        run_bulk_import(settings, FORMAT, [twice])

    assert "citation:" not in str(failed.value)  # the id neo4j-admin names is not repeated
    assert "event:" not in str(failed.value)
    with store.connect(settings) as restarted:
        assert store.node_count(restarted, settings) == 0
    run_import(settings, FORMAT, [SYRIA])  # served again, with its schema
    with store.connect(settings) as restarted:
        assert store.node_count(restarted, settings) > 0
