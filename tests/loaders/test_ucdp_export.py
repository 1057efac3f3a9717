"""UCDP GED export: import the fixture, export it, import the export into an empty graph."""

from __future__ import annotations

import csv
from pathlib import Path

from neo4j import Driver

from graph.db.export import read_graph
from graph.db.settings import Settings
from loaders.importing import run_import
from loaders.ucdp import FORMAT
from loaders.ucdp.export import HEADER, export_ucdp
from ontology.model import load as load_ontology
from ontology.rdf import GraphLink, GraphNode
from tests.loaders.test_importing import export_round_trip

SYRIA = Path(__file__).parent / "event_data" / "ucdp_syria.csv"


def test_export_then_import_into_an_empty_graph_gives_the_same_graph(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    exported = tmp_path / "ucdp.csv"
    assert export_round_trip(driver, settings, FORMAT, [SYRIA], export_ucdp, exported) == 3


def test_the_export_has_the_full_header_and_one_row_per_event(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    run_import(settings, FORMAT, [SYRIA])
    nodes, links = read_graph(driver, settings, load_ontology())
    exported = tmp_path / "ucdp.csv"
    export_ucdp(nodes, links, exported)
    with exported.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert tuple(reader.fieldnames or ()) == HEADER
    assert [r["id"] for r in rows] == ["244657", "244658", "244659"]
    first = rows[0]
    assert (first["side_a_new_id"], first["side_b"], first["best"], first["low"]) == (
        "121",
        "Civilians",
        "12",
        "10",
    )
    assert (first["relid"], first["where_coordinates"]) == ("SYR-2017-3-1039-12", "Ariha town")
    assert (first["latitude"], first["longitude"]) == ("35.8111", "36.6098")
    province = rows[1]  # where_prec 4: the spot and the point come back from `classification`
    assert (province["where_coordinates"], province["source_office"]) == (
        "Idlib governorate",
        "Beirut",
    )
    # date_prec 4: imported as the month 2017-01, written back as its first and last days
    assert (province["date_start"], province["date_end"]) == ("2017-01-01", "2017-01-31")


def test_events_of_other_sources_are_not_exported(tmp_path: Path) -> None:
    """A curated event, cited with a quote from another source, has no row to go back to."""
    nodes = [
        GraphNode(("Event",), {"id": "event:curated", "name": "Curated"}),
        GraphNode(("Citation",), {"id": "citation:x", "locator": "p. 3", "quote": "q"}),
        GraphNode(
            ("Citation",), {"id": "citation:y", "access_point": "1", "access_point_kind": "id"}
        ),
        GraphNode(("Source",), {"id": "source:report", "name": "Report"}),
    ]
    links = [
        GraphLink("event:curated", "CITED_IN", "citation:x"),
        GraphLink("event:curated", "CITED_IN", "citation:y"),
        GraphLink("citation:x", "FROM_SOURCE", "source:ucdp-ged"),
        GraphLink("citation:y", "FROM_SOURCE", "source:report"),
    ]
    assert export_ucdp(nodes, links, tmp_path / "none.csv") == 0
    with (tmp_path / "none.csv").open(newline="", encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == list(HEADER)
