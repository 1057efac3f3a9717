"""Read RDF written in the ontology's terms into records for the shared pipeline."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from rdflib import Graph

from loaders.errors import SourceFileError
from loaders.pipeline import Record
from ontology import rdf
from ontology.model import Ontology, RelationshipDef

SUFFIX_FORMATS = {".ttl": "turtle", ".jsonld": "json-ld", ".json": "json-ld", ".nt": "nt"}


def read_rdf(path: Path, ontology: Ontology) -> list[Record]:
    """Records rebuilt from RDF: citations folded back into their owners."""
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise SourceFileError(f"{path}: unknown RDF suffix; use one of {sorted(SUFFIX_FORMATS)}")
    try:
        graph = Graph().parse(path, format=fmt)
    except Exception as e:  # rdflib raises many unrelated types for bad input
        raise SourceFileError(f"{path}: not valid {fmt}: {e}") from e
    nodes, links = rdf.from_rdf(ontology, graph)
    return _records(path, nodes, links, ontology)


def _records(
    path: Path, nodes: list[rdf.GraphNode], links: list[rdf.GraphLink], ontology: Ontology
) -> list[Record]:
    by_id = {n.id: n for n in nodes}
    out: dict[str, list[rdf.GraphLink]] = defaultdict(list)
    for link in links:
        out[link.from_id].append(link)
    embedded = {r.targets[0]: r for r in ontology.relationships if r.embedded}
    records = []
    for node in sorted(nodes, key=lambda n: n.id):
        label = _record_type(node, ontology)
        if label in embedded:
            continue
        values: dict[str, Any] = dict(node.properties)
        for rel in ontology.relationships_of(label):
            targets = sorted(x.to_id for x in out[node.id] if x.rel == rel.name)
            if not targets:
                continue
            if rel.embedded:
                values[rel.field] = [_embedded(by_id[t], out[t], ontology) for t in targets]
            else:
                values[rel.field] = targets if rel.multiple else targets[0]
        records.append(Record(label, values, f"{path}#{node.id}", 0))
    return records


def _record_type(node: rdf.GraphNode, ontology: Ontology) -> str:
    """The most specific record type among the node's labels."""
    types = [label for label in node.labels if label in ontology.record_types]
    if not types:
        raise SourceFileError(f"{node.id}: none of its classes {node.labels} is a record type")
    return max(types, key=lambda t: len(ontology.ancestors(t)))


def _embedded(
    node: rdf.GraphNode, links: list[rdf.GraphLink], ontology: Ontology
) -> dict[str, Any]:
    """An inline object (a citation) without its derived id."""
    values = {k: v for k, v in node.properties.items() if k != "id"}
    rels: list[RelationshipDef] = list(ontology.relationships_of(_record_type(node, ontology)))
    for rel in rels:
        targets = [x.to_id for x in links if x.rel == rel.name]
        if targets:
            values[rel.field] = targets if rel.multiple else targets[0]
    return values
