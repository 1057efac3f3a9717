"""The SHACL rules of ontology/shapes.ttl, run by pyshacl on RDF built from records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ontology import rdf, shapes
from ontology.model import load

CITE_ID = "citation:1"
SOURCE = rdf.GraphNode(("Source",), {"id": "source:s", "name": "S"})
CITATION = rdf.GraphNode(("Citation",), {"id": CITE_ID, "locator": "¶1", "quote": "q"})
BASE_LINKS = [rdf.GraphLink(CITE_ID, "FROM_SOURCE", "source:s")]


def checked(nodes: list[rdf.GraphNode], links: list[rdf.GraphLink]) -> list[shapes.ShapeResult]:
    """The check's results, the same whether the data graph holds every triple or only those
    of the predicates the shapes read (as a load checks it)."""
    found = [
        shapes.check(rdf.to_rdf(load(), nodes, links, with_day_bounds=True, only=only))
        for only in (None, shapes.read_predicates())
    ]
    assert found[0] == found[1]
    return found[0]


def results(*nodes: rdf.GraphNode, links: list[rdf.GraphLink]) -> list[tuple[str, str, str]]:
    found = checked([SOURCE, CITATION, *nodes], [*BASE_LINKS, *links])
    return [(r.focus.removeprefix(str(rdf.ID)), r.path, r.severity) for r in found]


def cited(node_id: str) -> rdf.GraphLink:
    return rdf.GraphLink(node_id, "CITED_IN", CITE_ID)


def place(node_id: str = "place:p") -> rdf.GraphNode:
    return rdf.GraphNode(("Place", "Town"), {"id": node_id, "name": "P", "place_kind": "town"})


def test_a_cited_place_conforms() -> None:
    assert results(place(), links=[cited("place:p")]) == []


def test_an_uncited_fact_is_a_violation() -> None:
    assert results(place(), links=[]) == [("place:p", "hasCitation", "Violation")]


def test_a_citation_quotes_its_source_or_names_the_access_point_an_import_gives() -> None:
    imported = rdf.GraphNode(
        ("Citation",), {"id": "citation:2", "locator": "x", "access_point": "https://a.example"}
    )
    bare = rdf.GraphNode(("Citation",), {"id": "citation:3", "locator": "x"})
    links = [rdf.GraphLink(c, "FROM_SOURCE", "source:s") for c in ("citation:2", "citation:3")]
    checks = checked([SOURCE, CITATION, imported, bare], [*BASE_LINKS, *links])
    found = [(r.focus.removeprefix(str(rdf.ID)), r.path, r.message) for r in checks]
    assert found == [
        (
            "citation:3",
            "quote|access_point",
            "a citation needs a quote, or the access point an imported format names",
        )
    ]


def test_a_casualty_count_must_name_its_source() -> None:
    count = rdf.GraphNode(("CasualtyCount", "Claim"), {"id": "casualty:c", "killed": 5})
    orphan = rdf.GraphNode(("Citation",), {"id": "citation:2", "locator": "x", "quote": "y"})
    found = results(count, orphan, links=[rdf.GraphLink("casualty:c", "CITED_IN", "citation:2")])
    assert ("casualty:c", "hasCitation/fromSource", "Violation") in found
    assert ("citation:2", "fromSource", "Violation") in found


def dated(start: str, end: str, first: dt.date, last: dt.date) -> dict[str, Any]:
    return {
        "first_cited": start,
        "last_cited": end,
        "first_cited_earliest": first,
        "last_cited_latest": last,
    }


def test_an_interval_ending_before_it_starts_is_a_violation() -> None:
    bad = rdf.GraphNode(
        ("Posting", "Claim"),
        {"id": "posting:p", "role": "head"}
        | dated("2024", "2012", dt.date(2024, 1, 1), dt.date(2012, 12, 31)),
    )
    good = rdf.GraphNode(
        ("Posting", "Claim"),
        {"id": "posting:q", "role": "head"}
        | dated("2012", "2012-08", dt.date(2012, 1, 1), dt.date(2012, 8, 31)),
    )
    found = results(bad, good, links=[cited("posting:p"), cited("posting:q")])
    assert found == [("posting:p", "first_cited_earliest", "Violation")]


def test_an_event_ending_before_it_starts_is_a_violation() -> None:
    def event(node_id: str, start: str, end: str, first: dt.date, last: dt.date) -> rdf.GraphNode:
        return rdf.GraphNode(
            ("Event", "Massacre"),
            {"id": node_id, "name": "E", "event_kind": "massacre", "start": start, "end": end}
            | {"start_earliest": first, "end_latest": last},
        )

    dated = [
        event("event:e", "2013", "2012", dt.date(2013, 1, 1), dt.date(2012, 12, 31)),
        event("event:f", "2012", "2012-08", dt.date(2012, 1, 1), dt.date(2012, 8, 31)),
    ]
    placed = [rdf.GraphLink(e.id, "AT_PLACE", "place:p") for e in dated]
    found = results(
        place(), *dated, links=[*placed, *(cited(x) for x in ("place:p", "event:e", "event:f"))]
    )
    assert found == [("event:e", "start_earliest", "Violation")]


def test_an_event_without_date_or_place_is_a_named_gap_not_a_rejection() -> None:
    event = rdf.GraphNode(
        ("Event", "Massacre"), {"id": "event:e", "name": "E", "event_kind": "massacre"}
    )
    found = results(event, links=[cited("event:e")])
    assert sorted(found) == [("event:e", "atPlace", "Warning"), ("event:e", "start", "Warning")]


def test_a_witness_needs_an_explicit_sensitivity_flag() -> None:
    person = rdf.GraphNode(("Person", "Actor"), {"id": "person:w", "name": "Observer X"})
    seen = rdf.GraphNode(("Participation", "Claim"), {"id": "participation:w", "role": "witness"})
    links = [
        cited("person:w"),
        cited("participation:w"),
        rdf.GraphLink("participation:w", "OF_PERSON", "person:w"),
    ]
    assert results(person, seen, links=links) == [("person:w", "restricted", "Violation")]
    flagged = rdf.GraphNode(
        ("Person", "Actor"), {"id": "person:w", "name": "Observer X", "restricted": True}
    )
    assert results(flagged, seen, links=links) == []
    # a witness already in the graph (not among the records checked) has its flag there
    assert results(seen, links=links[1:]) == []


def test_the_check_leaves_the_data_as_it_was() -> None:
    """The data is checked in place, not copied first: the shapes must add nothing to it."""
    person = rdf.GraphNode(("Person", "Actor"), {"id": "person:w", "name": "Observer X"})
    seen = rdf.GraphNode(("Participation", "Claim"), {"id": "participation:w", "role": "witness"})
    links = [*BASE_LINKS, rdf.GraphLink("participation:w", "OF_PERSON", "person:w")]
    graph = rdf.to_rdf(load(), [SOURCE, CITATION, person, seen], links, with_day_bounds=True)
    before = set(graph)
    assert shapes.check(graph)  # uncited, and a witness without a flag
    assert set(graph) == before
