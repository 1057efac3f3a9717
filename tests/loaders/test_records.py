"""Loading record files: all or nothing, precise errors, idempotent reloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from neo4j import Driver

from graph.db.settings import Settings
from loaders import pipeline
from loaders.errors import InvalidRecordsError, SourceFileError
from loaders.records import read_paths
from ontology.model import load as load_ontology
from tests.conftest import REPO, cli_env, silsila

DEFAULT = REPO / "data" / "default"
CITE = {"source": "source:000_a4a2605803ffedf8", "locator": "Infobox", "quote": "Darayya"}


def graph_state(driver: Driver) -> tuple[list[object], list[object]]:
    nodes = driver.execute_query(
        "MATCH (n) RETURN n.id AS id, labels(n) AS labels, properties(n) AS props ORDER BY id",
        database_="neo4j",
    ).records
    rels = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b ORDER BY a, t, b",
        database_="neo4j",
    ).records
    return [tuple(r.values()) for r in nodes], [tuple(r.values()) for r in rels]


def load_default(settings: Settings) -> pipeline.LoadSummary:
    return pipeline.load(settings, load_ontology(), read_paths([DEFAULT]))


def test_default_dataset_loads_every_record_with_its_citations(
    driver: Driver, settings: Settings
) -> None:
    records = read_paths([DEFAULT])
    summary = load_default(settings)
    assert sum(summary.created.values()) == summary.total
    citations = sum(len(r.properties.get("citations", [])) for r in records)
    assert summary.created["Citation"] == len({c["id"] for c in _citation_ids(driver)})
    assert summary.created["Citation"] <= citations
    assert summary.total == len(records) + summary.created["Citation"]
    uncited = driver.execute_query(
        "MATCH (n) WHERE NOT n:Source AND NOT n:Citation AND NOT (n)-[:CITED_IN]->() "
        "RETURN count(n) AS n"
    ).records[0]["n"]
    assert uncited == 0


def _citation_ids(driver: Driver) -> list[dict[str, str]]:
    return [dict(r) for r in driver.execute_query("MATCH (c:Citation) RETURN c.id AS id").records]


def test_reloading_changes_nothing(driver: Driver, settings: Settings) -> None:
    load_default(settings)
    before = graph_state(driver)
    summary = load_default(settings)
    assert sum(summary.created.values()) == 0
    assert graph_state(driver) == before


def test_a_changed_record_converges_to_its_file(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    place = {
        "type": "Place",
        "id": "place:x",
        "name": "X",
        "place_kind": "town",
        "citations": [CITE],
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(place | {"aliases": ["Ex"]}) + "\n")
    sources = DEFAULT / "sources.jsonl"
    pipeline.load(settings, load_ontology(), read_paths([sources, path]))
    quote = {**CITE, "quote": "Darayya massacre"}
    path.write_text(json.dumps(place | {"place_kind": "village", "citations": [quote]}) + "\n")
    pipeline.load(settings, load_ontology(), read_paths([sources, path]))
    record = driver.execute_query(
        "MATCH (p:Place {id: 'place:x'})-[:CITED_IN]->(c:Citation) "
        "RETURN labels(p) AS labels, properties(p) AS props, collect(c.quote) AS quotes"
    ).records[0]
    assert sorted(record["labels"]) == ["Place", "Village"]
    assert "aliases" not in record["props"]
    assert record["quotes"] == ["Darayya massacre"]
    orphans = driver.execute_query(
        "MATCH (c:Citation) WHERE NOT ()-[:CITED_IN]->(c) RETURN count(c) AS n"
    ).records[0]["n"]
    assert orphans == 0


def test_kind_fields_add_subclass_labels_and_dates_keep_their_range(
    driver: Driver, settings: Settings
) -> None:
    load_default(settings)
    record = driver.execute_query(
        "MATCH (g:Governorate {id: 'place:rif-dimashq-governorate'}) "
        "RETURN labels(g) AS labels, g.aliases AS aliases"
    ).records[0]
    assert set(record["labels"]) == {"Place", "Governorate"}
    assert {"Damascus suburbs", "Rural Damascus"} <= set(record["aliases"])
    posting = driver.execute_query(
        "MATCH (p:Posting)-[:OF_PERSON]->(:Person {id: 'person:qahtan-khalil'}) "
        "WHERE p.role = 'head' "
        "RETURN p.first_cited AS text, p.first_cited_earliest AS earliest, "
        "p.first_cited_latest AS latest"
    ).records[0]
    assert posting["text"] == "2024-01"
    assert (posting["earliest"].iso_format(), posting["latest"].iso_format()) == (
        "2024-01-01",
        "2024-01-31",
    )


BAD = [
    {
        "type": "Place",
        "id": "place:good",
        "name": "Good",
        "place_kind": "town",
        "citations": [CITE],
    },
    {"type": "Place", "id": "Bad Id", "name": "x", "place_kind": "town", "citations": [CITE]},
    {
        "type": "Place",
        "id": "place:good",
        "name": "again",
        "place_kind": "town",
        "citations": [CITE],
    },
    {"type": "Spaceship", "id": "ship:1", "name": "x"},
    {
        "type": "Event",
        "id": "event:x",
        "event_kind": "massacre",
        "start": "August 2012",
        "place": "place:nowhere",
        "citations": [CITE],
    },
    {"type": "Person", "id": "person:1", "name": "x", "height": 3, "citations": []},
    {
        "type": "Posting",
        "id": "posting:1",
        "person": "place:good",
        "organization": "org:x",
        "first_cited": "2024",
        "last_cited": "2012",
        "citations": [{**CITE, "source": "source:x"}],
    },
]


def test_a_bad_file_lists_every_error_and_loads_nothing(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    load_default(settings)
    before = graph_state(driver)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(json.dumps(r) for r in BAD) + "\n{not json\n")
    with pytest.raises(InvalidRecordsError) as parse_error:
        read_paths([bad])
    assert [str(p) for p in parse_error.value.problems] == [
        f"{bad}:8: (line): not valid JSON: Expecting property name enclosed in double quotes "
        "at column 2"
    ]
    bad.write_text("\n".join(json.dumps(r) for r in BAD) + "\n")
    with pytest.raises(InvalidRecordsError) as invalid:
        pipeline.load(settings, load_ontology(), read_paths([bad]))
    found = [str(p) for p in invalid.value.problems]
    assert found == [
        f"{bad}:2: id: 'Bad Id' is not a valid id: use lowercase letters, digits and : . _ -",
        f"{bad}:3: id: 'place:good' repeats {bad}:1",
        f"{bad}:4: type: 'Spaceship' is not one of " + str(list(_record_types())),
        f"{bad}:5: (record): 'name' is a required property",
        f"{bad}:5: place: unknown id 'place:nowhere'",
        f"{bad}:5: start: 'August 2012' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD",
        f"{bad}:6: (record): Additional properties are not allowed ('height' was unexpected)",
        f"{bad}:6: citations: [] should be non-empty",
        f"{bad}:7: citations.0.source: unknown id 'source:x'",
        f"{bad}:7: last_cited: the interval ends (2012) before it starts (2024) "
        "(first_cited 2024, last_cited 2012)",
        f"{bad}:7: organization: unknown id 'org:x'",
        f"{bad}:7: person: 'place:good' is not a Person",
    ]
    assert graph_state(driver) == before


def _record_types() -> list[str]:
    schema = json.loads((REPO / "ontology" / "records.schema.json").read_text())
    return list(schema["properties"]["type"]["enum"])


def test_a_missing_path_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="no such file"):
        read_paths([tmp_path / "nowhere.jsonl"])


def test_cli_load_reports_errors_and_exits_1(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "Source", "id": "source:x"}\n')
    result = silsila("load", str(bad), env=cli_env(settings))
    assert result.returncode == 1
    assert f"{bad}:1: (record): 'name' is a required property" in result.stderr
    assert "nothing was loaded" in result.stderr
    assert "Traceback" not in result.stderr
    assert graph_state(driver) == ([], [])


def test_cli_load_without_paths_loads_the_default_dataset(
    driver: Driver, settings: Settings
) -> None:
    result = silsila("load", env=cli_env(settings), check=True)
    records = len(read_paths([DEFAULT]))
    assert f"Loaded {records} records as" in result.stdout
    assert "Event: 142 created, 0 updated" in result.stdout
    assert len(graph_state(driver)[0]) > records


def test_skip_invalid_loads_the_rest_and_writes_the_reasons(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    bad = tmp_path / "mixed.jsonl"
    good = {"type": "Place", "id": "place:ok", "name": "Ok", "place_kind": "town"}
    broken = {"type": "Place", "id": "place:broken", "name": "B", "place_kind": "moon"}
    # Valid alone, but it sits in the rejected place: it must be rejected too.
    inside = {"type": "Place", "id": "place:inside", "name": "I", "place_kind": "village"}
    lines = [
        json.dumps(good | {"citations": [CITE]}),
        json.dumps(broken | {"citations": [CITE]}),
        json.dumps(inside | {"within": "place:broken", "citations": [CITE]}),
        "{not json",
    ]
    bad.write_text("\n".join(lines) + "\n")
    rejects = tmp_path / "rejects.jsonl"
    result = silsila(
        "load",
        str(DEFAULT / "sources.jsonl"),
        str(bad),
        "--skip-invalid",
        "--rejects",
        str(rejects),
        env=cli_env(settings),
    )
    assert result.returncode == 0, result.stderr
    assert f"Rejected 3 record(s); reasons in {rejects}" in result.stdout
    assert "  1 rejected: is not one of the allowed values" in result.stdout
    assert "  1 skipped because a record they depend on was rejected" in result.stdout
    rejected = [json.loads(x) for x in rejects.read_text().splitlines()]
    kinds = str(list(load_ontology().kind_values("Place")))
    assert [(r["line"], r["status"], r["problems"]) for r in rejected] == [
        (
            4,
            "rejected",
            [
                {
                    "field": "(line)",
                    "problem": "not valid JSON: Expecting property name enclosed in double "
                    "quotes at column 2",
                    "reason": "not valid JSON",
                }
            ],
        ),
        (
            2,
            "rejected",
            [
                {
                    "field": "place_kind",
                    "problem": f"'moon' is not one of {kinds}",
                    "reason": "is not one of the allowed values",
                }
            ],
        ),
        (
            3,
            "skipped",
            [
                {
                    "field": "within",
                    "problem": "skipped because place:broken (line 2) was rejected",
                    "reason": "skipped because a record they depend on was rejected",
                }
            ],
        ),
    ]
    assert rejected[0]["records"] == []
    assert [r["id"] for r in rejected[1]["records"]] == ["place:broken"]
    ids = [r["id"] for r in driver.execute_query("MATCH (p:Place) RETURN p.id AS id").records]
    assert ids == ["place:ok"]
