"""The ontology read from Turtle into the few facts the graph and loaders derive from it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any, TypeVar

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from ontology.errors import InvalidOntologyError

TURTLE = Path(__file__).parent / "silsila.ttl"
SIL = Namespace("https://w3id.org/silsila/ontology#")
INDEX_KINDS = frozenset({"unique", "range", "fulltext"})
PARTIAL_DATE = str(SIL.PartialDate)
OTHER_KIND = "other"
# What a partial date X is stored as besides its text: the range of days it may mean.
DATE_BOUNDS = ("earliest", "latest")
# Kind combinations whose labels an ontology remembers: the known ones are a few dozen.
MAX_REMEMBERED_KINDS = 10_000


@dataclass(frozen=True)
class ClassDef:
    """An ontology class with a graph label."""

    iri: str
    label: str
    parents: tuple[str, ...]
    kind_value: str | None = None
    display: str = ""  # its rdfs:label: what a reader is shown


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
    allowed: tuple[str, ...] = ()
    selects_kind_of: str | None = None
    display: str = ""  # its rdfs:label: what a reader is shown

    @property
    def is_date(self) -> bool:
        return self.datatype == PARTIAL_DATE

    def bound_names(self) -> tuple[str, ...]:
        """The derived keys holding a partial date's earliest and latest day."""
        return tuple(f"{self.name}_{bound}" for bound in DATE_BOUNDS) if self.is_date else ()


@dataclass(frozen=True)
class RelationshipDef:
    """An object property: a record field naming another record, stored as a relationship."""

    iri: str
    name: str
    field: str
    targets: tuple[str, ...]
    applies_to: tuple[str, ...]
    required: bool = False
    multiple: bool = False
    embedded: bool = False
    display: str = ""  # its rdfs:label: what a reader is shown


_Term = TypeVar("_Term", PropertyDef, RelationshipDef)  # what `appliesTo` classes


