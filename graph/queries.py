"""Every Cypher statement Silsila runs.

Values go only as $parameters; identifiers come only from the ontology.
"""

from __future__ import annotations

from collections.abc import Iterable

from ontology.model import Ontology

SERVER_VERSION = (
    "CALL dbms.components() YIELD name, versions, edition "
    "WHERE name = 'Neo4j Kernel' RETURN versions[0] AS version, edition"
)

# Used by tests and `db reset`: deletes in batches so a large graph does not exhaust the heap.
DELETE_ALL = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"

NAME_SEARCH_INDEX = "name_search"


def ident(name: str) -> str:
    """Back-tick an identifier taken from the ontology."""
    return "`" + name.replace("`", "``") + "`"


def schema_statements(ontology: Ontology) -> list[str]:
    """Constraints and indexes derived from the ontology; idempotent (IF NOT EXISTS)."""
    statements = [
        f"CREATE CONSTRAINT {ident(f'{label}_{prop}_unique')} IF NOT EXISTS "
        f"FOR (n:{ident(label)}) REQUIRE n.{ident(prop)} IS UNIQUE"
        for label, prop in ontology.indexed("unique")
    ]
    statements += [
        f"CREATE RANGE INDEX {ident(f'{label}_{prop}_range')} IF NOT EXISTS "
        f"FOR (n:{ident(label)}) ON (n.{ident(prop)})"
        for label, prop in ontology.indexed("range")
    ]
    labels = "|".join(ident(label) for label in ontology.fulltext_labels())
    props = ", ".join(f"n.{ident(p)}" for p in ontology.fulltext_properties())
    if labels:
        statements.append(
            f"CREATE FULLTEXT INDEX {ident(NAME_SEARCH_INDEX)} IF NOT EXISTS "
            f"FOR (n:{labels}) ON EACH [{props}]"
        )
    return statements


def count_by_label(labels: Iterable[str]) -> str:
    """One row, `counts`, mapping each label to its node count (served from the count store)."""
    entries = ", ".join(f"{ident(label)}: COUNT {{ (:{ident(label)}) }}" for label in labels)
    return f"RETURN {{{entries}}} AS counts"


def merge_nodes(label: str) -> str:
    """Upsert a batch of nodes of one label on their deterministic id."""
    return (
        f"UNWIND $rows AS row MERGE (n:{ident(label)} {{id: row.id}}) "
        "ON CREATE SET n += row.properties "
        "ON MATCH SET n += row.properties"
    )


def node_properties(label: str) -> str:
    """The properties of nodes of one label, by id (bounded by $limit)."""
    return (
        f"MATCH (n:{ident(label)}) WHERE n.id IN $ids "
        "RETURN n.id AS id, properties(n) AS properties ORDER BY id LIMIT $limit"
    )
