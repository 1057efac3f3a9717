"""`SilsilaError`, the root of every Silsila error, and the ontology package's own errors.

It lives here, in the bottom package, so every package can derive its errors from it: the
ontology's `OntologyError`, the graph's `GraphError`, the loaders' `LoaderError` and the API's
`ApiError`. Catch `SilsilaError` to handle any error Silsila raises on purpose (the CLI prints
it as one line, the API maps it to an HTTP status); anything else is a bug.
"""

from __future__ import annotations


class SilsilaError(Exception):
    """Root of every error Silsila raises; its message says what went wrong and what to do."""


class OntologyError(SilsilaError):
    """Root of every error the ontology package raises."""


class InvalidOntologyError(OntologyError):
    """The Turtle file breaks a rule the derivation relies on; the message names the term."""


class StaleDerivedFileError(OntologyError):
    """A file derived from the ontology no longer matches it; regenerate it."""