@dataclass(frozen=True)
class Ontology:
    """Classes, properties and relationship types, in the Turtle file's terms."""

    classes: tuple[ClassDef, ...]
    properties: tuple[PropertyDef, ...]
    relationships: tuple[RelationshipDef, ...]

    @cached_property
    def labels(self) -> tuple[str, ...]:
        """Every node label, sorted."""
        return tuple(sorted(c.label for c in self.classes))

    @cached_property
    def _by_label(self) -> dict[str, ClassDef]:
        return {c.label: c for c in self.classes}

    @cached_property
    def record_types(self) -> tuple[str, ...]:
        """Labels a record may name as its type (kind-selected subclasses are reached by kind)."""
        return tuple(sorted(c.label for c in self.classes if c.kind_value is None))

    def ancestors(self, label: str) -> tuple[str, ...]:
        """The label and every label above it, nearest first."""
        return self._ancestors[label]

    @cached_property
    def _ancestors(self) -> dict[str, tuple[str, ...]]:
        """Every label's ancestors, computed once (loaders ask per record)."""
        lineages = {}
        for cls in self.classes:
            found: list[str] = []
            queue = [cls.label]
            while queue:
                current = queue.pop(0)
                if current not in found:
                    found.append(current)
                    queue += self._by_label[current].parents
            lineages[cls.label] = tuple(found)
        return lineages

    def subclass_for(self, label: str, kind: str) -> str | None:
        """The subclass of LABEL whose kind value is KIND, if any."""
        for c in self.classes:
            if c.kind_value == kind and label in c.parents:
                return c.label
        return None

    def kind_labels(self, label: str) -> tuple[str, ...]:
        """Labels a node of this record type may gain through a kind field."""
        return self._kind_labels[label]

    @cached_property
    def _kind_labels(self) -> dict[str, tuple[str, ...]]:
        kinds = [c for c in self.classes if c.kind_value]
        return {
            label: tuple(sorted(c.label for c in kinds if set(lineage) & set(c.parents)))
            for label, lineage in self._ancestors.items()
        }

    def labels_of_node(self, label: str, values: Mapping[str, Any]) -> tuple[str, ...]:
        """A node's labels: its record type, the ancestors, and the subclass (with its
        ancestors) that each kind field's value in VALUES selects. Remembered per kind values
        (up to MAX_REMEMBERED_KINDS of them): loaders ask for every node."""
        fields = self._kind_fields[label]
        kinds = tuple(v if isinstance(v := values.get(p.name), str) else None for p in fields)
        known = self._labels_of_node.get((label, kinds))
        if known is None:
            labels = list(self.ancestors(label))
            for prop, kind in zip(fields, kinds, strict=True):
                if kind is not None and prop.selects_kind_of is not None:
                    sub = self.subclass_for(prop.selects_kind_of, kind)
                    labels += [a for a in self.ancestors(sub or label) if a not in labels]
            known = tuple(labels)
            if len(self._labels_of_node) < MAX_REMEMBERED_KINDS:  # a file's junk kinds are many
                self._labels_of_node[(label, kinds)] = known
        return known

    @cached_property
    def _kind_fields(self) -> dict[str, tuple[PropertyDef, ...]]:
        return {
            label: tuple(p for p in props if p.selects_kind_of is not None)
            for label, props in self._properties_by_label.items()
        }

    @cached_property
    def _labels_of_node(self) -> dict[tuple[str, tuple[str | None, ...]], tuple[str, ...]]:
        return {}

    def has_property(self, label: str, name: str) -> bool:
        """Whether a node with this label may carry the property NAME."""
        return name in self._property_names[label]

    @cached_property
    def _property_names(self) -> dict[str, frozenset[str]]:
        return {
            label: frozenset(p.name for p in props)
            for label, props in self._properties_by_label.items()
        }

    def kind_values(self, label: str) -> tuple[str, ...]:
        """The kind values that select subclasses of LABEL, plus "other"."""
        kinds = sorted(c.kind_value for c in self.classes if c.kind_value and label in c.parents)
        return (*kinds, OTHER_KIND)

    def properties_of(self, label: str) -> tuple[PropertyDef, ...]:
        """The datatype properties a node with this label may carry (inherited too)."""
        return self._properties_by_label[label]

    def relationships_of(self, label: str) -> tuple[RelationshipDef, ...]:
        """The record fields naming other records that this label may carry (inherited too)."""
        return self._relationships_by_label[label]

    @cached_property
    def _properties_by_label(self) -> dict[str, tuple[PropertyDef, ...]]:
        return self._applying(self.properties)

    @cached_property
    def _relationships_by_label(self) -> dict[str, tuple[RelationshipDef, ...]]:
        return self._applying(self.relationships)

    def _applying(self, terms: tuple[_Term, ...]) -> dict[str, tuple[_Term, ...]]:
        """For every label, the TERMS that apply to it or to one of its ancestors."""
        return {
            label: tuple(t for t in terms if set(lineage) & set(t.applies_to))
            for label, lineage in self._ancestors.items()
        }

    @cached_property
    def root_labels(self) -> tuple[str, ...]:
        """The record types with no labelled ancestor: every node has exactly one of them."""
        return tuple(t for t in self.record_types if len(self.ancestors(t)) == 1)

    def indexed(self, kind: str) -> tuple[tuple[str, str], ...]:
        """(label, property key) pairs that carry an index of this kind.

        Uniqueness holds on every record type that carries the property, so that a lookup
        by the label a query names is served by an index. Range indexes on partial dates
        cover their derived day bounds too.
        """
        pairs: list[tuple[str, str]] = []
        for prop in self.properties:
            if prop.index != kind:
                continue
            labels = prop.applies_to
            if kind == "unique":
                labels = tuple(t for t in self.record_types if prop in self.properties_of(t))
            names = (prop.name, *prop.bound_names()) if kind == "range" else (prop.name,)
            pairs += [(label, name) for label in labels for name in names]
        return tuple(sorted(pairs))

    def fulltext_labels(self) -> tuple[str, ...]:
        """Labels covered by the name search index."""
        return tuple(sorted({label for label, _ in self.indexed("fulltext")}))

    def fulltext_properties(self) -> tuple[str, ...]:
        """Properties covered by the name search index."""
        return tuple(sorted({p.name for p in self.properties if p.index == "fulltext"}))

    def property_keys(self) -> tuple[str, ...]:
        """Every property key the graph uses, derived keys included."""
        keys = {p.name for p in self.properties}
        keys |= {b for p in self.properties for b in p.bound_names()}
        return tuple(sorted(keys))


@cache
def load(path: Path = TURTLE) -> Ontology:
    """Parse the ontology once and check every cross-reference the derivation needs."""
    graph = Graph().parse(path, format="turtle")
    classes = _classes(graph)
    label_of = {c.iri: c.label for c in classes}
    properties = tuple(
        _property(graph, p, label_of) for p in _subjects(graph, OWL.DatatypeProperty)
    )
    relationships = tuple(
        _relationship(graph, p, label_of) for p in _subjects(graph, OWL.ObjectProperty)
    )
    _check_unique(properties, relationships)
    return Ontology(classes, properties, relationships)


