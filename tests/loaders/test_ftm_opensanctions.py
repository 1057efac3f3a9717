"""The FollowTheMoney importer and exporter on OpenSanctions' real published entities.

`../shared/peers/opensanctions-yente/entities.ftm.jsonl` (1,129 entities of a real "sanctions"
update, see its README) and the excerpts in its `repro/` folder. What each test expects is
computed here from the entities themselves, not from the importer.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from followthemoney import model
from followthemoney.types import registry
from neo4j import Driver

from graph.db import store
from graph.db.export import read_graph
from graph.db.settings import Settings
from loaders.errors import SKIPPED, InvalidRecordsError
from loaders.ftm import FORMAT, export_ftm
from loaders.ftm.ids import derived_id, silsila_id
from loaders.ftm.mapping import UNIMPORTED_SCHEMA
from loaders.ftm.row import INVALID_UNMAPPED, MISSING_TARGET
from loaders.importing import run_import
from ontology.model import load as load_ontology
from tests.conftest import REPO
from tests.loaders.test_records import graph_state

PEERS = REPO.parent / "shared" / "peers" / "opensanctions-yente"
ENTITIES = PEERS / "entities.ftm.jsonl"
REPRO = PEERS / "repro"
pytestmark = pytest.mark.skipif(
    not PEERS.is_dir(), reason=f"OpenSanctions' entities not found: {PEERS}"
)
ORGANIZATIONS = ("Organization", "LegalEntity", "Company")


def entities(path: Path = ENTITIES) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def query(driver: Driver, cypher: str, **parameters: Any) -> list[dict[str, Any]]:
    return [r.data() for r in driver.execute_query(cypher, parameters, database_="neo4j").records]


def of_schema(found: list[dict[str, Any]], *schemas: str) -> list[dict[str, Any]]:
    return [e for e in found if e["schema"] in schemas]


def values(entity: dict[str, Any], name: str) -> list[str]:
    return list(entity["properties"].get(name, []))


def test_every_person_organisation_and_sanction_is_imported_and_the_export_round_trips(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    found = entities()
    ids = {e["id"] for e in found}
    persons, organizations = of_schema(found, "Person"), of_schema(found, *ORGANIZATIONS)
    sanctions = of_schema(found, "Sanction")
    targeted = [s for s in sanctions if values(s, "entity")[0] in ids]
    assert (len(persons), len(organizations), len(sanctions), len(targeted)) == (451, 125, 547, 539)

    started = time.perf_counter()
    summary = run_import(settings, FORMAT, [ENTITIES])  # without --skip-invalid
    took = time.perf_counter() - started
    print(f"OpenSanctions: {summary.rows:,} entities imported in {took:.1f} s")
    assert (summary.problem_count, summary.rejected_rows) == (0, set())

    # what is left out is said, counted by reason
    bad_phones = [v for e in found for v in values(e, "phone") if not registry.phone.validate(v)]
    unimported = [e for e in found if e["schema"] in ("UnknownLink", "Passport", "Ownership")]
    assert summary.read_warning_reasons == Counter(
        {
            INVALID_UNMAPPED: len(bad_phones),
            MISSING_TARGET: len(sanctions) - len(targeted),
            UNIMPORTED_SCHEMA: len(unimported),
        }
    )
    assert (len(bad_phones), len(unimported)) == (16, 4)

    graph_persons = {
        r["id"]: r["p"]
        for r in query(driver, "MATCH (n:Person) RETURN n.id AS id, properties(n) AS p")
    }
    assert set(graph_persons) == {silsila_id("Person", e["id"]) for e in persons}
    graph_orgs = {r["id"] for r in query(driver, "MATCH (n:Organization) RETURN n.id AS id")}
    assert {silsila_id("Organization", e["id"]) for e in organizations} <= graph_orgs
    sanctioned = {
        (r["id"], r["target"])
        for r in query(
            driver, "MATCH (s:Sanction)-[:SANCTIONS]->(t) RETURN s.id AS id, t.id AS target"
        )
    }
    label = {e["id"]: "Person" if e["schema"] == "Person" else "Organization" for e in found}
    assert sanctioned == {
        (silsila_id("Sanction", s["id"]), silsila_id(label[t], t))
        for s in targeted
        for t in values(s, "entity")
    }
    assert_lists_stay_lists(driver, persons, graph_persons, targeted)
    assert_authorities_are_made_from_their_own_values(driver, sanctions, targeted)

    before = graph_state(driver)
    nodes, links = read_graph(driver, settings, load_ontology())
    exported = list(export_ftm(nodes, links))
    assert_valid_ftm(exported)
    out = tmp_path / "export.ftm.jsonl"
    out.write_text("".join(json.dumps(e) + "\n" for e in exported), encoding="utf-8")
    store.delete_all(driver, settings)
    again = run_import(settings, FORMAT, [out])
    assert (again.problem_count, again.read_warning_count) == (0, 0)
    assert graph_state(driver) == before


def assert_lists_stay_lists(
    driver: Driver,
    persons: list[dict[str, Any]],
    graph_persons: dict[str, dict[str, Any]],
    sanctions: list[dict[str, Any]],
) -> None:
    """Birth dates, nationalities and programs are lists in the graph, every value kept, each
    date with its precision; a sanction's `date` is its listing date."""
    several = 0
    for person in persons:
        node = graph_persons[silsila_id("Person", person["id"])]
        born = list(dict.fromkeys(d[:10] for d in values(person, "birthDate")))
        assert node.get("birth_date", []) == born, person["id"]
        several += len(born) > 1
        nationality = values(person, "nationality") + values(person, "citizenship")
        assert node.get("nationality", []) == list(dict.fromkeys(nationality)), person["id"]
        if born:  # `1953` spans its year, `1958-05-14` its day
            assert node["birth_date_earliest"].to_native().isoformat() == min(
                _first_day(d) for d in born
            )
            assert node["birth_date_latest"].to_native().isoformat() == max(
                _last_day(d) for d in born
            )
    assert several == 150
    graph_sanctions = {
        r["id"]: r["s"]
        for r in query(driver, "MATCH (s:Sanction) RETURN s.id AS id, properties(s) AS s")
    }
    dated = 0
    for sanction in sanctions:
        node = graph_sanctions[silsila_id("Sanction", sanction["id"])]
        assert node.get("program", []) == values(sanction, "program"), sanction["id"]
        listed = values(sanction, "listingDate") or values(sanction, "date")
        assert node.get("listing_date") == (listed[0] if listed else None), sanction["id"]
        assert "date: " not in node.get("description", ""), sanction["id"]
        dated += bool(values(sanction, "date"))
    assert dated == 43  # their `date` is their listing date, as data
    assert max(len(values(s, "program")) for s in sanctions) == 2


