"""The review list: a person is never merged by name; a person decides, and it is remembered."""

from __future__ import annotations

from typing import Any

from neo4j import Driver

from graph.db.settings import Settings
from loaders import importing, review
from tests.conftest import cli_env, silsila
from tests.loaders.test_importing import SOURCE, RowsFormat, cite, load_default, nodes_with_id

IMPORTED = "person:test-qahtan-khalil"


def designation() -> RowsFormat:
    """A sanction on a person the import names like the curated Qahtan Khalil."""
    person = {
        "type": "Person",
        "id": IMPORTED,
        "name": "Qahtan KHALIL",
        "birth_date": ["1961"],
        "citations": cite(1),
    }
    sanction: dict[str, Any] = {
        "type": "Sanction",
        "id": "sanction:test-1",
        "entity": IMPORTED,
        "program": ["TEST-PROGRAM"],
        "listing_date": "2021-07-28",
        "citations": cite(2),
    }
    return RowsFormat([[SOURCE, person, sanction]])


def run_cli(settings: Settings, *args: str) -> str:
    result = silsila("review", *args, env=cli_env(settings), check=True)
    return result.stdout


def test_same_name_person_waits_on_the_review_list_then_accept_folds_it_in(
    driver: Driver, settings: Settings
) -> None:
    load_default(settings)
    summary = importing.run_import(settings, designation(), [])
    assert summary.reused == {}
    [candidate] = summary.candidates
    assert (candidate.imported_id, candidate.existing_id) == (IMPORTED, "person:qahtan-khalil")
    assert "same name" in candidate.reason
    assert nodes_with_id(driver, IMPORTED) == 1  # kept apart until someone decides
    listing = run_cli(settings)
    assert candidate.id in listing
    assert "1 pending" in listing

    run_cli(settings, "accept", candidate.id)
    assert nodes_with_id(driver, IMPORTED) == 0
    sanctioned = driver.execute_query(
        "MATCH (:Sanction {id: 'sanction:test-1'})-[:SANCTIONS]->(p) RETURN p.id AS id"
    ).records[0]["id"]
    assert sanctioned == "person:qahtan-khalil"
    aliases = driver.execute_query(
        "MATCH (p:Person {id: 'person:qahtan-khalil'}) RETURN p.aliases AS a"
    ).records[0]["a"]
    assert "Qahtan KHALIL" in aliases

    again = importing.run_import(settings, designation(), [])
    assert again.reused == {IMPORTED: "person:qahtan-khalil"}
    assert nodes_with_id(driver, IMPORTED) == 0
    assert review.counts(driver, settings) == {"accepted": 1}


def test_a_rejected_pair_stays_apart_and_is_not_asked_again(
    driver: Driver, settings: Settings
) -> None:
    load_default(settings)
    [candidate] = importing.run_import(settings, designation(), []).candidates
    review.reject(driver, settings, candidate.id)
    again = importing.run_import(settings, designation(), [])
    assert again.candidates == []
    assert nodes_with_id(driver, IMPORTED) == 1
    assert review.counts(driver, settings) == {"rejected": 1}
    assert review.candidates(driver, settings) == []
