"""The graph as RDF in the ontology's terms (`silsila export turtle|jsonld|nt`).

One exporter per serialisation, all of `graph.db.export.export_rdf` (the nodes and links read
back, `ontology.rdf.to_rdf` without derived values); `silsila import-rdf` reads them back.
"""

from __future__ import annotations

from collections.abc import Callable

from neo4j import Driver

from graph.db.export import RDF_FORMATS, export_rdf
from graph.db.settings import Settings
from loaders.formats import TextExport
from ontology.model import Ontology

# name -> (file suffix, how help describes it)
SERIALISATIONS = {
    "turtle": ("ttl", "Turtle"),
    "jsonld": ("jsonld", "JSON-LD"),
    "nt": ("nt", "N-Triples"),
}


def _serializer(name: str) -> Callable[[Driver, Settings, Ontology], str]:
    def serialize(driver: Driver, settings: Settings, ontology: Ontology) -> str:
        return export_rdf(driver, settings, ontology).serialize(format=RDF_FORMATS[name])

    return serialize


EXPORTS = tuple(
    TextExport(
        name=name,
        summary=f"RDF ({title}) in the ontology's terms",
        default_name=f"graph.{suffix}",
        wrote="RDF",
        text=_serializer(name),
    )
    for name, (suffix, title) in SERIALISATIONS.items()
)
