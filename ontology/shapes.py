"""Validate RDF against ontology/shapes.ttl with pyshacl, as findings a person can act on."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyshacl import validate
from rdflib import RDF, BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from ontology.errors import OntologyError

SHAPES = Path(__file__).parent / "shapes.ttl"


class ShapesError(OntologyError):
    """pyshacl could not run the shapes (a broken shapes file, not bad data)."""


@dataclass(frozen=True)
class ShapeResult:
    """One SHACL result: which resource, which property, what is wrong, how bad."""

    focus: str
    path: str
    message: str
    severity: str  # "Violation", "Warning" or "Info"

    @property
    def is_violation(self) -> bool:
        return self.severity == "Violation"


@cache
def shapes_graph() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


# Where a shape names a predicate of the data, besides the targets' rdf:type.
_PREDICATE_SLOTS = (SH.path, SH.lessThanOrEquals, SH.lessThan, SH.equals, SH.disjoint)


@cache
def read_predicates() -> frozenset[URIRef]:
    """Every predicate of the data the shapes read: their paths, the properties they compare,
    the predicates of their SPARQL, and rdf:type. The data's other triples (names, search keys,
    ids) change no result, so a check may leave them out: most of an import's triples are those."""
    shapes = shapes_graph()
    found: set[URIRef] = {RDF.type}
    for slot in _PREDICATE_SLOTS:
        for value in shapes.objects(None, slot):
            found |= _path_predicates(shapes, value)
    for text in shapes.objects(None, SH.select):
        found |= _sparql_predicates(shapes, str(text))
    return frozenset(found)


def _path_predicates(shapes: Graph, path: Node) -> set[URIRef]:
    """The predicates of a SHACL path: one IRI, a sequence (a list), or an alternative,
    inverse or repeated path (a node whose one value is again a path)."""
    if isinstance(path, URIRef):
        return {path}
    steps = list(Collection(shapes, path)) if shapes.value(path, RDF.first) is not None else []
    steps += [o for p, o in shapes.predicate_objects(path) if p not in (RDF.first, RDF.rest)]
    return {iri for step in steps for iri in _path_predicates(shapes, step)}


def _sparql_predicates(shapes: Graph, text: str) -> set[URIRef]:
    """The IRIs a SPARQL query of the shapes matches as predicates, with the prefixes the shapes
    declare."""
    prefixes = {
        str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
        for d in shapes.objects(None, SH.declare)
    }
    try:
        query = prepareQuery(text, initNs=prefixes)
    except Exception as e:  # pyparsing's and rdflib's own errors alike
        raise ShapesError(f"a SPARQL query in {SHAPES} does not parse: {e}") from e
    return set(_triple_predicates(query.algebra))


def _triple_predicates(part: object) -> list[URIRef]:
    if isinstance(part, CompValue):
        triples = (part.get("triples") or []) if part.name == "BGP" else []
        found = [p for _, p, _ in triples if isinstance(p, URIRef)]
        return found + [iri for value in part.values() for iri in _triple_predicates(value)]
    if isinstance(part, list | tuple):
        return [iri for value in part for iri in _triple_predicates(value)]
    return []


def check(data: Graph) -> list[ShapeResult]:
    """Every SHACL result for the data, violations and warnings alike, sorted.

    DATA is checked where it is (`inplace`): the shapes have no rules and ask for no
    inference, so nothing is added to it, and copying it first took a third of the check.
    """
    try:
        _, report, _ = validate(data, shacl_graph=shapes_graph(), advanced=True, inplace=True)
    except Exception as e:  # pyshacl raises bare Exceptions for broken shapes
        raise ShapesError(f"pyshacl could not validate with {SHAPES}: {e}") from e
    if not isinstance(report, Graph):
        raise ShapesError("pyshacl returned no report graph")
    results = [_result(report, node) for node in report.subjects(SH.resultSeverity, None)]
    return sorted(results, key=lambda r: (r.focus, r.path, r.message))


def _result(report: Graph, node: Node) -> ShapeResult:
    def value(predicate: URIRef) -> str:
        found = report.value(node, predicate)
        return "" if found is None else str(found)

    return ShapeResult(
        focus=value(SH.focusNode),
        path=_path_text(report, report.value(node, SH.resultPath)),
        message=value(SH.resultMessage),
        severity=value(SH.resultSeverity).rsplit("#", 1)[-1],
    )


def _path_text(report: Graph, path: Node | None) -> str:
    """`hasCitation`, `hasCitation/fromSource` for a sequence path, `quote|access_point` for
    alternatives (SPARQL's property path syntax); "" for none."""
    if path is None:
        return ""
    if isinstance(path, BNode):
        for graph in (report, shapes_graph()):
            alternatives = graph.value(path, SH.alternativePath)
            steps = list(Collection(graph, alternatives or path))
            if steps:
                joint = "|" if alternatives is not None else "/"
                return joint.join(_path_text(graph, step) for step in steps)
        return ""
    return str(path).rsplit("#", 1)[-1]
