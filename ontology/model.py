"""The ontology read from Turtle into the few facts the graph and loaders derive from it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from ontology.errors import InvalidOntologyError

TURTLE = Path(__file__).parent / "silsila.ttl"
SIL = Namespace("https://w3id.org/silsila/ontology#")
INDEX_KINDS = frozenset({"unique", "range", "fulltext"})


@dataclass(frozen=True)
class PropertyDef:
    """A datatype property as the graph stores it."""

    iri: str
    name: str
    datatype: str
    applies_to: tuple[str, ...]
    index: str | None = None
    required: bool = False
    multiple: bool = False


@dataclass(frozen=True)
class RelationshipDef:
    """An object property as a Neo4j relationship type."""

    iri: str
    name: str
    applies_to: tuple[str, ...]


@dataclass(frozen=True)
class Ontology:
    """Node labels, properties and relationship types, in the Turtle file's terms."""

    labels: tuple[str, ...]
    properties: tuple[PropertyDef, ...]
    relationships: tuple[RelationshipDef, ...]

    def properties_of(self, label: str) -> tuple[PropertyDef, ...]:
        """The properties a node with this label may carry."""
        return tuple(p for p in self.properties if label in p.applies_to)

    def indexed(self, kind: str) -> tuple[tuple[str, str], ...]:
        """(label, property) pairs that carry an index of this kind."""
        return tuple(
            (label, p.name) for p in self.properties if p.index == kind for label in p.applies_to
        )

    def fulltext_labels(self) -> tuple[str, ...]:
        """Labels covered by the name search index."""
        return tuple(sorted({label for label, _ in self.indexed("fulltext")}))

    def fulltext_properties(self) -> tuple[str, ...]:
        """Properties covered by the name search index."""
        return tuple(sorted({p.name for p in self.properties if p.index == "fulltext"}))


@cache
def load(path: Path = TURTLE) -> Ontology:
    """Parse the ontology once and check every cross-reference the derivation needs."""
    graph = Graph().parse(path, format="turtle")
    labels = _labels(graph)
    label_of = {iri: label for iri, label in labels.items()}
    properties = tuple(
        _property(graph, p, label_of) for p in _subjects(graph, OWL.DatatypeProperty)
    )
    relationships = tuple(
        RelationshipDef(str(p), _one(graph, p, SIL.graphName), _applies_to(graph, p, label_of))
        for p in _subjects(graph, OWL.ObjectProperty)
    )
    _check_unique(properties, relationships)
    return Ontology(tuple(sorted(labels.values())), properties, relationships)


def _subjects(graph: Graph, cls: URIRef) -> list[URIRef]:
    """Subjects of a type that carry a graph name, sorted for a stable derivation."""
    found = [s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)]
    return sorted(s for s in found if (s, SIL.graphName, None) in graph)


def _labels(graph: Graph) -> dict[str, str]:
    labels: dict[str, str] = {}
    for cls in graph.subjects(SIL.graphLabel, None):
        if not isinstance(cls, URIRef):
            raise InvalidOntologyError(f"{cls} has sil:graphLabel but is a blank node")
        if (cls, RDF.type, OWL.Class) not in graph:
            raise InvalidOntologyError(f"{cls} has sil:graphLabel but is not an owl:Class")
        labels[str(cls)] = _one(graph, cls, SIL.graphLabel)
    return labels


def _property(graph: Graph, prop: URIRef, label_of: dict[str, str]) -> PropertyDef:
    index = graph.value(prop, SIL["index"])
    if index is not None and str(index) not in INDEX_KINDS:
        raise InvalidOntologyError(f"{prop}: sil:index {index!s} is not one of {INDEX_KINDS}")
    datatype = graph.value(prop, RDFS.range) or XSD.string
    return PropertyDef(
        iri=str(prop),
        name=_one(graph, prop, SIL.graphName),
        datatype=str(datatype),
        applies_to=_applies_to(graph, prop, label_of),
        index=str(index) if index is not None else None,
        required=_flag(graph, prop, SIL.required),
        multiple=_flag(graph, prop, SIL.multiple),
    )


def _applies_to(graph: Graph, prop: URIRef, label_of: dict[str, str]) -> tuple[str, ...]:
    classes = sorted(str(c) for c in graph.objects(prop, SIL.appliesTo))
    if not classes:
        raise InvalidOntologyError(f"{prop} has no sil:appliesTo")
    missing = [c for c in classes if c not in label_of]
    if missing:
        raise InvalidOntologyError(f"{prop}: sil:appliesTo names unlabelled classes: {missing}")
    return tuple(label_of[c] for c in classes)


def _one(graph: Graph, subject: URIRef, predicate: URIRef) -> str:
    values = list(graph.objects(subject, predicate))
    if len(values) != 1:
        raise InvalidOntologyError(f"{subject} needs exactly one {predicate}, has {len(values)}")
    return str(values[0])


def _flag(graph: Graph, subject: URIRef, predicate: URIRef) -> bool:
    value = graph.value(subject, predicate)
    return isinstance(value, Literal) and value.toPython() is True


def _check_unique(props: tuple[PropertyDef, ...], rels: tuple[RelationshipDef, ...]) -> None:
    names = [p.name for p in props] + [r.name for r in rels]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise InvalidOntologyError(f"graph names used twice: {duplicated}")