def _first_day(date: str) -> str:
    return {4: f"{date}-01-01", 7: f"{date}-01"}.get(len(date), date)


def _last_day(date: str) -> str:
    if len(date) == 4:
        return f"{date}-12-31"
    return date  # the persons' partial dates here are years or whole days


def assert_authorities_are_made_from_their_own_values(
    driver: Driver, sanctions: list[dict[str, Any]], targeted: list[dict[str, Any]]
) -> None:
    """One Organization per authority named first on each Sanction, its country the one
    every Sanction naming it gives; every imported sanction links to its authority."""
    countries: dict[str, set[str]] = {}
    for sanction in sanctions:
        for name in values(sanction, "authority"):
            countries.setdefault(name, set()).update(values(sanction, "country"))
    found = {
        r["name"]: r
        for r in query(
            driver,
            "MATCH (s:Sanction)-[:BY_AUTHORITY]->(o:Organization) "
            "RETURN DISTINCT o.id AS id, o.name AS name, o.country AS country, o.org_kind AS kind",
        )
    }
    first = {values(s, "authority")[0] for s in targeted}
    assert set(found) == first
    for name, authority in found.items():
        assert authority["id"] == derived_id("Organization", "authority", name)
        (country,) = countries[name]
        assert (authority["country"], authority["kind"]) == (country, "state")
    linked = query(driver, "MATCH (s:Sanction) WHERE NOT (s)-[:BY_AUTHORITY]->() RETURN s.id AS id")
    assert linked == []


