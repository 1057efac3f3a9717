"""Python names for the ontology's graph terms.

GENERATED from ontology/silsila.ttl by `silsila ontology generate`: do not edit by hand.
"""

from enum import StrEnum


class Label(StrEnum):
    """A Neo4j node label."""

    EVENT = "Event"
    ORGANIZATION = "Organization"
    PERSON = "Person"
    PLACE = "Place"
    SOURCE = "Source"


class Prop(StrEnum):
    """A Neo4j property key."""

    ALIASES = "aliases"
    FILE = "file"
    ID = "id"
    KIND = "kind"
    NAME = "name"
    PUBLISHED = "published"
    PUBLISHER = "publisher"
    TITLE = "title"


class Rel(StrEnum):
    """A Neo4j relationship type."""

    LOCATED_IN = "LOCATED_IN"