def _subjects(graph: Graph, cls: URIRef) -> list[URIRef]:
    """Subjects of a type that carry a graph name, sorted for a stable derivation."""
    found = [s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)]
    return sorted(s for s in found if (s, SIL.graphName, None) in graph)


def _classes(graph: Graph) -> tuple[ClassDef, ...]:
    labelled = sorted(c for c in graph.subjects(SIL.graphLabel, None) if isinstance(c, URIRef))
    iris = set(labelled)
    classes = []
    for cls in labelled:
        if (cls, RDF.type, OWL.Class) not in graph:
            raise InvalidOntologyError(f"{cls} has sil:graphLabel but is not an owl:Class")
        parents = sorted(
            p for p in graph.objects(cls, RDFS.subClassOf) if isinstance(p, URIRef) and p in iris
        )
        kind = graph.value(cls, SIL.kindValue)
        classes.append(
            ClassDef(
                iri=str(cls),
                label=_one(graph, cls, SIL.graphLabel),
                parents=tuple(_one(graph, p, SIL.graphLabel) for p in parents),
                kind_value=str(kind) if kind is not None else None,
                display=_display(graph, cls),
            )
        )
    return tuple(classes)


def _property(graph: Graph, prop: URIRef, label_of: dict[str, str]) -> PropertyDef:
    index = graph.value(prop, SIL["index"])
    if index is not None and str(index) not in INDEX_KINDS:
        raise InvalidOntologyError(f"{prop}: sil:index {index!s} is not one of {INDEX_KINDS}")
    datatype = graph.value(prop, RDFS.range) or XSD.string
    selects = graph.value(prop, SIL.selectsKindOf)
    if selects is not None and str(selects) not in label_of:
        raise InvalidOntologyError(f"{prop}: sil:selectsKindOf names an unlabelled class")
    return PropertyDef(
        iri=str(prop),
        name=_one(graph, prop, SIL.graphName),
        datatype=str(datatype),
        applies_to=_labels_of(graph, prop, SIL.appliesTo, label_of),
        index=str(index) if index is not None else None,
        required=_flag(graph, prop, SIL.required),
        multiple=_flag(graph, prop, SIL.multiple),
        allowed=tuple(sorted(str(v) for v in graph.objects(prop, SIL.allowedValue))),
        selects_kind_of=label_of[str(selects)] if selects is not None else None,
        display=_display(graph, prop),
    )


def _relationship(graph: Graph, prop: URIRef, label_of: dict[str, str]) -> RelationshipDef:
    return RelationshipDef(
        iri=str(prop),
        name=_one(graph, prop, SIL.graphName),
        field=_one(graph, prop, SIL.field),
        targets=_labels_of(graph, prop, SIL.target, label_of),
        applies_to=_labels_of(graph, prop, SIL.appliesTo, label_of),
        required=_flag(graph, prop, SIL.required),
        multiple=_flag(graph, prop, SIL.multiple),
        embedded=_flag(graph, prop, SIL.embedded),
        display=_display(graph, prop),
    )


def _labels_of(
    graph: Graph, prop: URIRef, predicate: URIRef, label_of: dict[str, str]
) -> tuple[str, ...]:
    classes = sorted(str(c) for c in graph.objects(prop, predicate))
    if not classes:
        raise InvalidOntologyError(f"{prop} has no {predicate}")
    missing = [c for c in classes if c not in label_of]
    if missing:
        raise InvalidOntologyError(f"{prop}: {predicate} names unlabelled classes: {missing}")
    return tuple(label_of[c] for c in classes)


def _display(graph: Graph, subject: URIRef) -> str:
    """The term's English rdfs:label (the first label when none is marked English)."""
    labels = [v for v in graph.objects(subject, RDFS.label) if isinstance(v, Literal)]
    english = [v for v in labels if v.language in (None, "en")]
    return str((english or labels)[0]) if labels else ""


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
    fields = [p.name for p in props] + [r.field for r in rels]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    duplicated += sorted({f for f in fields if fields.count(f) > 1})
    if duplicated:
        raise InvalidOntologyError(f"graph names or record fields used twice: {duplicated}")
