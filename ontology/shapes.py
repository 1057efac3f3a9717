"""Validate RDF against ontology/shapes.ttl with pyshacl, as findings a person can act on."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyshacl import validate
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
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
