"""The FollowTheMoney importer and exporter, on entity files written for these tests.

`ftm_data/designation.json` is a US designation of a Syrian officer with his membership of
an agency (values made up for the tests, in the shape OpenSanctions publishes);
`network.json` adds a document, an address, an event, a post and its occupancy, an
employment and a directorship; `attach.json` sanctions a person of the curated dataset by id.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from followthemoney import model
from followthemoney.types import registry
from neo4j import Driver

from graph.db import store
from graph.db.export import read_graph
from graph.db.reader import Reader
from graph.db.settings import Settings
from graph.reads.exposure import person_exposure
from graph.reads.sanctions import sanctions
from loaders import pipeline
from loaders.errors import InvalidRecordsError
from loaders.formats import ImportFormat
from loaders.ftm import FORMAT, FtmFormat, export_ftm
from loaders.ftm.ids import from_ftm, silsila_id, to_ftm
from loaders.ftm.reader import UNKNOWN_PROPERTY
from loaders.ftm.row import INVALID_MAPPED, INVALID_UNMAPPED, MISSING_TARGET
from loaders.importing import run_import
from loaders.limits import MAX_TEXT
from loaders.records import read_paths
from ontology.model import load as load_ontology
from tests.conftest import REPO
from tests.loaders.test_importing import assert_reimport_changes_nothing

DATA = Path(__file__).parent / "ftm_data"
DESIGNATION = DATA / "designation.json"
NETWORK = DATA / "network.json"
OFFICER = silsila_id("Person", "NK-TestQahtanKhalil")
AGENCY = silsila_id("Organization", "NK-TestAFID")
T = TypeVar("T")


def read(settings: Settings, query: Callable[[Reader], Awaitable[T]]) -> T:
    """Run one of graph/'s reads as the unrestricted (researcher) role."""

    async def run() -> T:
        driver = store.open_async_driver(settings)
        try:
            return await query(Reader(driver, settings, public=False))
        finally:
            await driver.close()

    return asyncio.run(run())


def rows(driver: Driver, cypher: str, **params: Any) -> list[dict[str, Any]]:
    return [r.data() for r in driver.execute_query(cypher, params).records]


def load_default(settings: Settings) -> None:
    pipeline.load(settings, load_ontology(), read_paths([REPO / "data" / "default"]))


def test_the_format_is_an_import_format() -> None:
    fmt: ImportFormat = FORMAT
    assert fmt.name == "ftm"


def test_ids_keep_silsila_ids_and_derive_the_others() -> None:
    assert silsila_id("Person", "person:qahtan-khalil") == "person:qahtan-khalil"
    assert silsila_id("Person", "person.qahtan-khalil") == "person:qahtan-khalil"
    assert silsila_id("Person", "abc123") == "person:ftm-abc123"
    # Lowercasing would merge these two, so each gets a hash of the original.
    assert silsila_id("Person", "NK-Ab") != silsila_id("Person", "NK-aB")
    assert silsila_id("Person", "NK-Ab").startswith("person:ftm-nk-ab-")
    assert silsila_id("Organization", "person:x").startswith("org:ftm-person-x-")
    for node_id in ["person:qahtan-khalil", "source:000_a4a2605803ffedf8", "org:a.b-"]:
        assert registry.entity.validate(to_ftm(node_id))
        assert from_ftm(to_ftm(node_id)) == node_id
    assert from_ftm("ofac-12345") is None


def test_chunks_are_self_contained_and_deterministic() -> None:
    small = FtmFormat(chunk_rows=2)  # the Person is read a chunk after its Sanction
    chunks = list(small.read([DESIGNATION, NETWORK]))
    assert [c.rows for c in chunks] == [2, 2, 2, 2, 2, 2, 1]
    ontology = load_ontology()
    for chunk in chunks:
        assert chunk.problems == []
        assert pipeline.validate(chunk.records, ontology) == []
    again = list(small.read([DESIGNATION, NETWORK]))
    assert [c.records for c in again] == [c.records for c in chunks]


