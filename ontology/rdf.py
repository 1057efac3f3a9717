"""The graph as RDF in the ontology's own terms, and back.

Nodes become resources typed with every class they carry; properties become typed literals
(partial dates as xsd:gYear, xsd:gYearMonth or xsd:date, after OWL-Time); relationships become
object-property triples. Derived values (a partial date's day bounds) are not exported: the
importer derives them again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from ontology.errors import OntologyError
from ontology.model import SIL, Ontology, PropertyDef

ID = Namespace("https://w3id.org/silsila/id/")
_DATE_TYPES = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}


class RdfShapeError(OntologyError):
    """RDF that cannot be read back as Silsila nodes; the message names the resource."""


@dataclass(frozen=True)
class GraphNode:
    """A node as exported or imported: its labels and stored properties."""

    labels: tuple[str, ...]
    properties: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.properties["id"])


@dataclass(frozen=True)
class GraphLink:
    """A relationship between two nodes, by id."""

    from_id: str
    rel: str
    to_id: str


def node_iri(node_id: str) -> URIRef:
    """The IRI of a node: its deterministic id under the Silsila id namespace."""
    return ID[node_id]


def to_rdf(
    ontology: Ontology,
    nodes: Iterable[GraphNode],
    links: Iterable[GraphLink],
    with_day_bounds: bool = False,
    only: frozenset[URIRef] | None = None,
) -> Graph:
    """An RDF graph of the nodes and links, typed and named by the ontology.

    WITH_DAY_BOUNDS adds each partial date's derived earliest and latest day (sil:X_earliest,
    sil:X_latest), which the SHACL shapes compare; exports leave them out. ONLY, if given,
    keeps the triples of those predicates alone (what a check reads: `shapes.read_predicates`).
    """
    graph = _bound_graph()
    classes = {c.label: URIRef(c.iri) for c in ontology.classes}
    props = {p.name: p for p in ontology.properties if only is None or URIRef(p.iri) in only}
    rels = {r.name: URIRef(r.iri) for r in ontology.relationships}
    links = [x for x in links if only is None or rels[x.rel] in only]
    for node in nodes:
        subject = node_iri(node.id)
        for label in node.labels:
            graph.add((subject, RDF.type, classes[label]))
        for key, value in node.properties.items():
            prop = props.get(key)
            if prop is not None:
                for item in value if isinstance(value, list) else [value]:
                    graph.add((subject, URIRef(prop.iri), _literal(item, prop.is_date)))
            elif _is_day_bound(key, value, with_day_bounds, only):
                graph.add((subject, SIL[key], Literal(value)))
    for link in links:
        graph.add((node_iri(link.from_id), rels[link.rel], node_iri(link.to_id)))
    return graph


def _is_day_bound(key: str, value: Any, wanted: bool, only: frozenset[URIRef] | None) -> bool:
    """Whether KEY, not a property of the ontology, is a date's day bound to write."""
    return wanted and isinstance(value, dt.date) and (only is None or SIL[key] in only)


def from_rdf(ontology: Ontology, graph: Graph) -> tuple[list[GraphNode], list[GraphLink]]:
    """Nodes and links from RDF of the shape `to_rdf` writes."""
    label_of: dict[Node, str] = {URIRef(c.iri): c.label for c in ontology.classes}
    prop_of: dict[Node, PropertyDef] = {URIRef(p.iri): p for p in ontology.properties}
    rel_of: dict[Node, str] = {URIRef(r.iri): r.name for r in ontology.relationships}
    nodes = [_node(graph, subject, label_of, prop_of) for subject in _subjects(graph, label_of)]
    links = [
        GraphLink(_id_of(s), rel_of[p], _id_of(o))
        for s, p, o in graph
        if p in rel_of and isinstance(s, URIRef) and isinstance(o, URIRef)
    ]
    return nodes, sorted(links, key=lambda x: (x.from_id, x.rel, x.to_id))


def _bound_graph() -> Graph:
    graph = Graph()
    graph.bind("sil", SIL)
    graph.bind("silid", ID)
    return graph


def _literal(value: Any, is_date: bool) -> Literal:
    if is_date:
        return Literal(str(value), datatype=_DATE_TYPES[len(str(value))])
    return Literal(value)


def _subjects(graph: Graph, label_of: dict[Node, str]) -> Iterator[URIRef]:
    seen = set()
    for subject, cls in graph.subject_objects(RDF.type):
        if cls in label_of and isinstance(subject, URIRef) and subject not in seen:
            seen.add(subject)
            yield subject


def _node(
    graph: Graph, subject: URIRef, label_of: dict[Node, str], prop_of: dict[Node, PropertyDef]
) -> GraphNode:
    labels = tuple(sorted(label_of[c] for c in graph.objects(subject, RDF.type) if c in label_of))
    properties: dict[str, Any] = {"id": _id_of(subject)}
    for predicate, obj in graph.predicate_objects(subject):
        prop = prop_of.get(predicate)
        if prop is None or prop.name == "id" or not isinstance(obj, Literal):
            continue
        value = str(obj) if prop.is_date else obj.toPython()
        if prop.multiple:
            properties.setdefault(prop.name, []).append(value)
        else:
            properties[prop.name] = value
    for value in properties.values():
        if isinstance(value, list):
            value.sort()
    return GraphNode(labels, properties)


def _id_of(subject: Any) -> str:
    text = str(subject)
    if not text.startswith(str(ID)):
        raise RdfShapeError(f"{text} is not a Silsila id (expected {ID}<id>)")
    return text[len(str(ID)) :]
