"""Every Cypher statement Silsila runs.

Values go only as $parameters; identifiers come only from the ontology.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ontology.model import Ontology
from ontology.terms import Label, Rel

SERVER_VERSION = (
    "CALL dbms.components() YIELD name, versions, edition "
    "WHERE name = 'Neo4j Kernel' RETURN versions[0] AS version, edition"
)

# Used by tests and `db reset`: deletes in batches so a large graph does not exhaust the heap.
# Relationships first, in small transactions: a node with a million relationships (a source
# every imported row cites) would not fit one transaction's memory if deleted with them.
DELETE_ALL = (
    "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
    "MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS",
)

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


def _nodes_by_id(root_labels: Iterable[str]) -> str:
    """`n` for each of $ids in the graph, looked up through each root label's id index."""
    branches = " UNION ".join(
        f"MATCH (n:{ident(label)} {{id: id}}) RETURN n" for label in root_labels
    )
    return f"UNWIND $ids AS id CALL (id) {{ {branches} }} "


def labels_of_ids(root_labels: Iterable[str]) -> str:
    """Labels of the nodes with the given ids."""
    return _nodes_by_id(root_labels) + "RETURN n.id AS id, labels(n) AS labels LIMIT $limit"


def node_properties(label: str) -> str:
    """The properties of nodes of one label, by id (bounded by $limit)."""
    return (
        f"MATCH (n:{ident(label)}) WHERE n.id IN $ids "
        "RETURN n.id AS id, properties(n) AS properties ORDER BY id LIMIT $limit"
    )


# Identifiers for query templates: `{AGGREGATE_FIGURE}` is the back-ticked label, and so on.
_TERMS = {m.name: ident(m.value) for enum in (Label, Rel) for m in enum}


def _cypher(template: str) -> str:
    """Fill a template's `{NAME}` placeholders (upper-case) with ontology identifiers.

    Other braces are Cypher's own (maps, subqueries) and are left alone.
    """
    return re.sub(r"\{([A-Z_]+)\}", lambda m: _TERMS[m.group(1)], template)