def test_a_us_designation_attaches_to_the_officer_and_his_agency(
    driver: Driver, settings: Settings
) -> None:
    summary = run_import(settings, FORMAT, [DESIGNATION])
    assert (summary.rows, summary.row_problems) == (4, [])
    created = summary.created
    assert (created["Person"], created["Sanction"], created["Posting"]) == (1, 1, 1)
    assert created["Organization"] == 2  # the agency and the sanctioning authority

    (sanction,) = read(settings, lambda r: sanctions(r, entities=[OFFICER]))
    assert (sanction.entity.id, sanction.entity.name) == (OFFICER, "Qahtan Khalil")
    assert sanction.authority is not None
    assert sanction.authority.name == (
        "US Department of the Treasury's Office of Foreign Assets Control"
    )
    assert (sanction.program, sanction.listing_date, sanction.start_date) == (
        "SDN",
        "2021-07-28",
        "2021-08-02",
    )
    details = rows(driver, "MATCH (s:Sanction) RETURN properties(s) AS p")[0]["p"]
    assert details["authority_id"] == "TEST-0001"
    assert (details["program_id"], details["provisions"], details["sanction_status"]) == (
        "US-SYRIA",
        ["Block"],
        "active",
    )
    authority = rows(driver, "MATCH (:Sanction)-[:BY_AUTHORITY]->(o) RETURN o.org_kind AS kind")
    assert authority == [{"kind": "state"}]

    exposure = read(settings, lambda r: person_exposure(r, OFFICER))
    (posting,) = exposure.timeline
    assert (posting.organization.id, posting.organization.name) == (
        AGENCY,
        "Air Force Intelligence Directorate",
    )
    assert (posting.role, posting.title) == ("member", "Head")
    assert (posting.tenure.first_cited, posting.tenure.first_cited_is_start) == ("2024-01", True)

    person = rows(driver, "MATCH (p:Person) RETURN properties(p) AS p")[0]["p"]
    assert person["aliases"] == ["قحطان خليل", "Khalil Qahtan"]
    assert (person["birth_date"], person["nationality"], person["positions"]) == (
        ["1966-03"],
        ["sy"],
        ["Head of Air Force Intelligence Directorate"],
    )
    assert person["description"] == "topics: sanction"  # what no field takes is kept
    agency = rows(driver, "MATCH (o:Organization {id: $id}) RETURN o.org_kind AS k", id=AGENCY)
    assert agency == [{"k": "security_agency"}]  # FtM topic gov.security

    cited = rows(
        driver,
        "MATCH (n) WHERE NOT n:Source AND NOT n:Citation "
        "OPTIONAL MATCH (n)-[:CITED_IN]->(c:Citation)-[:FROM_SOURCE]->(s:Source) "
        "RETURN n.id AS id, c.access_point AS access_point, c.locator AS locator, "
        "s.kind AS kind, s.title AS title, s.url AS url, s.publisher AS publisher, "
        "s.retrieved AS retrieved ORDER BY id, kind",
    )
    read_from = {
        "ofac-test-sanction-QK",
        "ofac-test-membership-QK-AFID",
        "NK-TestQahtanKhalil",
        "NK-TestAFID",
    }
    listed = [r for r in cited if r["access_point"] in read_from]
    assert len(listed) == 8  # every value keeps its sources and the FtM entity it was read from
    for row in listed:
        assert row["locator"] == f"FollowTheMoney entity {row['access_point']}"
        if row["kind"] == "FollowTheMoney dataset":  # the line's OpenSanctions dataset
            assert (row["title"], row["url"]) == ("us_ofac_sdn", None)
        else:
            assert row["url"] == "https://sanctionssearch.ofac.treas.gov/"
            assert (row["publisher"], row["retrieved"]) == ("OFAC", "2025-01-15")
    assert {r["access_point"] for r in listed} == read_from
    # the authority is made from its name alone, cited to the file naming it, as the FtM
    # entity the export writes it as
    (authority,) = [r for r in cited if r["access_point"] not in read_from]
    assert authority["id"] == from_ftm(authority["access_point"])
    assert authority["url"] is None
    assert rows(driver, "MATCH (s:Source) RETURN count(s) AS n") == [{"n": 3}]


