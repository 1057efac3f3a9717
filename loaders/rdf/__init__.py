"""RDF in Silsila's ontology terms: written by `silsila export turtle|jsonld|nt` (`EXPORTS`),
read back into records by `read_rdf` (`silsila import-rdf`)."""

from loaders.rdf.export import EXPORTS
from loaders.rdf.reader import read_rdf

__all__ = ["EXPORTS", "read_rdf"]
