"""ACLED export: import the fixture, export it, import the export into an empty graph."""

from __future__ import annotations

import csv
from pathlib import Path

from neo4j import Driver

from graph.db.export import read_graph
from graph.db.settings import Settings
from loaders.acled import FORMAT
from loaders.acled.export import HEADER, export_acled
from loaders.importing import run_import
from ontology.model import load as load_ontology
from ontology.rdf import GraphLink, GraphNode
from tests.loaders.test_importing import export_round_trip

SYRIA = Path(__file__).parent / "event_data" / "acled_syria.csv"


def test_export_then_import_into_an_empty_graph_gives_the_same_graph(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    exported = tmp_path / "acled.csv"
    assert export_round_trip(driver, settings, FORMAT, [SYRIA], export_acled, exported) == 4


def test_the_export_has_the_full_header_and_one_row_per_event(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    run_import(settings, FORMAT, [SYRIA])
    nodes, links = read_graph(driver, settings, load_ontology())
    exported = tmp_path / "acled.csv"
    export_acled(nodes, links, exported)
    with exported.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert tuple(reader.fieldnames or ()) == HEADER
    assert [r["event_id_cnty"] for r in rows] == [f"SYR12300{n}" for n in (1, 2, 3, 4)]
    clash = rows[1]
    assert (clash["event_date"], clash["year"], clash["inter1"]) == ("16 March 2023", "2023", "1")
    assert clash["assoc_actor_2"] == "Ansar al Tawhid; Turkistan Islamic Party"
    assert clash["source"] == "Syrian Observatory for Human Rights; Step News Agency"
    province = rows[2]  # geo_precision 3: the lower levels come back from `classification`
    assert (province["admin1"], province["admin2"], province["location"]) == (
        "Idlib",
        "Idlib",
        "Idlib",
    )
    assert (rows[0]["civilian_targeting"], rows[0]["fatalities"]) == ("Civilian targeting", "4")


def test_events_of_other_sources_are_not_exported(tmp_path: Path) -> None:
    """A curated event, cited with a quote from another source, has no row to go back to."""
    nodes = [
        GraphNode(("Event",), {"id": "event:curated", "name": "Curated"}),
        GraphNode(("Citation",), {"id": "citation:x", "locator": "p. 3", "quote": "q"}),
        GraphNode(
            ("Citation",),
            {"id": "citation:y", "access_point": "1", "access_point_kind": "event_id_cnty"},
        ),
        GraphNode(("Source",), {"id": "source:report", "name": "Report"}),
    ]
    links = [
        GraphLink("event:curated", "CITED_IN", "citation:x"),
        GraphLink("event:curated", "CITED_IN", "citation:y"),
        GraphLink("citation:x", "FROM_SOURCE", "source:acled"),
        GraphLink("citation:y", "FROM_SOURCE", "source:report"),
    ]
    assert export_acled(nodes, links, tmp_path / "none.csv") == 0
    with (tmp_path / "none.csv").open(newline="", encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == list(HEADER)


def test_a_restricted_actor_is_never_written(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    run_import(settings, FORMAT, [SYRIA])
    nodes, links = read_graph(driver, settings, load_ontology())
    hidden = "org:acled-hayat-tahrir-al-sham"
    nodes = [
        GraphNode(n.labels, n.properties | {"restricted": True}) if n.id == hidden else n
        for n in nodes
    ]
    exported = tmp_path / "acled.csv"
    export_acled(nodes, links, exported)
    with exported.open(newline="", encoding="utf-8") as handle:
        clash = list(csv.DictReader(handle))[1]
    assert (clash["actor2"], clash["inter2"]) == ("", "")
    assert "Hayat Tahrir al Sham" not in exported.read_text(encoding="utf-8")
