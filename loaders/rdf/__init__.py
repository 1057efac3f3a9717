"""RDF in Silsila's ontology terms (as `silsila export --format` writes it) back into records."""

from loaders.rdf.reader import read_rdf

__all__ = ["read_rdf"]
