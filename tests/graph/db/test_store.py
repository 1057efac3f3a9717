"""The schema derived from the ontology, created on the real Neo4j."""

from __future__ import annotations

import pytest
from neo4j import Driver

from graph.db import queries, store
from graph.db.settings import Settings
from graph.db.store import translated_errors
from graph.errors import SchemaMissingError
from ontology.model import load


def test_schema_from_the_ontology_is_created_and_idempotent(
    driver: Driver, settings: Settings
) -> None:
    ontology = load()
    store.apply_schema(driver, settings, ontology)
    assert store.apply_schema(driver, settings, ontology) == []  # all there: nothing to run
    constraints = driver.execute_query(
        "SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type", database_="neo4j"
    ).records
    unique = {(r["labelsOrTypes"][0], r["properties"][0]) for r in constraints}
    assert unique == set(ontology.indexed("unique"))
    indexes = driver.execute_query(
        "SHOW INDEXES YIELD name, type, labelsOrTypes, properties", database_="neo4j"
    ).records
    ranges = {
        (r["labelsOrTypes"][0], r["properties"][0])
        for r in indexes
        if r["type"] == "RANGE" and r["name"].endswith("_range")
    }
    assert ranges == set(ontology.indexed("range"))
    (fulltext,) = [r for r in indexes if r["type"] == "FULLTEXT"]
    assert set(fulltext["labelsOrTypes"]) == set(ontology.fulltext_labels())
    assert set(fulltext["properties"]) == {"name", "aliases", "search_keys"}


def test_counts_by_label_cover_every_ontology_label(driver: Driver, settings: Settings) -> None:
    counts = store.counts_by_label(driver, settings, load().labels)
    assert counts == dict.fromkeys(load().labels, 0)


def test_a_database_nothing_was_loaded_into_says_to_load_first(
    driver: Driver, settings: Settings
) -> None:
    driver.execute_query(f"DROP INDEX {queries.NAME_SEARCH_INDEX} IF EXISTS")
    try:
        with (
            pytest.raises(SchemaMissingError, match="silsila load"),
            translated_errors(settings),
        ):
            driver.execute_query(
                "CALL db.index.fulltext.queryNodes($index, 'x') YIELD node RETURN node",
                index=queries.NAME_SEARCH_INDEX,
            )
    finally:
        store.apply_schema(driver, settings, load())
