"""RDF export conforms to the shapes, and Neo4j -> RDF -> empty Neo4j -> RDF is isomorphic."""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j import Driver
from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic

from graph.db import store
from graph.db.export import export_rdf, read_graph
from graph.db.settings import Settings
from loaders import pipeline
from loaders.errors import SourceFileError
from loaders.rdf import read_rdf
from loaders.records import read_paths
from ontology import rdf, shapes
from ontology.model import load as load_ontology
from tests.conftest import REPO, cli_env, silsila


@pytest.fixture
def loaded(driver: Driver, settings: Settings) -> Driver:
    pipeline.load(settings, load_ontology(), read_paths([REPO / "data" / "default"]))
    return driver


def assert_isomorphic(first: Graph, second: Graph) -> None:
    a, b = to_isomorphic(first), to_isomorphic(second)
    if a != b:
        _, only_first, only_second = graph_diff(a, b)
        shown_first = "\n".join(sorted(only_first.serialize(format="nt").splitlines())[:20])
        shown_second = "\n".join(sorted(only_second.serialize(format="nt").splitlines())[:20])
        pytest.fail(
            f"{len(only_first)} triples only in the first, {len(only_second)} only in the second"
            f"\n--- only in first:\n{shown_first}\n--- only in second:\n{shown_second}"
        )


def test_the_export_conforms_to_the_shapes(default_dataset: Driver, settings: Settings) -> None:
    nodes, links = read_graph(default_dataset, settings, load_ontology())
    graph = rdf.to_rdf(load_ontology(), nodes, links, with_day_bounds=True)
    violations = [r for r in shapes.check(graph) if r.is_violation]
    assert violations == []
    assert len(graph) > 10_000


def test_round_trip_through_an_empty_graph_is_isomorphic(
    loaded: Driver, settings: Settings, tmp_path: Path
) -> None:
    first = export_rdf(loaded, settings, load_ontology())
    path = tmp_path / "graph.ttl"
    path.write_text(first.serialize(format="turtle"), encoding="utf-8")
    store.delete_all(loaded, settings)
    assert store.counts_by_label(loaded, settings, ["Event"]) == {"Event": 0}
    pipeline.load(settings, load_ontology(), read_rdf(path, load_ontology()))
    assert_isomorphic(first, export_rdf(loaded, settings, load_ontology()))


@pytest.mark.parametrize(("fmt", "suffix"), [("jsonld", ".jsonld"), ("nt", ".nt")])
def test_cli_export_formats_parse_back_to_the_same_graph(
    default_dataset: Driver, settings: Settings, tmp_path: Path, fmt: str, suffix: str
) -> None:
    path = tmp_path / f"graph{suffix}"
    silsila("export", "--format", fmt, "--output", str(path), env=cli_env(settings), check=True)
    parsed = Graph().parse(path, format={"jsonld": "json-ld", "nt": "nt"}[fmt])
    assert_isomorphic(export_rdf(default_dataset, settings, load_ontology()), parsed)


def test_rdf_that_is_not_silsila_shaped_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text("this is not turtle")
    with pytest.raises(SourceFileError, match="not valid turtle"):
        read_rdf(path, load_ontology())