def assert_valid_ftm(exported: list[dict[str, Any]]) -> None:
    """Every entity as FtM's own model reads it: values unchanged by its cleaning, each valid
    for its type (length included), the schema's required properties given, every reference
    to an entity of the export."""
    ids = {e["id"] for e in exported}
    assert len(ids) == len(exported)
    for entity in exported:
        proxy = model.get_proxy(entity, cleaned=False)
        assert proxy.to_dict()["properties"] == entity["properties"], entity["id"]
        proxy.schema.validate({"properties": entity["properties"]})  # raises if invalid
        assert all(proxy.has(name) for name in proxy.schema.required), entity["id"]
        for prop, value in proxy.itervalues():
            assert prop.type.validate(value), (entity["id"], prop.name, value[:80])
            if prop.type == registry.entity:
                assert value in ids, (entity["id"], prop.name, value)
    assert Counter(e["schema"] for e in exported)["Document"] > 45  # the sources


def test_a_sanction_whose_first_authority_sanction_is_invalid_still_has_its_authority(
    driver: Driver, settings: Settings
) -> None:
    """`repro/authority-cascade`: the organisation of the first OFAC sanction has a phone
    number FtM refuses, which used to take that sanction, the OFAC authority it created, and
    so every later OFAC sanction with it."""
    path = REPRO / "authority-cascade.ftm.jsonl"
    found = entities(path)
    summary = run_import(settings, FORMAT, [path])
    assert summary.problem_count == 0
    ((warning, reason),) = [(str(w), w.reason) for w in summary.read_warnings]
    assert "phone: '+7 351 253 78 42 (télécopieur)' is not a valid phone; left out" in warning
    assert reason == INVALID_UNMAPPED
    ofac = derived_id("Organization", "authority", "Office of Foreign Assets Control (OFAC)")
    linked = query(
        driver,
        "MATCH (s:Sanction)-[:BY_AUTHORITY]->(a {id: $ofac}) RETURN s.id AS id ORDER BY id",
        ofac=ofac,
    )
    expected = sorted(silsila_id("Sanction", e["id"]) for e in of_schema(found, "Sanction"))
    assert [r["id"] for r in linked] == expected
    assert len(expected) == 2


def test_a_sanction_on_a_rejected_entity_is_skipped_saying_why(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    """`repro/two-targets` with its person's names taken out: the person is rejected (a
    Person needs its name) and each of her sanctions is skipped because of it, counted apart."""
    found = entities(REPRO / "two-targets.ftm.jsonl")
    (person,) = of_schema(found, "Person")
    person["properties"]["name"] = []
    path = tmp_path / "two-targets.ftm.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in found), encoding="utf-8")
    line = 1 + found.index(person)
    on_her = [
        1 + i
        for i, e in enumerate(found)
        if e["schema"] == "Sanction" and values(e, "entity") == [person["id"]]
    ]
    assert len(on_her) == 2

    with pytest.raises(InvalidRecordsError):
        run_import(settings, FORMAT, [path])
    summary = run_import(settings, FORMAT, [path], skip_invalid=True)
    rejected = [p for p in summary.problems if p.reason != SKIPPED]
    assert [(p.line, p.field) for p in rejected] == [(line, "name")]
    skipped = sorted((p.line, p.field, p.problem) for p in summary.problems if p.reason == SKIPPED)
    her_id = silsila_id("Person", person["id"])
    assert skipped == [
        (n, "entity", f"skipped because {her_id} (line {line}) was rejected") for n in on_her
    ]
    assert "unknown id" not in " ".join(p.problem for p in summary.problems)
    assert summary.rejected_counts.skipped == 2
    assert sum(summary.rejected_counts.rejected.values()) == 1
    sanctioned = query(driver, "MATCH (s:Sanction) RETURN count(s) AS n")
    assert sanctioned == [{"n": len(of_schema(found, "Sanction")) - 2}]
