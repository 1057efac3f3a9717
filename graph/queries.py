"""Every Cypher statement Silsila runs.

Values go only as $parameters; identifiers come only from the ontology.
"""

from __future__ import annotations

from collections.abc import Iterable

from ontology.model import Ontology
from ontology.terms import Label, Rel

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


def merge_nodes(
    label: str, extra_labels: Iterable[str] = (), kind_labels: Iterable[str] = ()
) -> str:
    """Upsert a batch of nodes of one record type on their deterministic id.

    `SET n = ...` replaces every property and the kind labels are reset first, so a
    reloaded record converges to its file.
    """
    remove = "".join(f":{ident(x)}" for x in kind_labels)
    extra = "".join(f", n:{ident(x)}" for x in extra_labels)
    return (
        f"UNWIND $rows AS row MERGE (n:{ident(label)} {{id: row.id}}) "
        + (f"REMOVE n{remove} " if remove else "")
        + f"SET n = row.properties{extra}"
    )


def delete_outgoing(label: str) -> str:
    """Drop the outgoing relationships of nodes about to be rewritten; list their citations."""
    return (
        f"UNWIND $ids AS id MATCH (n:{ident(label)} {{id: id}})-[r]->(m) "
        f"WITH r, CASE WHEN type(r) = '{Rel.CITED_IN}' THEN m.id END AS cited "
        "DELETE r RETURN collect(DISTINCT cited) AS cited"
    )


def merge_links(rel: str, from_label: str, to_label: str) -> str:
    """Upsert a batch of relationships between nodes found by label and id."""
    return (
        f"UNWIND $rows AS row MATCH (a:{ident(from_label)} {{id: row.from}}) "
        f"MATCH (b:{ident(to_label)} {{id: row.to}}) MERGE (a)-[:{ident(rel)}]->(b) "
        "RETURN count(*) AS linked"
    )


DELETE_UNCITED_CITATIONS = (
    f"UNWIND $ids AS id MATCH (c:{ident(Label.CITATION)} {{id: id}}) "
    f"WHERE NOT ()-[:{ident(Rel.CITED_IN)}]->(c) DETACH DELETE c"
)


def labels_of_ids(root_labels: Iterable[str]) -> str:
    """Labels of the nodes with the given ids, looked up through each root label's index."""
    branches = " UNION ".join(
        f"MATCH (n:{ident(label)} {{id: id}}) RETURN n" for label in root_labels
    )
    return (
        f"UNWIND $ids AS id CALL (id) {{ {branches} }} "
        "RETURN n.id AS id, labels(n) AS labels LIMIT $limit"
    )


def node_properties(label: str) -> str:
    """The properties of nodes of one label, by id (bounded by $limit)."""
    return (
        f"MATCH (n:{ident(label)}) WHERE n.id IN $ids "
        "RETURN n.id AS id, properties(n) AS properties ORDER BY id LIMIT $limit"
    )


# Identifiers for query templates: `{AGGREGATE_FIGURE}` is the back-ticked label, and so on.
_TERMS = {m.name: ident(m.value) for enum in (Label, Rel) for m in enum}


def _cypher(template: str) -> str:
    """Fill a template's `{NAME}` placeholders with ontology identifiers."""
    return template.format(**_TERMS)


# Compares a report's summary figures with the same measures summed over the incidents the
# report itself describes. Places nest at most 6 deep (neighbourhood .. country).
REPORT_FIGURES_VS_INCIDENTS = _cypher("""
MATCH (f:{AGGREGATE_FIGURE})-[:{IN_REPORT}]->(s:{SOURCE} {{id: $source}})
OPTIONAL MATCH (f)-[:{FOR_PARTY}]->(party:{ACTOR})
OPTIONAL MATCH (f)-[:{FOR_GOVERNORATE}]->(gov:{PLACE})
CALL (f, party, gov, s) {{
  MATCH (e:{EVENT})-[:{CITED_IN}]->(:{CITATION})-[:{FROM_SOURCE}]->(s)
  WHERE (e.start IS NULL OR f.period IS NULL
         OR (e.start_earliest >= f.period_earliest AND e.start_latest <= f.period_latest))
    AND (party IS NULL OR EXISTS {{
          (e)<-[:{OF_EVENT}]-(a:{ATTRIBUTION})-[:{OF_ACTOR}]->(party)
          WHERE a.role = 'perpetrator' }})
    AND (gov IS NULL OR EXISTS {{
          (e)-[:{AT_PLACE}]->(:{PLACE})-[:{WITHIN}*0..6]->(gov) }})
  WITH DISTINCT e
  OPTIONAL MATCH (e)<-[:{OF_EVENT}]-(c:{CASUALTY_COUNT})-[:{CITED_IN}]->(:{CITATION})
        -[:{FROM_SOURCE}]->(s)
  WHERE c.scope IS NULL
  WITH e, head(collect(c)) AS c
  RETURN count(e) AS events, count(CASE WHEN e:{MASSACRE} THEN 1 END) AS massacres,
         sum(c.killed) AS killed, sum(c.children) AS children, sum(c.women) AS women
}}
RETURN f.id AS figure, f.table AS table, f.category AS category, f.period AS period,
       party.id AS party, gov.id AS governorate,
       {{massacres: f.massacres, killed: f.killed, children: f.children, women: f.women}}
         AS reported,
       {{massacres: massacres, killed: killed, children: children, women: women}} AS computed,
       events
ORDER BY table, figure
LIMIT $limit
""")


def nodes_page(root_label: str) -> str:
    """A page of nodes of one root label after $after, by id, with their outgoing links."""
    return (
        f"MATCH (n:{ident(root_label)}) WHERE n.id > $after "
        "WITH n ORDER BY n.id LIMIT $limit "
        "RETURN n.id AS id, labels(n) AS labels, properties(n) AS properties, "
        "[(n)-[r]->(m) | [type(r), m.id]] AS out"
    )
