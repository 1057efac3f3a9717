"""Errors raised by the ontology package; every one derives from OntologyError."""

from __future__ import annotations


class OntologyError(Exception):
    """Root of every error the ontology package raises."""


class InvalidOntologyError(OntologyError):
    """The Turtle file breaks a rule the derivation relies on; the message names the term."""


class StaleDerivedFileError(OntologyError):
    """A file derived from the ontology no longer matches it; regenerate it."""