# Compares a report's summary figures with the same measures summed over the incidents the
# report itself describes. Places nest at most 6 deep (neighbourhood .. country).
REPORT_FIGURES_VS_INCIDENTS = _cypher("""
MATCH (f:{AGGREGATE_FIGURE})-[:{IN_REPORT}]->(s:{SOURCE} {id: $source})
OPTIONAL MATCH (f)-[:{FOR_PARTY}]->(party:{ACTOR})
OPTIONAL MATCH (f)-[:{FOR_GOVERNORATE}]->(gov:{PLACE})
CALL (f, party, gov, s) {
  MATCH (e:{EVENT})-[:{CITED_IN}]->(:{CITATION})-[:{FROM_SOURCE}]->(s)
  WHERE (e.start IS NULL OR f.period IS NULL
         OR (e.start_earliest >= f.period_earliest AND e.start_latest <= f.period_latest))
    AND (party IS NULL OR EXISTS {
          (e)<-[:{OF_EVENT}]-(a:{ATTRIBUTION})-[:{OF_ACTOR}]->(party)
          WHERE a.role = 'perpetrator' })
    AND (gov IS NULL OR EXISTS {
          (e)-[:{AT_PLACE}]->(:{PLACE})-[:{WITHIN}*0..6]->(gov) })
  WITH DISTINCT e
  OPTIONAL MATCH (e)<-[:{OF_EVENT}]-(c:{CASUALTY_COUNT})-[:{CITED_IN}]->(:{CITATION})
        -[:{FROM_SOURCE}]->(s)
  WHERE c.scope IS NULL
  WITH e, head(collect(c)) AS c
  RETURN count(e) AS events, count(CASE WHEN e:{MASSACRE} THEN 1 END) AS massacres,
         sum(c.killed) AS killed, sum(c.children) AS children, sum(c.women) AS women
}
RETURN f.id AS figure, f.table AS table, f.category AS category, f.period AS period,
       party.id AS party, gov.id AS governorate,
       {massacres: f.massacres, killed: f.killed, children: f.children, women: f.women}
         AS reported,
       {massacres: massacres, killed: killed, children: children, women: women} AS computed,
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


# ----- investigative reads ------------------------------------------------------------
# Every read below takes $public (bool) and $hidden (the names and aliases of restricted
# persons, filled only for the public role): restricted identities are filtered here, in the
# queries, never after.

MAX_DEPTH = 6  # places nest at most 6 deep; chains and paths are bounded the same way


def _visible(var: str) -> str:
    """False for a restricted person when the public role asks."""
    return f"NOT ($public AND coalesce({var}.restricted, false))"


def _visible_claim(var: str) -> str:
    """False for a claim about or by a restricted person when the public role asks."""
    return _cypher(
        "NOT ($public AND EXISTS { (" + var + ")--(hidden:{PERSON}) WHERE hidden.restricted })"
    )


WITHHELD = "[withheld: names a restricted person]"
# What the public role sees in place of a restricted person named in an answer.
RESTRICTED_ID = "restricted"
RESTRICTED_NAME = "[restricted identity]"


def redacted(expr: str) -> str:
    """EXPR, unless the public role asks and it names a restricted person ($hidden)."""
    return (
        f"CASE WHEN $public AND any(h IN $hidden WHERE {expr} CONTAINS h) "
        f"THEN '{WITHHELD}' ELSE {expr} END"
    )


def citations(var: str) -> str:
    """A list of citation maps for the node VAR (quotes and locators naming a restricted
    person, and sources marked restricted, withheld from the public role)."""
    return _cypher(
        "[(" + var + ")-[:{CITED_IN}]->(q:{CITATION})-[:{FROM_SOURCE}]->(s:{SOURCE}) "
        "WHERE NOT ($public AND coalesce(s.restricted, false)) | "
        "{source: s.id, source_name: s.name, reliability: s.reliability, "
        "locator: " + redacted("q.locator") + ", quote: " + redacted("q.quote") + ", "
        "confidence: q.confidence, page: q.page, archive_url: q.archive_url, "
        "access_point: q.access_point}]"
    )


def tenure(var: str) -> str:
    """A map of the cited interval of the posting or relation VAR."""
    return (
        f"{var} {{.first_cited, .last_cited, .first_cited_is_start, .last_cited_is_end, "
        ".open_ended}"
    )


def entity(var: str) -> str:
    """A map naming the node VAR."""
    return (
        f"CASE WHEN {var} IS NULL THEN null "
        f"WHEN $public AND coalesce({var}.restricted, false) "
        f"THEN {{id: '{RESTRICTED_ID}', name: '{RESTRICTED_NAME}', labels: labels({var})}} "
        f"ELSE {{id: {var}.id, name: {var}.name, labels: labels({var})}} END"
    )


HIDDEN_NAMES = _cypher(
    "MATCH (p:{PERSON}) WHERE p.restricted = true "
    "RETURN p.name AS name, coalesce(p.aliases, []) AS aliases LIMIT $limit"
)

NODE_BY_ID = _cypher(
    """
UNWIND $roots AS root
CALL (root) {
  MATCH (n:{ACTOR} {id: $id}) WHERE root = 'Actor' RETURN n
  UNION MATCH (n:{EVENT} {id: $id}) WHERE root = 'Event' RETURN n
  UNION MATCH (n:{PLACE} {id: $id}) WHERE root = 'Place' RETURN n
  UNION MATCH (n:{SOURCE} {id: $id}) WHERE root = 'Source' RETURN n
  UNION MATCH (n:{CLAIM} {id: $id}) WHERE root = 'Claim' RETURN n
}
WITH n WHERE """
    + _visible("n")
    + """
RETURN n.id AS id, n.name AS name, labels(n) AS labels,
       n {.*, description: """
    + redacted("n.description")
    + """} AS properties LIMIT 1
"""
)

SEARCH = _cypher(
    """
CALL db.index.fulltext.queryNodes($index, $lucene, {limit: $fetch}) YIELD node, score
WHERE (size($types) = 0 OR any(l IN labels(node) WHERE l IN $types)) AND """
    + _visible("node")
    + """
RETURN node.id AS id, labels(node) AS labels, node.name AS name,
       coalesce(node.aliases, []) AS aliases, score
ORDER BY score DESC, id LIMIT $limit
"""
)

# What every posting answer returns about the posting p itself.
_POSTING_FIELDS = (
    "p.role AS role, p.title AS title, p.rank AS rank, "
    + tenure("p")
    + " AS tenure, "
    + citations("p")
    + " AS citations"
)

COMMAND_POSTINGS = (
    _cypher(
        """
MATCH (u:{ORGANIZATION} {id: $unit})<-[:{IN_ORGANIZATION}]-(p:{POSTING})
      -[:{OF_PERSON}]->(person:{PERSON})
WHERE ($roles IS NULL OR p.role IN $roles) AND """
    )
    + _visible("person")
    + """
RETURN p.id AS id, """
    + entity("person")
    + " AS person, "
    + _POSTING_FIELDS
    + " ORDER BY p.first_cited_earliest, p.id LIMIT $limit"
)

SUPERIORS = _cypher(
    """
MATCH (u:{ORGANIZATION} {id: $unit})<-[:{CHILD_UNIT}]-(r:{UNIT_RELATION})-[:{PARENT_UNIT}]->(up:{ORGANIZATION})
RETURN r.id AS id, r.relation AS relation, """
    + entity("up")
    + """ AS parent,
       """
    + tenure("r")
    + """ AS tenure, """
    + citations("r")
    + """ AS citations
ORDER BY CASE r.relation WHEN 'command' THEN 0 ELSE 1 END, r.id LIMIT $limit
"""
)

SUBORDINATES = _cypher(
    """
MATCH (u:{ORGANIZATION} {id: $unit})<-[:{PARENT_UNIT}]-(r:{UNIT_RELATION})-[:{CHILD_UNIT}]->(down:{ORGANIZATION})
RETURN r.id AS id, r.relation AS relation, """
    + entity("down")
    + """ AS child,
       """
    + tenure("r")
    + """ AS tenure
ORDER BY r.id LIMIT $limit
"""
)

EVENT_SUMMARY = _cypher(
    """
MATCH (e:{EVENT} {id: $event})
OPTIONAL MATCH (e)-[:{AT_PLACE}]->(place:{PLACE})
RETURN e.id AS id, e.name AS name, labels(e) AS labels, e.start AS start, e.end AS end,
       """
    + entity("place")
    + """ AS place,
       COUNT { (e)<-[:{OF_EVENT}]-(:{CASUALTY_COUNT}) } AS counts,
       [(e)<-[:{OF_EVENT}]-(c:{CASUALTY_COUNT}) WHERE c.killed IS NOT NULL | c.killed] AS killed
LIMIT 1
"""
)

# What every attribution answer returns, for the variables a (claim), e (event), actor, by.
_ATTRIBUTION_FIELDS = (
    _cypher("OPTIONAL MATCH (a)-[:{CLAIMED_BY}]->(by:{ACTOR})\nRETURN a.id AS id, ")
    + entity("e")
    + " AS event, "
    + entity("actor")
    + " AS actor, a.role AS role, "
    + entity("by")
    + " AS claimed_by, a.confidence AS confidence, a.credibility AS credibility, "
    + "a.hedge AS hedge, "
    + citations("a")
    + " AS citations"
)

ATTRIBUTIONS_OF_EVENT = (
    _cypher(
        "MATCH (e:{EVENT} {id: $event})<-[:{OF_EVENT}]-(a:{ATTRIBUTION})-[:{OF_ACTOR}]->(actor:{ACTOR})\n"
    )
    + "WHERE "
    + _visible("actor")
    + "\n"
    + _ATTRIBUTION_FIELDS
    + "\nORDER BY a.role, actor.id, a.id LIMIT $limit"
)

ATTRIBUTIONS_TO_ACTOR = (
    _cypher(
        "MATCH (actor:{ACTOR} {id: $actor})<-[:{OF_ACTOR}]-(a:{ATTRIBUTION})-[:{OF_EVENT}]->(e:{EVENT})\n"
        "WHERE a.role IN $roles\n"
    )
    + _ATTRIBUTION_FIELDS
    + ", e.start AS start, e.end AS end\nORDER BY e.start_earliest, e.id LIMIT $limit"
)

CASUALTIES = _cypher(
    """
MATCH (e:{EVENT} {id: $event})<-[:{OF_EVENT}]-(c:{CASUALTY_COUNT})
OPTIONAL MATCH (c)-[:{CLAIMED_BY}]->(by:{ACTOR})
RETURN c.id AS id, c.killed AS killed, c.children AS children, c.women AS women,
       c.wounded AS wounded, c.named AS named, c.count_kind AS kind, c.as_of AS as_of,
       c.scope AS scope, """
    + entity("by")
    + " AS claimed_by, "
    + citations("c")
    + """ AS citations
ORDER BY c.killed, c.id LIMIT $limit
"""
)

SANCTIONS = _cypher(
    """
MATCH (x:{SANCTION})-[:{SANCTIONS}]->(target:{ACTOR})
WHERE (size($entities) = 0 OR target.id IN $entities)
  AND ($program IS NULL OR toLower(x.program) CONTAINS toLower($program))
  AND ($listed_from IS NULL OR x.listing_date_latest >= date($listed_from))
  AND ($listed_to IS NULL OR x.listing_date_earliest <= date($listed_to))
  AND """
    + _visible("target")
    + _cypher(
        """
OPTIONAL MATCH (x)-[:{BY_AUTHORITY}]->(authority:{ACTOR})
WITH x, target, authority
WHERE $authority IS NULL OR authority.id = $authority
   OR toLower(authority.name) CONTAINS toLower($authority)
RETURN x.id AS id, """
    )
    + entity("target")
    + " AS entity, "
    + entity("authority")
    + """ AS authority, x.program AS program,
       x.listing_date AS listing_date, x.start_date AS start_date, x.end_date AS end_date,
       x.reason AS reason, """
    + citations("x")
    + """ AS citations
ORDER BY x.listing_date_earliest, x.id LIMIT $limit
"""
)

PERSON_POSTINGS = _cypher(
    """
MATCH (person:{PERSON} {id: $person})<-[:{OF_PERSON}]-(p:{POSTING})-[:{IN_ORGANIZATION}]->(org:{ORGANIZATION})
WHERE """
    + _visible("person")
    + """
RETURN p.id AS id, """
    + entity("org")
    + " AS organization, "
    + _POSTING_FIELDS
    + " ORDER BY p.first_cited_earliest, p.id LIMIT $limit"
)


# An event cited by $source (or any event when $source is null).
CITED_BY_SOURCE = """($source IS NULL OR EXISTS {
        MATCH (e)-[:{CITED_IN}]->(:{CITATION})-[:{FROM_SOURCE}]->(s:{SOURCE}) WHERE s.id = $source })"""

# An event's first whole-event death toll (counts with a `scope` cover only part of it).
WHOLE_TOLL = """head([(e)<-[:{OF_EVENT}]-(c:{CASUALTY_COUNT})
            WHERE c.scope IS NULL AND c.killed IS NOT NULL | c.killed])"""


def events_filtered(count_only: bool = False) -> str:
    """Events by date range, place (a governorate covers all inside it), perpetrator, type, toll."""
    head = _cypher(
        """
MATCH (e:{EVENT})
WHERE ($from IS NULL OR e.end_latest >= date($from) OR (e.end IS NULL AND e.start_latest >= date($from)))
  AND ($to IS NULL OR e.start_earliest <= date($to))
  AND ($kind IS NULL OR e.event_kind = $kind)
  AND ($place IS NULL OR EXISTS {
        MATCH (e)-[:{AT_PLACE}]->(:{PLACE})-[:{WITHIN}*0..6]->(target:{PLACE}) WHERE target.id = $place })
  AND (size($perpetrators) = 0 OR EXISTS {
        MATCH (e)<-[:{OF_EVENT}]-(a:{ATTRIBUTION})-[:{OF_ACTOR}]->(actor:{ACTOR})
        WHERE a.role = 'perpetrator' AND actor.id IN $perpetrators })
  AND """
        + CITED_BY_SOURCE
        + """
WITH e, [(e)<-[:{OF_EVENT}]-(c:{CASUALTY_COUNT}) WHERE c.killed IS NOT NULL | c.killed] AS killed
WITH e, CASE WHEN size(killed) = 0 THEN null ELSE reduce(m = 0, k IN killed | CASE WHEN k > m THEN k ELSE m END) END AS max_killed
WHERE $min_killed IS NULL OR max_killed >= $min_killed
"""
    )
    if count_only:
        return head + "RETURN count(e) AS total"
    return (
        head
        + _cypher("OPTIONAL MATCH (e)-[:{AT_PLACE}]->(place:{PLACE}) ")
        + "RETURN e.id AS id, e.name AS name, labels(e) AS labels, e.start AS start, e.end AS end, "
        + entity("place")
        + " AS place, max_killed ORDER BY e.start_earliest, e.id SKIP $offset LIMIT $limit"
    )


EVENT_STATS_BY_PARTY = _cypher(
    """
MATCH (e:{EVENT})<-[:{OF_EVENT}]-(a:{ATTRIBUTION})-[:{OF_ACTOR}]->(party:{ACTOR})
WHERE a.role = 'perpetrator'
  AND """
    + CITED_BY_SOURCE
    + """
WITH party, e, """
    + WHOLE_TOLL
    + """ AS killed
RETURN party.id AS key, party.name AS label, count(DISTINCT e) AS events, sum(coalesce(killed, 0)) AS killed
ORDER BY events DESC, key LIMIT $limit
"""
)

EVENT_STATS_BY_GOVERNORATE = _cypher(
    """
MATCH (e:{EVENT})-[:{AT_PLACE}]->(:{PLACE})-[:{WITHIN}*0..6]->(g:{GOVERNORATE})
WHERE """
    + CITED_BY_SOURCE
    + """
WITH DISTINCT g, e
WITH g, e, """
    + WHOLE_TOLL
    + """ AS killed
RETURN g.id AS key, g.name AS label, count(e) AS events, sum(coalesce(killed, 0)) AS killed
ORDER BY events DESC, key LIMIT $limit
"""
)

EVENT_STATS_BY_MONTH = _cypher(
    """
MATCH (e:{EVENT}) WHERE e.start IS NOT NULL AND size(e.start) >= 7
  AND """
    + CITED_BY_SOURCE
    + """
WITH substring(e.start, 0, 7) AS month, e,
     """
    + WHOLE_TOLL
    + """ AS killed
RETURN month AS key, month AS label, count(e) AS events, sum(coalesce(killed, 0)) AS killed
ORDER BY key LIMIT $limit
"""
)


def shortest_paths(max_hops: int, from_label: str, to_label: str, rel_types: Iterable[str]) -> str:
    """All shortest paths of at most MAX_HOPS between two nodes found through their labels'
    indexes, over the given relationship types (never through citations or sources).

    MAX_HOPS is an int checked to be 1..MAX_DEPTH, never user text; labels and types come
    from the ontology.
    """
    if not 1 <= max_hops <= MAX_DEPTH:
        raise ValueError(f"max_hops must be 1..{MAX_DEPTH}")
    types = "|".join(ident(t) for t in rel_types)
    return (
        f"MATCH (a:{ident(from_label)} {{id: $from}}), (b:{ident(to_label)} {{id: $to}}) "
        f"MATCH p = allShortestPaths((a)-[:{types}*..{max_hops}]-(b)) "
        "WHERE all(n IN nodes(p) WHERE " + _visible("n") + ") "
        "RETURN [n IN nodes(p) | {id: n.id, name: n.name, labels: labels(n), "
        "citations: " + citations("n") + "}] AS nodes, "
        "[r IN relationships(p) | type(r)] AS rels LIMIT $limit"
    )


# The records citing $source that the caller may see, each with the citation q.
_SOURCE_CITERS = (
    _cypher(
        """
MATCH (s:{SOURCE} {id: $source})<-[:{FROM_SOURCE}]-(q:{CITATION})<-[:{CITED_IN}]-(n)
WHERE """
    )
    + _visible("n")
    + " AND "
    + _visible_claim("n")
)

SOURCE_CLAIMS = (
    _SOURCE_CITERS
    + """
RETURN """
    + entity("n")
    + " AS record, "
    + redacted("q.locator")
    + " AS locator, "
    + redacted("q.quote")
    + """ AS quote
ORDER BY n.id, q.locator SKIP $offset LIMIT $limit
"""
)

SOURCE_CLAIMS_COUNT = _SOURCE_CITERS + " RETURN count(*) AS total"


def entity_links(root_label: str) -> str:
    """What a record links to (its place, event, actor…), found through its root label."""
    return (
        f"MATCH (n:{ident(root_label)} {{id: $id}})-[r]->(m) "
        f"WHERE type(r) <> '{Rel.CITED_IN}' AND " + _visible("m") + " "
        "RETURN type(r) AS relationship, " + entity("m") + " AS target "
        "ORDER BY relationship, target.id LIMIT $limit"
    )


def entity_claims(root_label: str) -> str:
    """The claims that name a record, found through its root label."""
    return (
        f"MATCH (n:{ident(root_label)} {{id: $id}})<-[r]-(c:{ident(Label.CLAIM)}) "
        "WHERE " + _visible_claim("c") + " "
        "OPTIONAL MATCH (c)-[:" + ident(Rel.OF_EVENT) + "]->(e:" + ident(Label.EVENT) + ") "
        "WITH DISTINCT c, e "
        "RETURN " + entity("c") + " AS claim, "
        "coalesce(c.first_cited, c.date, c.listing_date, c.as_of, c.period, e.start) AS date, "
        "coalesce(c.role, c.relation, c.table, c.count_kind) AS what, "
        "e.name AS event_name, " + citations("c") + " AS citations "
        "ORDER BY coalesce(c.first_cited_earliest, c.date_earliest, c.listing_date_earliest, "
        "c.as_of_earliest, c.period_earliest, e.start_earliest), claim.id LIMIT $limit"
    )


def entity_citations(root_label: str) -> str:
    """The citations of a record, found through its root label."""
    return f"MATCH (n:{ident(root_label)} {{id: $id}}) RETURN " + citations("n") + " AS citations"


STATEMENTS_ABOUT = (
    _cypher(
        """
UNWIND $ids AS about_id
CALL (about_id) {
  MATCH (t:{ACTOR} {id: about_id}) RETURN t
  UNION MATCH (t:{EVENT} {id: about_id}) RETURN t
  UNION MATCH (t:{PLACE} {id: about_id}) RETURN t
}
WITH t AS target
MATCH (x)-[:{ABOUT}]->(target) WHERE (x:{FINDING} OR x:{STATEMENT})
  AND """
    )
    + _visible_claim("x")
    + _cypher(
        """
OPTIONAL MATCH (x)-[:{BY}]->(by:{ACTOR})
WITH DISTINCT x, by, target
RETURN x.id AS id, labels(x) AS labels, """
    )
    + entity("by")
    + " AS by, target.id AS about, x.date AS date, "
    + redacted("x.text")
    + " AS text, "
    + citations("x")
    + """ AS citations
ORDER BY x.date_earliest, x.id LIMIT $limit
"""
)

# A record's neighbours for network views: each claim (posting, attribution, unit relation…)
# collapses into one edge between the two records it links, with its role, dates and evidence;
# plain structural links (WITHIN, AT_PLACE, PART_OF) come as they are. Citations and sources
# are left out: they would tie everything a document mentions together.
VIEW_NEIGHBOURS = (
    _cypher(
        """
UNWIND $ids AS node_id
CALL (node_id) {
  MATCH (n:{ACTOR} {id: node_id}) RETURN n
  UNION MATCH (n:{EVENT} {id: node_id}) RETURN n
  UNION MATCH (n:{PLACE} {id: node_id}) RETURN n
}
CALL (n) {
  MATCH (n)<-[r1]-(c:{CLAIM})-[r2]->(m)
  WHERE NOT m:{CITATION} AND NOT m:{SOURCE} AND m <> n AND """
    )
    + _visible("m")
    + " AND "
    + _visible_claim("c")
    + """
  RETURN m, c, type(r1) AS from_rel, type(r2) AS to_rel
  UNION
  MATCH (n)-[r]-(m)
  WHERE NOT m:"""
    + ident(Label.CLAIM)
    + " AND NOT m:"
    + ident(Label.CITATION)
    + " AND NOT m:"
    + ident(Label.SOURCE)
    + " AND "
    + _visible("m")
    + """
  RETURN m, null AS c, type(r) AS from_rel, null AS to_rel
}
WITH n, m, c, from_rel, to_rel LIMIT $limit
RETURN n.id AS source, """
    + entity("m")
    + """ AS target, from_rel, to_rel,
       CASE WHEN c IS NULL THEN null ELSE c {.id, .role, .relation, .first_cited, .last_cited,
            .first_cited_is_start, .last_cited_is_end, .open_ended, .confidence, .hedge,
            .killed, labels: labels(c)} END AS claim,
       CASE WHEN c IS NULL THEN [] ELSE """
    + citations("c")
    + """ END AS citations
"""
)


def events_at(root_label: str) -> str:
    """The events located at a place (or anything inside it, up to 6 levels down)."""
    return _cypher(
        f"MATCH (n:{ident(root_label)} {{id: $id}})<-[:{{WITHIN}}*0..6]-(:{{PLACE}})"
        "<-[:{AT_PLACE}]-(e:{EVENT}) WITH DISTINCT e "
        "RETURN " + entity("e") + " AS claim, e.start AS date, e.event_kind AS what, "
        "null AS event_name, " + citations("e") + " AS citations "
        "ORDER BY e.start_earliest, e.id LIMIT $limit"
    )


# ----- entity resolution and the review list (importers) ------------------------------

# Entities whose names or aliases look like a text, of the given record types; no
# visibility filter: only importers and `silsila review` (run on the machine) read this.
NAME_CANDIDATES = _cypher(
    """
CALL db.index.fulltext.queryNodes($index, $lucene, {limit: $fetch}) YIELD node, score
WHERE any(l IN labels(node) WHERE l IN $types)
RETURN node.id AS id, labels(node) AS labels, node.name AS name,
       coalesce(node.aliases, []) AS aliases, node.place_kind AS place_kind,
       node.birth_date AS birth_date, [(node)-[:{WITHIN}]->(up:{PLACE}) | up.id] AS within, score
ORDER BY score DESC, id LIMIT $limit
"""
)

# Earlier review decisions about imported ids.
MERGE_DECISIONS = _cypher(
    """
UNWIND $ids AS imported
MATCH (m:{MERGE_CANDIDATE}) WHERE m.imported_id = imported
RETURN m.imported_id AS imported_id, m.existing_id AS existing_id, m.status AS status
LIMIT $limit
"""
)

# A new candidate waits as pending; one already decided keeps its decision.
MERGE_CANDIDATES = _cypher(
    """
UNWIND $rows AS row
MERGE (m:{MERGE_CANDIDATE} {id: row.id})
ON CREATE SET m = row.properties
"""
)

REVIEW_LIST = _cypher(
    """
MATCH (m:{MERGE_CANDIDATE}) WHERE $status IS NULL OR m.status = $status
RETURN m {.*} AS candidate
ORDER BY m.id SKIP $skip LIMIT $limit
"""
)

REVIEW_COUNTS = _cypher(
    """
MATCH (m:{MERGE_CANDIDATE}) WHERE m.status IS NOT NULL
RETURN m.status AS status, count(*) AS candidates
"""
)

MERGE_CANDIDATE = _cypher("MATCH (m:{MERGE_CANDIDATE} {id: $id}) RETURN m {.*} AS candidate")

DECIDE_CANDIDATE = _cypher(
    """
MATCH (m:{MERGE_CANDIDATE} {id: $id}) WHERE m.status = 'pending'
SET m.status = $status, m.decided = $decided
RETURN m.id AS id
"""
)


def move_relationships(label: str, rel: str, outgoing: bool) -> str:
    """Re-point one relationship type from a duplicate node to the node it is merged into."""
    pattern = f"(dup)-[r:{ident(rel)}]->(x)" if outgoing else f"(x)-[r:{ident(rel)}]->(dup)"
    merge = f"(keep)-[:{ident(rel)}]->(x)" if outgoing else f"(x)-[:{ident(rel)}]->(keep)"
    return (
        f"MATCH (dup:{ident(label)} {{id: $dup}}), (keep:{ident(label)} {{id: $keep}}) "
        f"MATCH {pattern} WHERE x <> keep "
        f"MERGE {merge} DELETE r RETURN count(*) AS moved"
    )


def fold_duplicate(label: str) -> str:
    """Keep the duplicate's names as aliases of the kept node, then delete the duplicate."""
    return (
        f"MATCH (dup:{ident(label)} {{id: $dup}}), (keep:{ident(label)} {{id: $keep}}) "
        "WITH dup, keep, [a IN [dup.name] + coalesce(dup.aliases, []) "
        "  WHERE a <> keep.name AND NOT a IN coalesce(keep.aliases, [])] AS added "
        "SET keep.aliases = coalesce(keep.aliases, []) + added "
        "DETACH DELETE dup RETURN size(added) AS aliases_added"
    )


def cited_sources_of_ids(root_labels: Iterable[str]) -> str:
    """For the ids already in the graph, the sources their node cites (to protect statements)."""
    return _nodes_by_id(root_labels) + _cypher(
        "RETURN n.id AS id, [(n)-[:{CITED_IN}]->(:{CITATION})-[:{FROM_SOURCE}]->(s:{SOURCE}) "
        "| s.id] AS sources LIMIT $limit"
    )
