"""The default dataset in the real Neo4j: contested figures side by side, one node per thing."""

from __future__ import annotations

from typing import Any

import pytest
from neo4j import Driver

from graph.db import store
from graph.db.settings import Settings
from loaders.records import read_paths
from ontology.model import load as load_ontology
from tests.conftest import REPO


@pytest.fixture
def loaded(default_dataset: Driver) -> Driver:
    return default_dataset


def rows(driver: Driver, query: str, **params: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in driver.execute_query(query, params).records]


def figures(driver: Driver, event_id: str) -> set[tuple[Any, ...]]:
    found = rows(
        driver,
        "MATCH (:Event {id: $id})<-[:OF_EVENT]-(c:CasualtyCount) "
        "OPTIONAL MATCH (c)-[:CLAIMED_BY]->(by) "
        "RETURN c.killed AS killed, c.children AS children, c.count_kind AS kind, by.id AS by",
        id=event_id,
    )
    return {(r["killed"], r["children"], r["kind"], r["by"]) for r in found}


def test_counts_per_type_match_the_records(loaded: Driver, settings: Settings) -> None:
    records = read_paths([REPO / "data" / "default"])
    counts = store.counts_by_label(loaded, settings, load_ontology().labels)
    for label in {r.label for r in records}:
        assert counts[label] == sum(r.label == label for r in records), label
    assert counts["Event"] >= 49 + 13 + 6
    assert counts["Massacre"] >= 49


def test_every_darayya_death_toll_is_kept_side_by_side(loaded: Driver) -> None:
    darayya = figures(loaded, "event:darayya-massacre-2012")
    assert (320, None, "reported", "org:sohr") in darayya
    assert (270, None, "reported", "org:sohr") in darayya
    assert any(f[0] == 200 and f[2] == "bodies_found" for f in darayya)
    assert any(f[0] == 700 and f[1] == 63 for f in darayya)
    named = rows(
        loaded,
        "MATCH (:Event {id: 'event:darayya-massacre-2012'})<-[:OF_EVENT]-(c:CasualtyCount) "
        "WHERE c.named IS NOT NULL RETURN c.named AS named",
    )
    assert [r["named"] for r in named] == [514]


def test_jabal_al_zawiya_keeps_the_state_agency_claim(loaded: Driver) -> None:
    claims = rows(
        loaded,
        "MATCH (c:CasualtyCount)-[:CLAIMED_BY]->(:Organization {id: 'org:sana'}), "
        "(c)-[:OF_EVENT]->(e:Event) "
        "MATCH (c)-[:CITED_IN]->(q:Citation)-[:FROM_SOURCE]->(s:Source) "
        "RETURN c.killed AS killed, q.quote AS quote, s.id AS source",
    )
    assert any(c["killed"] == 1 and "1 terrorist was killed" in c["quote"] for c in claims), claims


@pytest.mark.parametrize(
    ("names", "node_id"),
    [
        (["Rif Dimashq", "Damascus suburbs", "Rural Damascus"], "place:rif-dimashq-governorate"),
        (
            ["Air Force Intelligence Directorate", "SAFI", "Syrian Air Force Intelligence"],
            "org:air-force-intelligence-directorate",
        ),
        (
            ["government forces", "Syrian regime forces", "Assad regime forces", "Baathist Syria"],
            "org:syrian-government-forces",
        ),
    ],
)
def test_many_names_resolve_to_one_node(loaded: Driver, names: list[str], node_id: str) -> None:
    for name in names:
        found = rows(
            loaded,
            "MATCH (n) WHERE n.id = $id AND (n.name = $name OR $name IN n.aliases) "
            "RETURN n.id AS id",
            id=node_id,
            name=name,
        )
        assert found == [{"id": node_id}], name


def test_post_2024_forces_are_a_different_actor(loaded: Driver) -> None:
    actors = rows(
        loaded,
        "MATCH (a:Actor) WHERE a.id IN ['org:syrian-government-forces', "
        "'org:post-2024-government-forces'] RETURN a.id AS id, a.name AS name",
    )
    assert len(actors) == 2
    coast = rows(
        loaded,
        "MATCH (:Actor {id: 'org:post-2024-government-forces'})<-[:OF_ACTOR]-(a:Attribution)"
        "-[:OF_EVENT]->(e:Event) RETURN count(DISTINCT e) AS events",
    )
    assert coast[0]["events"] > 0


def test_restricted_witnesses_carry_the_flag(loaded: Driver) -> None:
    witnesses = rows(
        loaded,
        "MATCH (p:Person) WHERE p.name CONTAINS 'Abu Amin' RETURN p.restricted AS restricted",
    )
    assert witnesses == [{"restricted": True}]