def test_events_places_posts_and_documents(driver: Driver, settings: Settings) -> None:
    run_import(settings, FORMAT, [DESIGNATION, NETWORK])
    event = rows(
        driver,
        "MATCH (e:Event)-[:AT_PLACE]->(p:Place) RETURN e.event_kind AS kind, e.start AS start, "
        "e.end AS end, p.name AS place, p.latitude AS lat",
    )
    assert event == [
        {
            "kind": "massacre",
            "start": "2012-08-24",
            "end": "2012-08-26",
            "place": "Darayya, Rif Dimashq, Syria",
            "lat": 33.4586,
        }
    ]
    roles = rows(
        driver,
        "MATCH (:Event)<-[:OF_EVENT]-(a:Attribution)-[:OF_ACTOR]->(x) "
        "RETURN a.role AS role, x.name AS actor ORDER BY role",
    )
    assert roles == [
        {"role": "involved", "actor": "Test Officer"},
        {"role": "organizer", "actor": "Test Unit"},
    ]
    postings = rows(
        driver,
        "MATCH (:Person {name: 'Test Officer'})<-[:OF_PERSON]-(p:Posting) "
        "RETURN p.role AS role, p.title AS title, p.first_cited AS first, "
        "p.last_cited AS last, p.last_cited_is_end AS is_end ORDER BY role",
    )
    assert postings == [
        {"role": "employee", "title": "Officer", "first": None, "last": "2013", "is_end": True},
        {
            "role": "holder",
            "title": "Commander of the Test Unit",
            "first": "2011",
            "last": None,
            "is_end": None,
        },
    ]
    command = rows(
        driver,
        "MATCH (c)<-[:CHILD_UNIT]-(u:UnitRelation)-[:PARENT_UNIT]->(p) "
        "RETURN u.relation AS relation, p.id AS parent, c.name AS child",
    )
    assert command == [{"relation": "command", "parent": AGENCY, "child": "Test Unit"}]
    document = rows(
        driver,
        "MATCH (e:Event)-[:CITED_IN]->(c)-[:FROM_SOURCE]->(s) "
        "RETURN s.id AS id, s.title AS title, s.file AS file, s.published AS published, "
        "c.access_point AS access_point",
    )
    assert document == [
        {
            "id": "source:ftm-doc-test-report",
            "title": "Test report on Darayya",
            "file": "darayya-test-report.pdf",
            "published": "2012-09",
            "access_point": "event-test-darayya",
        }
    ]
    officer = rows(driver, "MATCH (p:Person {name: 'Test Officer'}) RETURN properties(p) AS p")
    assert officer[0]["p"]["birth_date"] == ["1970", "1971"]  # every date, as data
    assert "description" not in officer[0]["p"]


def test_a_sanction_naming_a_silsila_id_attaches_to_the_existing_person(
    driver: Driver, settings: Settings
) -> None:
    load_default(settings)
    persons = rows(driver, "MATCH (p:Person) RETURN count(p) AS n")
    summary = run_import(settings, FORMAT, [DATA / "attach.json"])
    assert summary.created["Person"] == 0
    assert rows(driver, "MATCH (p:Person) RETURN count(p) AS n") == persons
    found = read(settings, lambda r: sanctions(r, entities=["person:qahtan-khalil"]))
    assert sorted(s.id for s in found) == [
        "sanction:ftm-test-qahtan-khalil-eu",
        "sanction:qahtan-khalil-us-sdn-2021",
    ]
    eu = next(s for s in found if s.id == "sanction:ftm-test-qahtan-khalil-eu")
    assert eu.authority is not None
    assert eu.authority.name == "Council of the European Union"
    kind = rows(
        driver,
        "MATCH (o:Organization {name: 'Council of the European Union'}) RETURN o.org_kind AS k",
    )
    assert kind == [{"k": "international_body"}]  # its sanction's country is eu


def test_reimporting_changes_nothing(driver: Driver, settings: Settings) -> None:
    assert_reimport_changes_nothing(driver, settings, FORMAT, [DESIGNATION, NETWORK])


