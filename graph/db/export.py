"""The whole graph read back from Neo4j, page by page, as RDF in the ontology's terms."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from neo4j import Driver
from rdflib import Graph

from graph.db import queries, store
from graph.db.settings import Settings
from ontology import rdf
from ontology.model import Ontology

PAGE_SIZE = 1000
RDF_FORMATS = {"turtle": "turtle", "jsonld": "json-ld", "nt": "nt"}


def read_graph(
    driver: Driver, settings: Settings, ontology: Ontology
) -> tuple[list[rdf.GraphNode], list[rdf.GraphLink]]:
    """Every node and relationship, read in pages of PAGE_SIZE through the id indexes."""
    nodes: list[rdf.GraphNode] = []
    links: list[rdf.GraphLink] = []
    for label in ontology.root_labels:
        for row in _pages(driver, settings, label):
            nodes.append(rdf.GraphNode(tuple(sorted(row["labels"])), _plain(row["properties"])))
            links += [rdf.GraphLink(row["id"], rel, target) for rel, target in row["out"]]
    return nodes, links


def _pages(driver: Driver, settings: Settings, label: str) -> Iterator[Any]:
    after = ""
    while True:
        rows = store.read(driver, settings, queries.nodes_page(label), after=after, limit=PAGE_SIZE)
        yield from rows
        if len(rows) < PAGE_SIZE:
            return
        after = rows[-1]["id"]


def _plain(properties: dict[str, Any]) -> dict[str, Any]:
    """Neo4j temporal values as Python ones."""
    return {k: v.to_native() if hasattr(v, "to_native") else v for k, v in properties.items()}


def export_rdf(driver: Driver, settings: Settings, ontology: Ontology) -> Graph:
    """The graph as RDF (without derived values)."""
    nodes, links = read_graph(driver, settings, ontology)
    return rdf.to_rdf(ontology, nodes, links)