def test_malformed_lines_are_named_and_nothing_is_written(
    driver: Driver, settings: Settings
) -> None:
    path = DATA / "malformed.json"
    with pytest.raises(InvalidRecordsError) as raised:
        run_import(settings, FORMAT, [path])
    where = [(p.file, p.line, p.field) for p in raised.value.problems]
    assert where == [
        (str(path), 2, "(line)"),
        (str(path), 3, "schema"),
        (str(path), 4, "entity"),
    ]
    message = str(raised.value)
    assert f"{path}:2: (line): not valid JSON" in message
    assert "'Spaceship' is not a FollowTheMoney entity schema" in message
    assert f"{path}:4: entity: required: a Sanction needs its 'entity'" in message
    assert rows(driver, "MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
    # naming an entity no file holds is no fault of the line (a partial export, as an
    # OpenSanctions delta is): the Membership is left out, said in a counted warning
    (chunk,) = FORMAT.read([path])
    (missing,) = [w for w in chunk.warnings if w.line == 5]
    assert (missing.field, missing.reason) == ("organization", MISSING_TARGET)
    assert "'org-not-in-the-file' is in none of the files" in missing.problem
    assert sorted((r.label, r.line) for r in chunk.records) == [("Person", 1), ("Source", 0)]


def test_values_beyond_the_bounds_are_named_and_messy_real_ones_kept(tmp_path: Path) -> None:
    passport = "British passport number 720134834, issued on 27 Jan. 2001, expires 2011"
    lines = [
        {"id": "x" * 5000, "schema": "Person", "properties": {"name": ["Too Long An Id"]}},
        {
            "id": "messy",
            "schema": "Person",
            "properties": {
                "name": ["Messy But Real"],
                "passportNumber": [passport],  # FtM refuses identifiers over 64 characters
                "notes": ["n" * (MAX_TEXT + 1)],
            },
        },
        {"id": "too-long-name", "schema": "Person", "properties": {"name": ["N" * 100_001]}},
    ]
    deep = '{"id": "deep", "schema": "Person", "properties": {"name": '
    deep += "[" * 100_000 + "]" * 100_000 + "}}"
    text = "".join(json.dumps(e) + "\n" for e in lines) + deep + "\n"
    path = tmp_path / "bounds.ftm.jsonl"
    path.write_bytes(text.encode("utf-8") + '{"id": "café"}\n'.encode("latin-1"))
    (chunk,) = FORMAT.read([path])
    assert [str(p) for p in chunk.problems] == [
        f"{path}:1: id: is 5,000 characters long; an id may have at most 200: shorten it",
        f"{path}:3: name: is 100,001 characters long; a text may have at most 100,000: shorten it",
        f"{path}:4: (line): nested more than 32 levels deep (a record needs three or four): "
        "check the line's brackets",
        f"{path}:5: (line): not UTF-8 text (byte 0xE9 at column 12): re-save the file as UTF-8",
    ]
    assert [str(w) for w in chunk.warnings] == [
        f"{path}:2: notes: is 100,001 characters long, more than the 100,000 allowed; left out"
    ]
    (person,) = [r for r in chunk.records if r.label == "Person"]
    assert person.properties["name"] == "Messy But Real"
    assert passport in person.properties["description"]


def test_values_ftm_refuses_are_left_out_with_their_reason_and_the_entity_kept(
    tmp_path: Path,
) -> None:
    entity = {
        "id": "messy-officer",
        "schema": "Person",
        "properties": {
            "name": ["Messy Officer"],
            "birthDate": ["1970", "1971-05", "sometime"],  # every date kept, as data
            "phone": ["0271-2167285"],  # no country: FtM cannot read it
            "favouriteColour": ["green"],  # no such FtM property
        },
    }
    path = tmp_path / "messy.ftm.jsonl"
    path.write_text(json.dumps(entity) + "\n", encoding="utf-8")
    (chunk,) = FORMAT.read([path])
    assert chunk.problems == []
    said = sorted((w.field, w.reason) for w in chunk.warnings)
    assert said == [
        ("birthDate", INVALID_MAPPED),
        ("favouriteColour", UNKNOWN_PROPERTY),
        ("phone", INVALID_UNMAPPED),
    ]
    (person,) = [r for r in chunk.records if r.label == "Person"]
    assert person.properties["birth_date"] == ["1970", "1971-05"]
    assert "description" not in person.properties  # what was left out is not kept as text


def test_export_splits_or_cuts_what_ftm_bounds_and_reads_a_split_text_back(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    description = "\n".join(f"line {i}: " + "x" * 990 for i in range(80))  # 80,000 characters
    records = [
        {"type": "Source", "id": "source:test-long", "name": "Test long texts"},
        {
            "type": "Person",
            "id": "person:test-long-texts",
            "name": "N" * 400,  # FtM's names stop at 384 characters
            "description": description,
            "citations": [{"source": "source:test-long", "locator": "test", "quote": "x"}],
        },
    ]
    path = tmp_path / "long.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    pipeline.load(settings, load_ontology(), read_paths([path]))
    entities = _export(driver, settings)
    (person,) = [e for e in entities if e["schema"] == "Person"]
    texts = person["properties"]["description"]
    assert len(texts) == 2
    assert "\n".join(texts) == description
    (name,) = person["properties"]["name"]
    assert (len(name), name[-1]) == (384, "…")
    proxy = model.get_proxy(person, cleaned=False)
    assert all(prop.type.validate(value) for prop, value in proxy.itervalues())
    exported = tmp_path / "long.ftm.jsonl"
    exported.write_text("".join(json.dumps(e) + "\n" for e in entities), encoding="utf-8")
    store.delete_all(driver, settings)
    run_import(settings, FORMAT, [exported])
    back = rows(driver, "MATCH (p:Person) RETURN p.description AS d")
    assert back == [{"d": description}]


def _export(driver: Driver, settings: Settings) -> list[dict[str, Any]]:
    nodes, links = read_graph(driver, settings, load_ontology())
    return list(export_ftm(nodes, links))


def test_export_is_valid_ftm_and_reimports_the_same_people_and_sanctions(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    load_default(settings)
    run_import(settings, FORMAT, [DESIGNATION])
    entities = _export(driver, settings)
    ids = {e["id"] for e in entities}
    assert len(ids) == len(entities)
    for entity in entities:  # each one as FtM tooling reads it
        proxy = model.get_proxy(entity, cleaned=False)
        assert proxy.to_dict()["properties"] == entity["properties"], entity["id"]
        proxy.schema.validate({"properties": entity["properties"]})  # raises if invalid
        assert all(proxy.has(name) for name in proxy.schema.required), entity["id"]
        for prop, value in proxy.itervalues():
            assert prop.type.validate(value), (entity["id"], prop.name, value)  # length too
            if prop.type == registry.entity:
                assert value in ids, (entity["id"], prop.name, value)
    # an imported entity keeps the FtM id it was read from, so a re-import cites it the same
    designation = next(e for e in entities if e["id"] == "ofac-test-sanction-QK")
    assert designation["properties"]["entity"] == ["NK-TestQahtanKhalil"]
    assert designation["properties"]["listingDate"] == ["2021-07-28"]
    assert to_ftm("person:qahtan-khalil") in ids  # a curated one its Silsila id

    def people_and_sanctions() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        people = rows(
            driver,
            "MATCH (p:Person) WHERE NOT coalesce(p.restricted, false) RETURN p.id AS id, "
            "p.name AS name, p.aliases AS aliases, p.birth_date AS born ORDER BY id",
        )
        designations = rows(
            driver,
            "MATCH (s:Sanction)-[:SANCTIONS]->(x) OPTIONAL MATCH (s)-[:BY_AUTHORITY]->(a) "
            "RETURN s.id AS id, x.id AS entity, a.name AS authority, s.program AS program, "
            "s.listing_date AS listed, s.start_date AS starts ORDER BY id",
        )
        return people, designations

    before = people_and_sanctions()
    exported = tmp_path / "export.ftm.json"
    exported.write_text("".join(json.dumps(e) + "\n" for e in entities), encoding="utf-8")
    store.delete_all(driver, settings)
    summary = run_import(settings, FORMAT, [exported])
    assert summary.row_problems == []
    assert people_and_sanctions() == before
    assert len(before[1]) == 2


RESTRICTED_RECORDS = [
    {
        "type": "Person",
        "id": "person:test-witness",
        "name": "Witness Abu Test",
        "restricted": True,
        "citations": [{"source": "source:general-knowledge", "locator": "test", "quote": "x"}],
    },
    {
        "type": "Posting",
        "id": "posting:test-witness-safi",
        "person": "person:test-witness",
        "organization": "org:air-force-intelligence-directorate",
        "role": "member",
        "citations": [{"source": "source:general-knowledge", "locator": "test", "quote": "x"}],
    },
    {
        "type": "Attribution",
        "id": "attribution:test-witness-darayya",
        "event": "event:darayya-massacre-2012",
        "actor": "person:test-witness",
        "role": "participant",
        "citations": [{"source": "source:general-knowledge", "locator": "test", "quote": "x"}],
    },
    {
        "type": "Organization",
        "id": "org:test-named-after-witness",
        "name": "Test Brigade",
        "org_kind": "militia",
        "description": "Led, says Witness Abu Test, by a cousin.",
        "citations": [{"source": "source:general-knowledge", "locator": "test", "quote": "x"}],
    },
]


def test_export_withholds_restricted_people_and_what_names_them(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    load_default(settings)
    extra = tmp_path / "witness.jsonl"
    extra.write_text("".join(json.dumps(r) + "\n" for r in RESTRICTED_RECORDS), encoding="utf-8")
    pipeline.load(settings, load_ontology(), read_paths([extra]))
    restricted = rows(
        driver, "MATCH (p:Person {restricted: true}) RETURN p.id AS id, p.name AS name"
    )
    assert len(restricted) == 11
    entities = _export(driver, settings)
    text = json.dumps(entities, ensure_ascii=False)
    for person in restricted:
        assert to_ftm(person["id"]) not in text
        assert person["name"] not in text
    ids = {e["id"] for e in entities}
    assert to_ftm("posting:test-witness-safi") not in ids
    assert to_ftm("org:test-named-after-witness") in ids  # kept, less the text naming him
    brigade = next(e for e in entities if e["id"] == to_ftm("org:test-named-after-witness"))
    assert "description" not in brigade["properties"]
    darayya = next(e for e in entities if e["id"] == to_ftm("event:darayya-massacre-2012"))
    assert to_ftm("person:qahtan-khalil") in darayya["properties"]["involved"]
    assert to_ftm("person:qahtan-khalil") in ids
