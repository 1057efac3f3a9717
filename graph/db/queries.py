"""Every Cypher statement Silsila runs.

Values go only as $parameters. Identifiers (labels, relationship types, property keys) come
only from the ontology's generated terms (`ontology.terms`): statements are templates that name
them by placeholder (see `_cypher`), filled when this module is imported, so a term renamed in
the ontology and regenerated fails the import instead of a query at run time.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from functools import lru_cache

from graph.errors import GraphError, InvalidRequestError
from ontology.model import Ontology
from ontology.terms import Label, Prop, Rel


class UnknownTermError(GraphError, LookupError):
    """A statement template names a term that `ontology.terms` does not have."""


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

# A bulk import (`silsila import --bulk`) goes only into a database with no node at all.
NODE_COUNT = "MATCH (n) RETURN count(n) AS nodes"
# After a bulk import: wait until the indexes just created are built (seconds).
AWAIT_INDEXES = "CALL db.awaitIndexes($seconds)"


# The write path's statements start from an id index whatever the graph holds, so the plan they
# got on an empty database stays right: a load that grows the graph would otherwise have Neo4j
# plan each of them again as its statistics change.
KEEP_PLAN = "CYPHER replan=skip "


def ident(name: str) -> str:
    """Back-tick an identifier taken from the ontology."""
    return "`" + name.replace("`", "``") + "`"


# ----- statement templates ------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")


def _cypher(template: str, **fragments: str) -> str:
    """Fill a statement template's placeholders; Cypher's own braces are left alone.

    An upper-case placeholder names a member of `ontology.terms`, its kind told by what
    stands next to it, and becomes the back-ticked identifier:
      `:{EVENT}`, `|{EVENT}`   a label or relationship type (Label, Rel): `(e:{EVENT})`;
      `.{START}`               a property key (Prop): `e.{START}`;
      `{ID}:`                  a property key as a map key: `(e:{EVENT} {{ID}: $event})`;
      `({KILLED})`             a property key in an index hint: `USING INDEX c:{X}({KILLED})`.
    A lower-case placeholder, `{name}`, is the fragment passed as `name=...`, as it is.
    A term missing from `ontology.terms` raises UnknownTermError, naming it.
    """
    return _filled(template, tuple(sorted(fragments.items())))


# Statements built per request (an entity's page, a filtered event list) are filled once.
@lru_cache(maxsize=4096)
def _filled(template: str, pairs: tuple[tuple[str, str], ...]) -> str:
    fragments = dict(pairs)

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.islower():
            if name not in fragments:
                raise UnknownTermError(f"statement template: no fragment given for {{{name}}}")
            return fragments[name]
        before = template[match.start() - 1 : match.start()]
        after = template[match.end() : match.end() + 1]
        if before in (":", "|"):
            return ident(_label_or_type(name))
        if before == "." or after == ":" or (before, after) == ("(", ")"):
            return ident(_property_key(name))
        raise UnknownTermError(
            f"statement template: cannot tell what {{{name}}} is; write :{{{name}}} for a "
            f"label or relationship type, .{{{name}}} or {{{name}}}: for a property key"
        )

    return _PLACEHOLDER.sub(fill, template)


def _label_or_type(name: str) -> str:
    found = [enum[name] for enum in (Label, Rel) if name in enum.__members__]
    if len(found) != 1:
        raise UnknownTermError(
            f"statement template names {{{name}}}: "
            + ("no such" if not found else "more than one")
            + " label or relationship type in ontology.terms (Label, Rel); fix the statement"
            " or regenerate the terms with `silsila ontology generate`"
        )
    return found[0].value


def _property_key(name: str) -> str:
    if name not in Prop.__members__:
        raise UnknownTermError(
            f"statement template names {{{name}}}: no such property key in ontology.terms "
            "(Prop); fix the statement or regenerate the terms with `silsila ontology generate`"
        )
    return Prop[name].value


# ----- schema and writes --------------------------------------------------------------


def role_filter(roles: Collection[str] | None) -> dict[str, list[str] | bool]:
    """The `$roles` and `$any_role` parameters of a statement that keeps the postings in ROLES,
    or in any role when None: always a list and a boolean, never a null, since Neo4j plans a
    statement again for each new set of parameter types (a chain's statement takes 1 s)."""
    return {"roles": sorted(roles or ()), "any_role": roles is None}


def schema_statements(ontology: Ontology) -> list[str]:
    """Constraints and indexes derived from the ontology; idempotent (IF NOT EXISTS)."""
    return list(named_schema(ontology).values())


def named_schema(ontology: Ontology) -> dict[str, str]:
    """Each constraint's or index's name, and the statement that creates it."""
    schema = {
        f"{label}_{prop}_unique": f"CREATE CONSTRAINT {ident(f'{label}_{prop}_unique')} "
        f"IF NOT EXISTS FOR (n:{ident(label)}) REQUIRE n.{ident(prop)} IS UNIQUE"
        for label, prop in ontology.indexed("unique")
    }
    schema |= {
        f"{label}_{prop}_range": f"CREATE RANGE INDEX {ident(f'{label}_{prop}_range')} "
        f"IF NOT EXISTS FOR (n:{ident(label)}) ON (n.{ident(prop)})"
        for label, prop in ontology.indexed("range")
    }
    labels = "|".join(ident(label) for label in ontology.fulltext_labels())
    props = ", ".join(f"n.{ident(p)}" for p in ontology.fulltext_properties())
    if labels:
        schema[NAME_SEARCH_INDEX] = (
            f"CREATE FULLTEXT INDEX {ident(NAME_SEARCH_INDEX)} IF NOT EXISTS "
            f"FOR (n:{labels}) ON EACH [{props}]"
        )
    return schema


# The names of the constraints and indexes already there (a load creates only the others).
SCHEMA_NAMES = ("SHOW CONSTRAINTS YIELD name", "SHOW INDEXES YIELD name")


def count_by_label(labels: Iterable[str]) -> str:
    """One row, `counts`, mapping each label to its node count (served from the count store)."""
    entries = ", ".join(f"{ident(label)}: COUNT {{ (:{ident(label)}) }}" for label in labels)
    return f"RETURN {{{entries}}} AS counts"


def merge_nodes(label: str, kind_labels: Iterable[str] = ()) -> str:
    """Upsert a batch of nodes of one record type on their deterministic id.

    `SET n = ...` replaces every property, the kind labels are reset first and the node's
    outgoing relationships are dropped (the load writes them again), so a reloaded record
    converges to its file; except that a restricted record stays restricted unless its id is
    in $unrestrict (protection is lifted only on purpose). Returns how many records were kept
    restricted although their rows do not say so, and the citations the dropped
    relationships pointed to (`stale`, one list per node that had any).

    A row's other labels (its ancestors' and its kind's: `row.labels`, taken from the
    ontology by the loader) are set from the row, so one statement serves every kind of a
    record type: a fresh server plans it once, not once per kind (about 0.2-0.5 s each).
    """
    remove = "".join(f":{ident(x)}" for x in kind_labels)
    return (
        KEEP_PLAN
        + _cypher(
            "UNWIND $rows AS row MERGE (n:{label} {{ID}: row.id}) "
            "WITH n, row, coalesce(n.{RESTRICTED}, false) AND NOT row.id IN $unrestrict AS kept "
            "CALL (n) { MATCH (n)-[r]->(m) "
            "  WITH r, CASE WHEN type(r) = '{cited_in}' THEN m.{ID} END AS cited "
            "  DELETE r RETURN collect(DISTINCT cited) AS stale } ",
            label=ident(label),
            cited_in=Rel.CITED_IN.value,
        )
        + (f"REMOVE n{remove} " if remove else "")
        + "SET n = row.properties, n:$(row.labels) "
        + _cypher(
            "SET n.{RESTRICTED} = CASE WHEN kept THEN true ELSE n.{RESTRICTED} END "
            "RETURN count(CASE WHEN kept AND NOT coalesce(row.properties.{RESTRICTED}, false) "
            "THEN 1 END) AS kept_restricted, [s IN collect(stale) WHERE size(s) > 0] AS stale"
        )
    )


def create_nodes(label: str, extra_labels: Iterable[str] = ()) -> str:
    """Create a batch of nodes of one record type, with the same EXTRA_LABELS (from the
    ontology), that the graph is known not to hold: no lookup, no links to drop, nothing
    restricted to keep (merge_nodes does all three). The labels are written out: set from a
    parameter, they double the cost of a created node. The uniqueness constraint still
    refuses a node another writer has created meanwhile."""
    return KEEP_PLAN + _cypher(
        "UNWIND $rows AS row CREATE (n{labels}) SET n = row RETURN count(*) AS created",
        labels="".join(f":{ident(x)}" for x in (label, *extra_labels)),
    )


def set_properties(label: str) -> str:
    """Add properties to a batch of nodes of one record type found by id (a bulk import sets
    the empty lists neo4j-admin's files cannot carry)."""
    return KEEP_PLAN + _cypher(
        "UNWIND $rows AS row MATCH (n:{label} {{ID}: row.id}) SET n += row.properties",
        label=ident(label),
    )


def merge_links(rel: str, from_label: str, to_label: str, from_unlinked: bool = False) -> str:
    """Upsert a batch of relationships between nodes found by label and id. FROM_UNLINKED:
    every start node lost its outgoing links earlier in the transaction and no row repeats,
    so the links are created without looking for them first (on a hub, MERGE reads its links)."""
    return KEEP_PLAN + _cypher(
        "UNWIND $rows AS row MATCH (a:{from_label} {{ID}: row.from}) "
        "MATCH (b:{to_label} {{ID}: row.to}) {write} (a)-[:{rel}]->(b) "
        "RETURN count(*) AS linked",
        from_label=ident(from_label),
        to_label=ident(to_label),
        rel=ident(rel),
        write="CREATE" if from_unlinked else "MERGE",
    )


DELETE_UNCITED_CITATIONS = KEEP_PLAN + _cypher(
    "UNWIND $ids AS id MATCH (c:{CITATION} {{ID}: id}) "
    "WHERE NOT ()-[:{CITED_IN}]->(c) DETACH DELETE c"
)


def _any_of(labels: Iterable[str], var: str, id_expr: str) -> str:
    """Index lookups, one per label, UNIONed: the node VAR whose id is ID_EXPR."""
    return " UNION ".join(
        _cypher(
            "MATCH ({var}:{label} {{ID}: {id_expr}}) RETURN {var}",
            var=var,
            label=ident(label),
            id_expr=id_expr,
        )
        for label in labels
    )


def _nodes_by_id(root_labels: Iterable[str]) -> str:
    """`n` for each of $ids in the graph, looked up through each root label's id index."""
    return "UNWIND $ids AS id CALL (id) { " + _any_of(root_labels, "n", "id") + " } "


def labels_of_ids(root_labels: Iterable[str]) -> str:
    """Labels of the nodes with the given ids."""
    return (
        KEEP_PLAN
        + _nodes_by_id(root_labels)
        + _cypher("RETURN n.{ID} AS id, labels(n) AS labels LIMIT $limit")
    )


def node_properties(label: str) -> str:
    """The properties of nodes of one label, by id (bounded by $limit)."""
    return _cypher(
        "MATCH (n:{label}) WHERE n.{ID} IN $ids "
        "RETURN n.{ID} AS id, properties(n) AS properties ORDER BY id LIMIT $limit",
        label=ident(label),
    )


# Compares a report's summary figures with the same measures summed over the incidents the
# report itself describes. Places nest at most 6 deep (neighbourhood .. country).
# ----- the visibility rule -------------------------------------------------------------
# Every read takes $public (bool), and applies _visible to every node it answers with: the one
# place the rule is written (tests/api/test_redaction.py sweeps every route for a leak). Texts
# that may name a restricted person come through `redacted`.


def _visible(var: str) -> str:
    """False, when the public role asks, for a restricted record (a witness under an alias, a
    restricted source) and for a claim about or by a restricted person. Only a claim's own few
    links are looked at, so the check stays cheap on well-connected units and places."""
    return _cypher(
        "NOT ($public AND (coalesce({var}.{RESTRICTED}, false) OR ({var}:{CLAIM} AND "
        "EXISTS { ({var})--(hidden:{PERSON}) WHERE hidden.{RESTRICTED} })))",
        var=var,
    )


REPORT_FIGURES_VS_INCIDENTS = _cypher(
    """
MATCH (f:{AGGREGATE_FIGURE})-[:{IN_REPORT}]->(s:{SOURCE} {{ID}: $source})
OPTIONAL MATCH (f)-[:{FOR_PARTY}]->(party:{ACTOR})
OPTIONAL MATCH (f)-[:{FOR_GOVERNORATE}]->(gov:{PLACE})
CALL (f, party, gov, s) {
  MATCH (e:{EVENT})-[:{CITED_IN}]->(:{CITATION})-[:{FROM_SOURCE}]->(s)
  WHERE (e.{START} IS NULL OR f.{PERIOD} IS NULL
         OR (e.{START_EARLIEST} >= f.{PERIOD_EARLIEST} AND e.{START_LATEST} <= f.{PERIOD_LATEST}))
    AND (party IS NULL OR EXISTS {
          (e)<-[:{OF_EVENT}]-(a:{ATTRIBUTION})-[:{OF_ACTOR}]->(party)
          WHERE a.{ROLE} = 'perpetrator' AND {visible_a} })
    AND (gov IS NULL OR EXISTS {
          (e)-[:{AT_PLACE}]->(:{PLACE})-[:{WITHIN}*0..6]->(gov) })
  WITH DISTINCT e
  OPTIONAL MATCH (e)<-[:{OF_EVENT}]-(c:{CASUALTY_COUNT})-[:{CITED_IN}]->(:{CITATION})
        -[:{FROM_SOURCE}]->(s)
  WHERE c.{SCOPE} IS NULL AND {visible_c}
  WITH e, head(collect(c)) AS c
  RETURN count(e) AS events, count(CASE WHEN e:{MASSACRE} THEN 1 END) AS massacres,
         sum(c.{KILLED}) AS killed, sum(c.{CHILDREN}) AS children, sum(c.{WOMEN}) AS women
}
RETURN f.{ID} AS figure, f.{TABLE} AS table, f.{CATEGORY} AS category, f.{PERIOD} AS period,
       party.{ID} AS party, gov.{ID} AS governorate,
       {massacres: f.{MASSACRES}, killed: f.{KILLED}, children: f.{CHILDREN}, women: f.{WOMEN}}
         AS reported,
       {massacres: massacres, killed: killed, children: children, women: women} AS computed,
       events
ORDER BY table, figure
LIMIT $limit
""",
    visible_a=_visible("a"),
    visible_c=_visible("c"),
)


def nodes_page(root_label: str) -> str:
    """A page of nodes of one root label after $after, by id, with their outgoing links."""
    return _cypher(
        "MATCH (n:{label}) WHERE n.{ID} > $after "
        "WITH n ORDER BY n.{ID} LIMIT $limit "
        "RETURN n.{ID} AS id, labels(n) AS labels, properties(n) AS properties, "
        "[(n)-[r]->(m) | [type(r), m.{ID}]] AS out",
        label=ident(root_label),
    )


# ----- investigative reads ------------------------------------------------------------
# Each read below applies _visible (above) to the records it answers with.

MAX_DEPTH = 6  # places nest at most 6 deep; chains and paths are bounded the same way


WITHHELD = "[withheld: names a restricted person]"
# What the public role sees in place of a restricted person named in an answer.
RESTRICTED_ID = "restricted"
RESTRICTED_NAME = "[restricted identity]"


# The key of the map a text comes wrapped in for the public role, for `graph.db.reader` to
# unwrap: the text, or WITHHELD where it names a restricted person.
WITHHOLD_IF_NAMED = "withhold_if_named"


def redacted(var: str, key: Prop) -> str:
    """VAR's property KEY; for the public role wrapped for the reader, which withholds it if
    it names a restricted person."""
    # The names are not sent with every statement, to be looked for in every text one by
    # one: 10,000 witnesses (1M nodes) took 4 ms a statement to send and made a chain of
    # command 43 ms instead of 6. The reader finds them all at once, in one pass of the text.
    value = f"{var}.{ident(key)}"
    return f"CASE WHEN $public THEN {{{WITHHOLD_IF_NAMED}: {value}}} ELSE {value} END"


def citations(var: str) -> str:
    """A list of citation maps for the node VAR (quotes and locators naming a restricted
    person, and sources marked restricted, withheld from the public role)."""
    return _cypher(
        "[({var})-[:{CITED_IN}]->(q:{CITATION})-[:{FROM_SOURCE}]->(s:{SOURCE}) "
        "WHERE NOT ($public AND coalesce(s.{RESTRICTED}, false)) | "
        "{source: s.{ID}, source_name: s.{NAME}, reliability: s.{RELIABILITY}, "
        "locator: {locator}, quote: {quote}, "
        "confidence: q.{CONFIDENCE}, page: q.{PAGE}, archive_url: q.{ARCHIVE_URL}, "
        "access_point: q.{ACCESS_POINT}}]",
        var=var,
        locator=redacted("q", Prop.LOCATOR),
        quote=redacted("q", Prop.QUOTE),
    )


def tenure(var: str) -> str:
    """A map of the cited interval of the posting or relation VAR (models.Interval's keys)."""
    return _cypher(
        "{first_cited: {var}.{FIRST_CITED}, last_cited: {var}.{LAST_CITED}, "
        "first_cited_is_start: {var}.{FIRST_CITED_IS_START}, "
        "last_cited_is_end: {var}.{LAST_CITED_IS_END}, open_ended: {var}.{OPEN_ENDED}}",
        var=var,
    )


def entity(var: str) -> str:
    """A map naming the node VAR."""
    return _cypher(
        "CASE WHEN {var} IS NULL THEN null "
        "WHEN $public AND coalesce({var}.{RESTRICTED}, false) "
        "THEN {id: '{restricted_id}', name: '{restricted_name}', labels: labels({var})} "
        "ELSE {id: {var}.{ID}, name: {var}.{NAME}, labels: labels({var})} END",
        var=var,
        restricted_id=RESTRICTED_ID,
        restricted_name=RESTRICTED_NAME,
    )


# A read that touches nothing: the bookmark Neo4j answers it with names the graph's state.
GRAPH_STATE = "RETURN true AS read"

# The loaded data, for the dataset version a case file states: every record's id and its
# words (quote, text or name), in id order, and how many links there are.
DATASET_CONTENT = _cypher(
    """
MATCH (n) WHERE n.{ID} IS NOT NULL
RETURN n.{ID} AS id, coalesce(n.{QUOTE}, n.{TEXT}, n.{NAME}, '') AS content
"""
)

# How many relationships the graph holds (Neo4j's count store: no scan).
LINK_COUNT = "MATCH ()-->() RETURN count(*) AS links"

# What a citation of each source needs, as far as its record gives it.
SOURCES_CITED = _cypher(
    "MATCH (s:{SOURCE}) WHERE s.{ID} IN $ids RETURN s.{ID} AS id, s.{TITLE} AS title, "
    "s.{PUBLISHER} AS publisher, s.{PUBLISHED} AS published, s.{KIND} AS kind, s.{URL} AS url, "
    "s.{FILE} AS file, s.{AUTHOR} AS author, s.{RETRIEVED} AS retrieved"
)

# The restricted persons' names and aliases, a page of $limit after the id $after: read page
# after page until a short one, so no witness past a limit is left unredacted.
HIDDEN_NAMES = _cypher(
    "MATCH (p:{PERSON}) WHERE p.{RESTRICTED} = true AND p.{ID} > $after "
    "RETURN p.{ID} AS id, p.{NAME} AS name, coalesce(p.{ALIASES}, []) AS aliases "
    "ORDER BY id LIMIT $limit"
)

# Per label, how many records the public role may not see: restricted persons and the claims
# about or by them, for a page of $limit restricted persons after the id $after (through the
# index on `restricted`), with the page's last id. A claim naming several restricted persons is
# counted with the first of them by id only, so the pages' counts add up.
HIDDEN_COUNTS = _cypher(
    """
MATCH (p:{PERSON}) WHERE p.{RESTRICTED} = true AND p.{ID} > $after
WITH p ORDER BY p.{ID} LIMIT $limit
WITH collect(p) AS page
UNWIND page AS p
OPTIONAL MATCH (p)--(c:{CLAIM})
WHERE NOT EXISTS { (c)--(first:{PERSON}) WHERE first.{RESTRICTED} = true AND first.{ID} < p.{ID} }
WITH page, collect(DISTINCT p) + collect(DISTINCT c) AS hidden
UNWIND hidden AS n
UNWIND labels(n) AS label
WITH page, label, count(DISTINCT n) AS hidden
RETURN last(page).{ID} AS last, size(page) AS persons, collect({label: label, hidden: hidden}) AS counts
"""
)

# The node n with id $id, through each root label's index, unless the viewer may not see it.
_NODE_FOUND = _cypher(
    """
CALL () {
  {lookups}
}
WITH n WHERE {visible}
""",
    lookups=_any_of(
        (Label.ACTOR, Label.EVENT, Label.PLACE, Label.SOURCE, Label.CLAIM),
        "n",
        "$id",
    ),
    # A claim about or by a restricted person is withheld by id too, not only where it is listed.
    visible=_visible("n"),
)
_NODE_COLUMNS = _cypher(
    "n.{ID} AS id, n.{NAME} AS name, labels(n) AS labels, "
    "n {.*, {DESCRIPTION}: {description}} AS properties",
    description=redacted("n", Prop.DESCRIPTION),
)
NODE_BY_ID = f"{_NODE_FOUND}RETURN {_NODE_COLUMNS} LIMIT 1"


SEARCH = _cypher(
    """
CALL db.index.fulltext.queryNodes($index, $lucene, {limit: $fetch}) YIELD node, score
WHERE (size($types) = 0 OR any(l IN labels(node) WHERE l IN $types)) AND {visible}
RETURN node.{ID} AS id, labels(node) AS labels, node.{NAME} AS name,
       coalesce(node.{ALIASES}, []) AS aliases, score, node.{PLACE_KIND} AS place_kind,
       coalesce(node.{START}, node.{FIRST_CITED}) AS start,
       coalesce(node.{END}, node.{LAST_CITED}) AS end,
       [(node)-[:{WITHIN}|{AT_PLACE}]->(up:{PLACE}) | up.{NAME}][0] AS place
ORDER BY score DESC, id LIMIT $limit
""",
    visible=_visible("node"),
)


def _posting(named: str) -> str:
    """The posting p as the answers show it, with NAMED (`person: …` or `organization: …`)."""
    return _cypher(
        "{id: p.{ID}, {named}, role: p.{ROLE}, title: p.{TITLE}, rank: p.{RANK}, "
        "tenure: {tenure}, citations: {citations}}",
        named=named,
        tenure=tenure("p"),
        citations=citations("p"),
    )


# A graph loaded before programs became lists holds one string: read both.
_PROGRAMS = _cypher("CASE WHEN x.{PROGRAM} IS :: LIST<ANY> THEN x.{PROGRAM} ELSE [x.{PROGRAM}] END")

# Sanctions x in the order they are listed in: oldest listing first, the undated last.
_SANCTION_ORDER = _cypher("x.{LISTING_DATE_EARLIEST}, x.{ID}")


def _sanction(target: str, authority: str) -> str:
    """The sanction x on TARGET by AUTHORITY (a variable or an expression), as a map."""
    return _cypher(
        "{id: x.{ID}, entity: {target}, authority: {authority}, program: {programs}, "
        "listing_date: x.{LISTING_DATE}, start_date: x.{START_DATE}, end_date: x.{END_DATE}, "
        "reason: x.{REASON}, citations: {citations}}",
        target=entity(target),
        authority=entity(authority),
        programs=_PROGRAMS,
        citations=citations("x"),
    )


def sanctions_on(var: str) -> str:
    """The sanctions on the actor VAR that the caller may see, oldest listing first, as a list
    of maps: for statements that read sanctions beside something else."""
    return _cypher(
        """COLLECT {
    MATCH ({var})<-[:{SANCTIONS}]-(x:{SANCTION}) WHERE {visible_x}
    OPTIONAL MATCH (x)-[:{BY_AUTHORITY}]->(au:{ACTOR})
    WITH x, au ORDER BY {order} LIMIT $limit
    RETURN {sanction}
  }""",
        var=var,
        order=_SANCTION_ORDER,
        visible_x=_visible("x"),
        sanction=_sanction(var, "au"),
    )


# The postings of the unit u to a person the caller may see; oldest first by _POSTINGS_ORDER.
_UNIT_POSTINGS = _cypher(
    """
MATCH (u)<-[:{IN_ORGANIZATION}]-(p:{POSTING})-[:{OF_PERSON}]->(person:{PERSON})
WHERE {visible} AND {visible_p}
""",
    visible=_visible("person"),
    visible_p=_visible("p"),
)
_POSTINGS_ORDER = _cypher("p.{FIRST_CITED_EARLIEST}, p.{ID}")
_POSTED_PERSON = _posting("person: " + entity("person"))

COMMAND_POSTINGS = _cypher(
    """
MATCH (u:{ORGANIZATION} {{ID}: $unit})
{postings} AND ($any_role OR p.{ROLE} IN $roles)
RETURN {posting} AS posting ORDER BY {order} LIMIT $limit
""",
    postings=_UNIT_POSTINGS.rstrip(),
    posting=_POSTED_PERSON,
    order=_POSTINGS_ORDER,
)

# NODE_BY_ID's record and, in the same round trip, COMMAND_POSTINGS' postings to it (none when
# it is not a unit): a unit's commanders at a date in one statement.
NODE_WITH_POSTINGS = _NODE_FOUND + _cypher(
    """
WITH n LIMIT 1
CALL (n) {
  WITH n AS u
  {postings} AND ($any_role OR p.{ROLE} IN $roles)
  WITH p, person ORDER BY {order} LIMIT $limit
  RETURN collect({posting}) AS postings
}
RETURN {columns}, postings
""",
    postings=_UNIT_POSTINGS.strip(),
    posting=_POSTED_PERSON,
    order=_POSTINGS_ORDER,
    columns=_NODE_COLUMNS,
)

# One level up the hierarchy, and one level down, through a unit relation.
_UP = _cypher(
    "(:{ORGANIZATION})<-[:{CHILD_UNIT}]-(:{UNIT_RELATION})-[:{PARENT_UNIT}]->(:{ORGANIZATION})"
)
_DOWN = _cypher(
    "(:{ORGANIZATION})<-[:{PARENT_UNIT}]-(:{UNIT_RELATION})-[:{CHILD_UNIT}]->(:{ORGANIZATION})"
)

# What chains of command are drawn from, for several units in one round trip: every unit up
# to MAX_DEPTH levels above each of $units (themselves included), each with the relations to
# its superiors (command first) and everyone posted to it, and with $with_sanctions the sanctions
# on the unit and on everyone posted to it. Which relation and which posting held at a date is
# decided by the caller, with graph.asof (certain, possible or no).
UNITS_ABOVE = _cypher(
    """
UNWIND $units AS unit_id
MATCH (:{ORGANIZATION} {{ID}: unit_id}) ({up}){0,{depth}} (u:{ORGANIZATION})
WITH DISTINCT u LIMIT $limit
CALL (u) {
  MATCH (u)<-[:{CHILD_UNIT}]-(r:{UNIT_RELATION})-[:{PARENT_UNIT}]->(up:{ORGANIZATION})
  WITH r, up ORDER BY CASE r.{RELATION} WHEN 'command' THEN 0 ELSE 1 END, r.{ID} LIMIT $limit
  RETURN collect({id: r.{ID}, relation: r.{RELATION}, parent: {parent},
                  tenure: {tenure}, citations: {citations}}) AS superiors
}
CALL (u) {
  {postings} AND ($any_role OR p.{ROLE} IN $roles)
  WITH p, person ORDER BY {order} LIMIT $limit
  RETURN collect({posting}) AS postings
}
CALL (u) {
  WITH u WHERE $with_sanctions
  OPTIONAL MATCH (u)<-[:{IN_ORGANIZATION}]-(p:{POSTING})-[:{OF_PERSON}]->(person:{PERSON})
  WHERE {visible_person} AND {visible_p}
  WITH u, collect(DISTINCT person)[..$limit] AS people
  UNWIND [u] + people AS who
  UNWIND {sanctions} AS sanction
  RETURN collect(sanction) AS sanctions
}
RETURN u.{ID} AS id, {unit} AS unit, superiors, postings, sanctions
""",
    visible_person=_visible("person"),
    visible_p=_visible("p"),
    sanctions=sanctions_on("who"),
    up=_UP,
    depth=str(MAX_DEPTH),
    parent=entity("up"),
    tenure=tenure("r"),
    citations=citations("r"),
    postings=_UNIT_POSTINGS.strip(),
    order=_POSTINGS_ORDER,
    posting=_POSTED_PERSON,
    unit=entity("u"),
)

# A unit's page, from the unit itself in one round trip: everyone ever posted to it (oldest
# first), and its relations to the units above it and below it at any time, each with its
# cited interval and evidence.
UNIT_PROFILE = _cypher(
    """
MATCH (u:{ORGANIZATION} {{ID}: $unit}) WHERE {visible_u}
CALL (u) {
  {postings}
  WITH p, person ORDER BY {order} LIMIT $limit
  RETURN collect({posting}) AS postings
}
CALL (u) {
  MATCH (u)<-[:{CHILD_UNIT}]-(r:{UNIT_RELATION})-[:{PARENT_UNIT}]->(other:{ORGANIZATION})
  WHERE {visible_r}
  WITH r, other ORDER BY r.{FIRST_CITED_EARLIEST}, r.{ID} LIMIT $limit
  RETURN collect({relation}) AS superiors
}
CALL (u) {
  MATCH (u)<-[:{PARENT_UNIT}]-(r:{UNIT_RELATION})-[:{CHILD_UNIT}]->(other:{ORGANIZATION})
  WHERE {visible_r}
  WITH r, other ORDER BY r.{FIRST_CITED_EARLIEST}, r.{ID} LIMIT $limit
  RETURN collect({relation}) AS subordinates
}
CALL (u) {
  OPTIONAL MATCH (u)<-[:{OF_ACTOR}]-(a:{ATTRIBUTION})-[:{OF_EVENT}]->(e:{EVENT})
  WHERE {visible_a} AND e.{START} IS NOT NULL
  WITH e ORDER BY coalesce(e.{END_LATEST}, e.{START_LATEST}) DESC LIMIT 1
  RETURN coalesce(e.{END}, e.{START}) AS last_event
}
RETURN {unit} AS unit, postings, superiors, subordinates, last_event
""",
    visible_a=_visible("a"),
    visible_u=_visible("u"),
    visible_r=_visible("r"),
    postings=_UNIT_POSTINGS.strip(),
    order=_POSTINGS_ORDER,
    posting=_POSTED_PERSON,
    relation=_cypher(
        "{id: r.{ID}, relation: r.{RELATION}, unit: {other}, tenure: {tenure}, "
        "citations: {citations}}",
        other=entity("other"),
        tenure=tenure("r"),
        citations=citations("r"),
    ),
    unit=entity("u"),
)

# The units a unit commands, for `include_subordinates`: every unit up to MAX_DEPTH levels
# below $unit, through relations at any time.
SUBORDINATE_IDS = _cypher(
    """
MATCH (:{ORGANIZATION} {{ID}: $unit}) ({down}){1,{depth}} (below:{ORGANIZATION})
RETURN DISTINCT below.{ID} AS id ORDER BY id LIMIT $limit
""",
    down=_DOWN,
    depth=str(MAX_DEPTH),
)

# The event e's whole-event death tolls: a count with a `scope` covers only part of it, so
# every answer's figure follows the one rule the casualty range (`low`/`high`) follows.
# Nulls are dropped after the pattern: a test of `killed` inside it would let the planner
# start from the index on tolls, scanning every toll once per event.
_WHOLE_KILLED = _cypher(
    "[k IN [(e)<-[:{OF_EVENT}]-(c:{CASUALTY_COUNT}) "
    "WHERE c.{SCOPE} IS NULL AND {visible} | c.{KILLED}] WHERE k IS NOT NULL]",
    visible=_visible("c"),
)

# The event e as the answers summarise it, at the place `place` (or null).
_EVENT_SUMMARY = _cypher(
    "{id: e.{ID}, name: e.{NAME}, labels: labels(e), start: e.{START}, end: e.{END}, "
    "place: {place}, killed: {killed}}",
    place=entity("place"),
    killed=_WHOLE_KILLED,
)

# The attribution a, of the event e to the actor `actor`, claimed by `by` (or null).
_ATTRIBUTION = _cypher(
    "{id: a.{ID}, event: {event}, actor: {actor}, role: a.{ROLE}, claimed_by: {by}, "
    "confidence: a.{CONFIDENCE}, credibility: a.{CREDIBILITY}, hedge: a.{HEDGE}, "
    "citations: {citations}}",
    event=entity("e"),
    actor=entity("actor"),
    by=entity("by"),
    citations=citations("a"),
)

# The attributions of the event e to actors the caller may see, in _EVENT_ATTRIBUTIONS_ORDER.
_EVENT_ATTRIBUTIONS = _cypher(
    """
MATCH (e)<-[:{OF_EVENT}]-(a:{ATTRIBUTION})-[:{OF_ACTOR}]->(actor:{ACTOR})
WHERE {visible} AND {visible_a}
OPTIONAL MATCH (a)-[:{CLAIMED_BY}]->(by:{ACTOR})
""",
    visible=_visible("actor"),
    visible_a=_visible("a"),
)
_EVENT_ATTRIBUTIONS_ORDER = _cypher("a.{ROLE}, actor.{ID}, a.{ID}")

ATTRIBUTIONS_OF_EVENT = _cypher(
    """
MATCH (e:{EVENT} {{ID}: $event})
{attributions}
RETURN {attribution} AS attribution ORDER BY {order} LIMIT $limit
""",
    attributions=_EVENT_ATTRIBUTIONS.strip(),
    attribution=_ATTRIBUTION,
    order=_EVENT_ATTRIBUTIONS_ORDER,
)

# An event and every attribution of it, in one round trip (what accountability starts from).
# The event $event with its attributions, and the sanctions on every actor attributed it.
EVENT_WITH_ATTRIBUTIONS = _cypher(
    """
MATCH (e:{EVENT} {{ID}: $event})
OPTIONAL MATCH (e)-[:{AT_PLACE}]->(place:{PLACE})
WITH e, place LIMIT 1
CALL (e) {
  {attributions}
  WITH e, a, actor, by ORDER BY {order} LIMIT $limit
  RETURN collect({attribution}) AS attributions
}
CALL (e) {
  MATCH (e)<-[:{OF_EVENT}]-(a:{ATTRIBUTION})-[:{OF_ACTOR}]->(actor:{ACTOR})
  WHERE {visible_a} AND {visible_actor}
  WITH DISTINCT actor LIMIT $limit
  UNWIND {sanctions} AS sanction
  RETURN collect(sanction) AS sanctions
}
RETURN {summary} AS event, attributions, sanctions
""",
    attributions=_EVENT_ATTRIBUTIONS.strip(),
    order=_EVENT_ATTRIBUTIONS_ORDER,
    attribution=_ATTRIBUTION,
    visible_a=_visible("a"),
    visible_actor=_visible("actor"),
    sanctions=sanctions_on("actor"),
    summary=_EVENT_SUMMARY,
)

# The actors attributed each of $events (those the caller may see), with their roles: what
# the accountability gap is drawn from, for every event in one round trip.
EVENTS_ATTRIBUTED_ACTORS = _cypher(
    """
UNWIND $events AS event_id
MATCH (e:{EVENT} {{ID}: event_id})
CALL (e) {
  MATCH (e)<-[:{OF_EVENT}]-(a:{ATTRIBUTION})-[:{OF_ACTOR}]->(actor:{ACTOR})
  WHERE {visible} AND {visible_a}
  WITH a, actor ORDER BY {order} LIMIT $limit
  RETURN collect({role: a.{ROLE}, actor: {actor}}) AS attributions
}
RETURN e.{ID} AS id, attributions
""",
    visible=_visible("actor"),
    visible_a=_visible("a"),
    order=_EVENT_ATTRIBUTIONS_ORDER,
    actor=entity("actor"),
)

# The names of the sources citing the claim a (those the caller may see).
_CITING_SOURCES = _cypher(
    "[(a)-[:{CITED_IN}]->(:{CITATION})-[:{FROM_SOURCE}]->(s:{SOURCE}) "
    "WHERE NOT ($public AND coalesce(s.{RESTRICTED}, false)) | s.{NAME}]"
)

# Each of $events as an event list shows it, for a whole page in one round trip: the
# attributions the caller may see (role, actor, claimant, citing sources) and the whole-event
# tolls.
EVENTS_LISTED = _cypher(
    """
UNWIND $events AS event_id
MATCH (e:{EVENT} {{ID}: event_id})
CALL (e) {
  {attributions}
  WITH a, actor, by ORDER BY {order} LIMIT $limit
  RETURN collect({role: a.{ROLE}, actor: {actor}, claimed_by: {by}, sources: {sources}})
         AS attributions
}
RETURN e.{ID} AS id, attributions, {killed} AS killed
""",
    sources=_CITING_SOURCES,
    attributions=_EVENT_ATTRIBUTIONS.strip(),
    order=_EVENT_ATTRIBUTIONS_ORDER,
    actor=entity("actor"),
    by=entity("by"),
    killed=_WHOLE_KILLED,
)

# What the accountability gap reads of the event e: its name and dates, and its attributions
# the caller may see (at most $limit), each with its actor, claimant and the sources citing it.
_GAP_EVENT = _cypher(
    """
CALL (e) {
  MATCH (e)<-[:{OF_EVENT}]-(a:{ATTRIBUTION})-[:{OF_ACTOR}]->(actor:{ACTOR})
  WHERE {visible} AND {visible_a}
  OPTIONAL MATCH (a)-[:{CLAIMED_BY}]->(by:{ACTOR})
  WITH a, actor, by ORDER BY {order} LIMIT $limit
  RETURN collect({role: a.{ROLE}, actor: {actor}, claimed_by: {by}, sources: {sources}})
         AS attributions
}
RETURN e.{ID} AS id, e.{NAME} AS name, e.{START} AS start, e.{END} AS end, attributions
""",
    visible=_visible("actor"),
    visible_a=_visible("a"),
    order=_EVENT_ATTRIBUTIONS_ORDER,
    actor=entity("actor"),
    by=entity("by"),
    sources=_CITING_SOURCES,
)

# The next $events attributed events (to an actor the caller may see) after the id $after, by
# id through its index, each as _GAP_EVENT reads it: the gap walks every one of them this way.
GAP_EVENTS_AFTER = _cypher(
    """
MATCH (e:{EVENT}) WHERE e.{ID} > $after
  AND EXISTS { MATCH (e)<-[:{OF_EVENT}]-(a:{ATTRIBUTION})-[:{OF_ACTOR}]->(actor:{ACTOR})
               WHERE {visible} AND {visible_a} }
WITH e ORDER BY e.{ID} LIMIT $events
{gap_event}
""",
    visible=_visible("actor"),
    visible_a=_visible("a"),
    gap_event=_GAP_EVENT.strip(),
)

# Each of $events as _GAP_EVENT reads it (the gap over filtered events).
GAP_EVENTS = _cypher(
    """
UNWIND $events AS event_id
MATCH (e:{EVENT} {{ID}: event_id})
{gap_event}
""",
    gap_event=_GAP_EVENT.strip(),
)

# The attributions to the actor `actor` in $roles, with their events e, oldest first.
_ACTOR_ATTRIBUTIONS = _cypher(
    """
MATCH (actor)<-[:{OF_ACTOR}]-(a:{ATTRIBUTION})-[:{OF_EVENT}]->(e:{EVENT})
WHERE a.{ROLE} IN $roles AND {visible}
OPTIONAL MATCH (a)-[:{CLAIMED_BY}]->(by:{ACTOR})
""",
    visible=_visible("a"),
)
_ACTOR_ATTRIBUTIONS_ORDER = _cypher("e.{START_EARLIEST}, e.{ID}")

ATTRIBUTIONS_TO_ACTOR = _cypher(
    """
MATCH (actor:{ACTOR} {{ID}: $actor})
{attributions}
RETURN {attribution} AS attribution ORDER BY {order} LIMIT $limit
""",
    attributions=_ACTOR_ATTRIBUTIONS.strip(),
    attribution=_ATTRIBUTION,
    order=_ACTOR_ATTRIBUTIONS_ORDER,
)

# What a person's command exposure is drawn from, in one round trip: every unit up to
# MAX_DEPTH - 1 levels below each of $units (themselves included), each with the relations to
# the units below it and the events attributed to it (roles in $roles), each event summarised.
# Whether a tenure and each link held at an event's dates is decided by the caller.
UNITS_BELOW = _cypher(
    """
UNWIND $units AS unit_id
MATCH (:{ORGANIZATION} {{ID}: unit_id}) ({down}){0,{depth}} (u:{ORGANIZATION})
WITH DISTINCT u LIMIT $limit
CALL (u) {
  MATCH (u)<-[:{PARENT_UNIT}]-(r:{UNIT_RELATION})-[:{CHILD_UNIT}]->(below:{ORGANIZATION})
  WITH r, below ORDER BY r.{ID} LIMIT $limit
  RETURN collect({id: r.{ID}, relation: r.{RELATION}, child: {child},
                  tenure: {tenure}}) AS subordinates
}
CALL (u) {
  WITH u AS actor
  {attributions}
  CALL (e) {
    OPTIONAL MATCH (e)-[:{AT_PLACE}]->(place:{PLACE})
    RETURN place LIMIT 1
  }
  WITH actor, a, e, by, place ORDER BY {order} LIMIT $limit
  RETURN collect({attribution: {attribution}, event: {summary}}) AS attributed
}
RETURN u.{ID} AS id, subordinates, attributed
""",
    down=_DOWN,
    depth=str(MAX_DEPTH - 1),
    child=entity("below"),
    tenure=tenure("r"),
    attributions=_ACTOR_ATTRIBUTIONS.strip(),
    order=_ACTOR_ATTRIBUTIONS_ORDER,
    attribution=_ATTRIBUTION,
    summary=_EVENT_SUMMARY,
)

# Each of $events with every casualty figure on it (those the caller may see), in one round
# trip: a case file asks for dozens of events at once.
EVENTS_WITH_CASUALTIES = _cypher(
    """
UNWIND $events AS event_id
MATCH (e:{EVENT} {{ID}: event_id})
OPTIONAL MATCH (e)-[:{AT_PLACE}]->(place:{PLACE})
WITH e, head(collect(place)) AS place
CALL (e) {
  OPTIONAL MATCH (e)<-[:{OF_EVENT}]-(c:{CASUALTY_COUNT})
  WHERE {visible}
  OPTIONAL MATCH (c)-[:{CLAIMED_BY}]->(by:{ACTOR})
  WITH c, by ORDER BY c.{KILLED}, c.{ID} LIMIT $limit
  RETURN collect(CASE WHEN c IS NULL THEN null ELSE {estimate} END) AS estimates
}
RETURN {summary} AS event, estimates
""",
    visible=_visible("c"),
    estimate=_cypher(
        "{id: c.{ID}, killed: c.{KILLED}, children: c.{CHILDREN}, women: c.{WOMEN}, "
        "wounded: c.{WOUNDED}, named: c.{NAMED}, kind: c.{COUNT_KIND}, as_of: c.{AS_OF}, "
        "scope: c.{SCOPE}, claimed_by: {by}, citations: {citations}}",
        by=entity("by"),
        citations=citations("c"),
    ),
    summary=_EVENT_SUMMARY,
)

# The filters of sanctions_listed, by the parameter each takes.
SANCTION_FILTERS = frozenset(("entities", "authority", "program", "listed_from", "listed_to"))

# An authority au that $authority names, by its id or a part of its name.
_AUTHORITY_NAMED = _cypher(
    "au.{ID} = $authority OR toLower(au.{NAME}) CONTAINS toLower($authority)"
)

# What each filter but `entities` (the anchor) asks of a sanction x.
_SANCTION_CONDITIONS = {
    "authority": "EXISTS { MATCH (x)-[:{BY_AUTHORITY}]->(au:{ACTOR}) WHERE "
    + _AUTHORITY_NAMED
    + " }",
    "program": "any(p IN {programs} WHERE toLower(p) CONTAINS toLower($program))",
    "listed_from": "x.{LISTING_DATE_LATEST} >= date($listed_from)",
    "listed_to": "x.{LISTING_DATE_EARLIEST} <= date($listed_to)",
}


def sanctions_listed(given: frozenset[str] = frozenset(), undated: bool = False) -> str:
    """Up to $limit sanctions matching the filters GIVEN (names in SANCTION_FILTERS), oldest
    listing first, with their authorities (those $authority names, where it is given).
    Given `entities`, it starts from them; otherwise it walks the index of earliest listing
    dates in order, checking each sanction until the page is full, so a page costs the
    sanctions walked, not all there are. UNDATED (without `entities`): the sanctions with no
    listing date instead, which come after the dated ones and match no date filter."""
    unknown = given - SANCTION_FILTERS
    if unknown:
        raise InvalidRequestError(f"no sanction filter named {', '.join(sorted(unknown))}")
    if "entities" in given:
        head = (
            "UNWIND $entities AS entity_id\n"
            "MATCH (target:{ACTOR} {{ID}: entity_id})<-[:{SANCTIONS}]-(x:{SANCTION})\n"
            "WHERE {visible} AND {visible_x}\n"
        )
    else:
        head = (
            "MATCH (x:{SANCTION}) WHERE x.{LISTING_DATE_EARLIEST} IS NULL AND {visible_x}\n"
            if undated
            else "MATCH (x:{SANCTION}) USING INDEX x:{SANCTION}({LISTING_DATE_EARLIEST})\n"
            "WHERE x.{LISTING_DATE_EARLIEST} IS NOT NULL AND {visible_x}\n"
        ) + "MATCH (x)-[:{SANCTIONS}]->(target:{ACTOR}) WHERE {visible}\n"
    checks = [_SANCTION_CONDITIONS[name] for name in sorted(given - {"entities"})]
    where = ("WITH x, target WHERE " + "\n  AND ".join(checks) + "\n") if checks else ""
    named = (" WHERE " + _AUTHORITY_NAMED) if "authority" in given else ""
    return _cypher(
        head
        + where
        + "WITH DISTINCT x, target ORDER BY {order} LIMIT $limit\n"
        + "OPTIONAL MATCH (x)-[:{BY_AUTHORITY}]->(au:{ACTOR})"
        + named
        + "\nRETURN {sanction} AS sanction ORDER BY {order}",
        visible=_visible("target"),
        visible_x=_visible("x"),
        programs=_PROGRAMS,
        order=_SANCTION_ORDER,
        sanction=_sanction("target", "au"),
    )


# Those of $entities (that the caller may see) that some sanction names.
SANCTIONED_IDS = _cypher(
    """
UNWIND $entities AS entity_id
MATCH (target:{ACTOR} {{ID}: entity_id})
WHERE {visible} AND EXISTS { (target)<-[:{SANCTIONS}]-(:{SANCTION}) }
RETURN DISTINCT target.{ID} AS id
""",
    visible=_visible("target"),
)

PERSON_POSTINGS = _cypher(
    """
MATCH (person:{PERSON} {{ID}: $person})<-[:{OF_PERSON}]-(p:{POSTING})
      -[:{IN_ORGANIZATION}]->(org:{ORGANIZATION})
WHERE {visible} AND {visible_p}
RETURN {posting} AS posting ORDER BY {order} LIMIT $limit
""",
    visible=_visible("person"),
    visible_p=_visible("p"),
    posting=_posting("organization: " + entity("org")),
    order=_POSTINGS_ORDER,
)


# A person's exposure, all that hangs on the person themselves in one round trip: the person,
# their postings (oldest first), the events attributed to them in $roles, their sanctions.
PERSON_EXPOSURE = _cypher(
    """
MATCH (person:{PERSON} {{ID}: $person}) WHERE {visible}
CALL (person) {
  MATCH (person)<-[:{OF_PERSON}]-(p:{POSTING})-[:{IN_ORGANIZATION}]->(org:{ORGANIZATION})
  WHERE {visible_p}
  WITH p, org ORDER BY {postings_order} LIMIT $limit
  RETURN collect({posting}) AS postings
}
CALL (person) {
  WITH person AS actor
  {attributions}
  WITH actor, a, e, by ORDER BY {attributions_order} LIMIT $limit
  RETURN collect({attribution}) AS direct
}
RETURN {person} AS person, postings, direct, {sanctions} AS sanctions
""",
    visible=_visible("person"),
    visible_p=_visible("p"),
    postings_order=_POSTINGS_ORDER,
    posting=_posting("organization: " + entity("org")),
    attributions=_ACTOR_ATTRIBUTIONS.strip(),
    attributions_order=_ACTOR_ATTRIBUTIONS_ORDER,
    attribution=_ATTRIBUTION,
    person=entity("person"),
    sanctions=sanctions_on("person"),
)


# An event cited by $source (or any event when $source is null).
CITED_BY_SOURCE = _cypher("""($source IS NULL OR EXISTS {
        MATCH (e)-[:{CITED_IN}]->(:{CITATION})-[:{FROM_SOURCE}]->(s:{SOURCE})
        WHERE s.{ID} = $source })""")

# An event's first whole-event death toll (counts with a `scope` cover only part of it).
WHOLE_TOLL = _cypher(
    """head([k IN [(e)<-[:{OF_EVENT}]-(c:{CASUALTY_COUNT})
            WHERE c.{SCOPE} IS NULL AND {visible} | c.{KILLED}] WHERE k IS NOT NULL])""",
    visible=_visible("c"),
)


# The filters of events_filtered, by the parameter each takes.
EVENT_FILTERS = frozenset(("from", "to", "place", "perpetrators", "kind", "min_killed", "source"))

# Where a filter anchors the events through an index, most selective first: the list then
# costs what the anchored events cost, not what the graph holds.
_EVENT_ANCHORS = {
    "perpetrators": """
UNWIND $perpetrators AS actor_id
MATCH (:{ACTOR} {{ID}: actor_id})<-[:{OF_ACTOR}]-(a:{ATTRIBUTION})-[:{OF_EVENT}]->(e:{EVENT})
WHERE a.{ROLE} = 'perpetrator' AND {visible_a}
WITH DISTINCT e
""",
    "place": """
MATCH (:{PLACE} {{ID}: $place})<-[:{WITHIN}*0..6]-(:{PLACE})<-[:{AT_PLACE}]-(e:{EVENT})
WITH DISTINCT e
""",
    "source": """
MATCH (:{SOURCE} {{ID}: $source})<-[:{FROM_SOURCE}]-(:{CITATION})<-[:{CITED_IN}]-(e:{EVENT})
WITH DISTINCT e
""",
    "min_killed": """
MATCH (c:{CASUALTY_COUNT})-[:{OF_EVENT}]->(e:{EVENT})
USING INDEX c:{CASUALTY_COUNT}({KILLED})
WHERE c.{KILLED} >= $min_killed AND c.{SCOPE} IS NULL AND {visible_c}
WITH DISTINCT e
""",
    "kind": """
MATCH (e:{EVENT}) WHERE e.{EVENT_KIND} = $kind
""",
    "to": """
MATCH (e:{EVENT}) WHERE e.{START_EARLIEST} <= date($to)
""",
}

# What each filter asks of an event already found.
_EVENT_CONDITIONS = {
    "from": "(e.{END_LATEST} >= date($from) OR (e.{END} IS NULL AND e.{START_LATEST} >= date($from)))",
    "to": "e.{START_EARLIEST} <= date($to)",
    "kind": "e.{EVENT_KIND} = $kind",
    "place": """EXISTS {
        MATCH (e)-[:{AT_PLACE}]->(:{PLACE})-[:{WITHIN}*0..6]->(target:{PLACE})
        WHERE target.{ID} = $place }""",
    "perpetrators": """EXISTS {
        MATCH (e)<-[:{OF_EVENT}]-(a:{ATTRIBUTION})-[:{OF_ACTOR}]->(actor:{ACTOR})
        WHERE a.{ROLE} = 'perpetrator' AND actor.{ID} IN $perpetrators AND {visible_a} }""",
    "source": """EXISTS {
        MATCH (e)-[:{CITED_IN}]->(:{CITATION})-[:{FROM_SOURCE}]->(s:{SOURCE})
        WHERE s.{ID} = $source }""",
}


# The orders an event list can be sorted in, by the name a caller gives: each ends on the id
# so pages never overlap; the date order is the one the `to` anchor's index already holds.
EVENT_SORTS = {
    "date": _cypher("e.{START_EARLIEST}, e.{ID}"),
    "-date": _cypher("e.{START_EARLIEST} DESC, e.{ID} DESC"),
    "name": _cypher("e.{NAME}, e.{ID}"),
    "-name": _cypher("e.{NAME} DESC, e.{ID} DESC"),
    "place": _cypher("place.{NAME} IS NULL, place.{NAME}, e.{START_EARLIEST}, e.{ID}"),
    "-place": _cypher("place.{NAME} IS NULL, place.{NAME} DESC, e.{START_EARLIEST}, e.{ID}"),
    "killed": _cypher("max_killed IS NULL, max_killed, e.{START_EARLIEST}, e.{ID}"),
    "-killed": _cypher("max_killed IS NULL, max_killed DESC, e.{START_EARLIEST}, e.{ID}"),
}


def events_filtered(
    given: frozenset[str] = frozenset(),
    count_only: bool = False,
    sort: str = "date",
) -> str:
    """Events by date range, place (a governorate covers all inside it), perpetrator, type,
    toll and source, built from the filters GIVEN (names in EVENT_FILTERS): the first of them
    in _EVENT_ANCHORS is where the statement starts; the others are checked on what it finds.
    A page comes in the order SORT names (a key of EVENT_SORTS); COUNT_ONLY: the counts of
    _EVENT_COUNTS instead."""
    unknown = given - EVENT_FILTERS
    if unknown:
        raise InvalidRequestError(f"no event filter named {', '.join(sorted(unknown))}")
    if sort not in EVENT_SORTS:
        raise InvalidRequestError(f"events sort by one of {', '.join(EVENT_SORTS)}")
    anchor = next((f for f in _EVENT_ANCHORS if f in given), None)
    head = _EVENT_ANCHORS[anchor] if anchor else "MATCH (e:{EVENT})\n"
    checks = [
        condition
        for name, condition in _EVENT_CONDITIONS.items()
        if name in given and name != anchor
    ]
    where = ("WITH e WHERE " + "\n  AND ".join(checks) + "\n") if checks else ""
    # The toll and the place are worked out for every event found only where the filter or
    # the order needs them; otherwise for the page alone, so a page costs what it shows.
    # Found through the tolls' index, every event already has a visible toll of min_killed.
    toll_check = "min_killed" in given and anchor != "min_killed"
    toll_first = toll_check or "killed" in sort
    body = _cypher(head + where, visible_a=_visible("a"), visible_c=_visible("c"))
    body += _event_toll() if toll_first else ""
    if toll_check:
        body += "WITH e, max_killed WHERE max_killed >= $min_killed\n"
    if count_only:
        return body + _EVENT_COUNTS
    return body + _event_page(EVENT_SORTS[sort], toll_first, "place" in sort)


# How many events were found, how many of them are dated, and how many the graph holds (the
# last from the count store): what choosing between events_filtered and events_by_date needs.
# (The count store's count comes after the aggregation: beside it, it would be a grouping key,
# and no event found would give no row.)
_EVENT_COUNTS = _cypher(
    "WITH count(e) AS total, count(e.{START_EARLIEST}) AS dated\n"
    "RETURN total, dated, COUNT { (:{EVENT}) } AS events"
)

# The filters events_by_date can check on each event it walks: `from` is left out, since the
# events before it would all be walked and rejected.
DATE_WALK_FILTERS = EVENT_FILTERS - {"from"}

# What a walk checks of each event it passes: _EVENT_CONDITIONS, and a whole toll of at least
# min_killed (which events_filtered finds from the tolls' index, or works out for its order).
_WALK_CONDITIONS = _EVENT_CONDITIONS | {
    "min_killed": """EXISTS {
        MATCH (e)<-[:{OF_EVENT}]-(c:{CASUALTY_COUNT})
        WHERE c.{KILLED} >= $min_killed AND c.{SCOPE} IS NULL AND {visible_c} }"""
}


def events_by_date(given: frozenset[str] = frozenset(), descending: bool = False) -> str:
    """A page of the dated events matching the filters GIVEN (names in DATE_WALK_FILTERS), in
    date order, found by walking the index of earliest start dates in that order and checking
    each event until the page is full. Where the filters match many events (a force with its
    subordinates, the whole list), a page costs the events walked to fill it, about
    (offset + limit) x events / matches, where events_filtered finds and sorts every match.
    Undated events are not walked: they come after the dated ones going up, before going down."""
    unknown = given - DATE_WALK_FILTERS
    if unknown:
        raise InvalidRequestError(f"no date-walk filter named {', '.join(sorted(unknown))}")
    checks = [_WALK_CONDITIONS[name] for name in sorted(given)]
    head = (
        "MATCH (e:{EVENT}) USING INDEX e:{EVENT}({START_EARLIEST})\n"
        "WHERE e.{START_EARLIEST} IS NOT NULL\n"
        + ("WITH e WHERE " + "\n  AND ".join(checks) + "\n" if checks else "")
    )
    order = EVENT_SORTS["-date" if descending else "date"]
    return _cypher(head, visible_a=_visible("a"), visible_c=_visible("c")) + _event_page(order)


def _event_page(order: str, toll_first: bool = False, place_first: bool = False) -> str:
    """The page of the events e found, in ORDER, with their place and toll (worked out for the
    page alone unless TOLL_FIRST or PLACE_FIRST say the rows have them)."""
    page = (_EVENT_PLACE if place_first else "") + _cypher(
        "WITH e{toll}{place} ORDER BY {order} SKIP $offset LIMIT $limit\n",
        toll=", max_killed" if toll_first else "",
        place=", place" if place_first else "",
        order=order,
    )
    rest = ""  # what the order did not need, for the page's events only
    if not toll_first:
        rest += _event_toll(", place" if place_first else "")
    if not place_first:
        rest += _EVENT_PLACE
    # Clauses after the page need not keep its order: it is sorted again, a page's rows only.
    return (
        page
        + rest
        + _cypher(
            "RETURN e.{ID} AS id, e.{NAME} AS name, labels(e) AS labels, e.{START} AS start, "
            "e.{END} AS end, {place} AS place, max_killed ORDER BY {order}",
            place=entity("place"),
            order=order,
        )
    )


def _event_toll(carried: str = "") -> str:
    """The largest whole death toll the visible casualty counts give the event e (null if
    none), as max_killed; CARRIED names what else the rows keep (", place")."""
    return _cypher(
        """
WITH e{carried}, {killed} AS killed
WITH e{carried}, CASE WHEN size(killed) = 0 THEN null
        ELSE reduce(m = 0, k IN killed | CASE WHEN k > m THEN k ELSE m END) END AS max_killed
""",
        carried=carried,
        killed=_WHOLE_KILLED,
    )


# The event's place (the first by id where the sources give several), kept with what it has.
_EVENT_PLACE = _cypher(
    "CALL (e) { OPTIONAL MATCH (e)-[:{AT_PLACE}]->(place:{PLACE}) "
    "RETURN place ORDER BY place.{ID} LIMIT 1 }\n"
)


EVENT_STATS_BY_PARTY = _cypher(
    """
MATCH (e:{EVENT})<-[:{OF_EVENT}]-(a:{ATTRIBUTION})-[:{OF_ACTOR}]->(party:{ACTOR})
WHERE a.{ROLE} = 'perpetrator' AND {visible_a} AND {visible_party}
  AND {cited_by_source}
WITH party, e, {whole_toll} AS killed
RETURN party.{ID} AS key, party.{NAME} AS label, count(DISTINCT e) AS events,
       sum(coalesce(killed, 0)) AS killed
ORDER BY events DESC, key LIMIT $limit
""",
    cited_by_source=CITED_BY_SOURCE,
    whole_toll=WHOLE_TOLL,
    visible_a=_visible("a"),
    visible_party=_visible("party"),
)

EVENT_STATS_BY_GOVERNORATE = _cypher(
    """
MATCH (e:{EVENT})-[:{AT_PLACE}]->(:{PLACE})-[:{WITHIN}*0..6]->(g:{GOVERNORATE})
WHERE {cited_by_source}
WITH DISTINCT g, e
WITH g, e, {whole_toll} AS killed
RETURN g.{ID} AS key, g.{NAME} AS label, count(e) AS events, sum(coalesce(killed, 0)) AS killed
ORDER BY events DESC, key LIMIT $limit
""",
    cited_by_source=CITED_BY_SOURCE,
    whole_toll=WHOLE_TOLL,
)

EVENT_STATS_BY_MONTH = _cypher(
    """
MATCH (e:{EVENT}) WHERE e.{START} IS NOT NULL AND size(e.{START}) >= 7
  AND {cited_by_source}
WITH substring(e.{START}, 0, 7) AS month, e,
     {whole_toll} AS killed
RETURN month AS key, month AS label, count(e) AS events, sum(coalesce(killed, 0)) AS killed
ORDER BY key LIMIT $limit
""",
    cited_by_source=CITED_BY_SOURCE,
    whole_toll=WHOLE_TOLL,
)


def shortest_paths(max_hops: int, from_label: str, to_label: str, rel_types: Iterable[str]) -> str:
    """All shortest paths of at most MAX_HOPS between two nodes found through their labels'
    indexes, over the given relationship types (never through citations or sources).

    MAX_HOPS is an int checked to be 1..MAX_DEPTH, never user text; labels and types come
    from the ontology.
    """
    if not 1 <= max_hops <= MAX_DEPTH:
        raise InvalidRequestError(f"max_hops must be 1..{MAX_DEPTH}, not {max_hops}")
    return _cypher(
        "MATCH (a:{from_label} {{ID}: $from}), (b:{to_label} {{ID}: $to}) "
        "MATCH p = allShortestPaths((a)-[:{types}*..{max_hops}]-(b)) "
        "WHERE all(n IN nodes(p) WHERE {visible}) "
        "RETURN [n IN nodes(p) | {id: n.{ID}, name: n.{NAME}, labels: labels(n), "
        "citations: {citations}}] AS nodes, "
        "[r IN relationships(p) | type(r)] AS rels LIMIT $limit",
        from_label=ident(from_label),
        to_label=ident(to_label),
        types="|".join(ident(t) for t in rel_types),
        max_hops=str(max_hops),
        visible=_visible("n"),
        citations=citations("n"),
    )


# A page of the records citing a source: cut in the order Neo4j keeps the source's links, read
# lazily, so a hub source cited a hundred thousand times costs what the page holds (an ORDER BY
# or a count before the LIMIT would read every citer); only the page is then sorted.
SOURCE_CLAIMS = _cypher(
    """
MATCH (s:{SOURCE} {{ID}: $source})<-[:{FROM_SOURCE}]-(q:{CITATION})<-[:{CITED_IN}]-(n)
WHERE {visible}
WITH n, q SKIP $offset LIMIT $limit + 1
WITH collect([n, q]) AS page
UNWIND page[..$limit] AS cited
WITH cited[0] AS n, cited[1] AS q, size(page) > $limit AS more
RETURN more, {record} AS record, {locator} AS locator, {quote} AS quote
ORDER BY n.{ID}, q.{LOCATOR}
""",
    visible=_visible("n"),
    record=entity("n"),
    locator=redacted("q", Prop.LOCATOR),
    quote=redacted("q", Prop.QUOTE),
)


def entity_page(root_label: str) -> str:
    """A record's page in one round trip, found through its root label: its citations, what it
    links to (its place, event, actor…; at most $links), and a page of the claims that name it:
    $limit claims after $offset, each saying whether there are more. The claims page is cut in
    the order Neo4j keeps the record's links, read lazily, so it costs what it answers whatever
    the record's degree (no index orders one node's links, and any ORDER BY before the LIMIT
    would read them all); only the page is then sorted, oldest first."""
    return _cypher(
        """
MATCH (n:{label} {{ID}: $id})
RETURN {citations} AS citations,
  COLLECT {
    MATCH (n)-[r]->(m) WHERE type(r) <> '{cited_in}' AND {visible}
    RETURN {relationship: type(r), target: {target}} AS link
    ORDER BY type(r), m.{ID} LIMIT $links
  } AS links,
  COLLECT {
    MATCH (n)<-[]-(c:{CLAIM}) WHERE {visible_claim}
    WITH DISTINCT c SKIP $offset LIMIT $limit + 1
    WITH collect(c) AS page
    UNWIND page[..$limit] AS c
    OPTIONAL MATCH (c)-[:{OF_EVENT}]->(e:{EVENT})
    WITH DISTINCT c, e, size(page) > $limit AS more
    RETURN {
      more: more, claim: {claim},
      date: coalesce(c.{FIRST_CITED}, c.{DATE}, c.{LISTING_DATE}, c.{AS_OF}, c.{PERIOD}, e.{START}),
      what: coalesce(c.{ROLE}, c.{RELATION}, c.{TABLE}, c.{COUNT_KIND}, c.{CONDUCT_KIND}),
      event_name: e.{NAME}, citations: {claim_citations}
    } AS claim
    ORDER BY coalesce(c.{FIRST_CITED_EARLIEST}, c.{DATE_EARLIEST}, c.{LISTING_DATE_EARLIEST},
                      c.{AS_OF_EARLIEST}, c.{PERIOD_EARLIEST}, e.{START_EARLIEST}), c.{ID}
  } AS claims
""",
        label=ident(root_label),
        citations=citations("n"),
        cited_in=Rel.CITED_IN.value,
        visible=_visible("m"),
        target=entity("m"),
        visible_claim=_visible("c"),
        claim=entity("c"),
        claim_citations=citations("c"),
    )


STATEMENTS_ABOUT = _cypher(
    """
UNWIND $ids AS about_id
CALL (about_id) {
  {lookups}
}
WITH t AS target
MATCH (x)-[:{ABOUT}]->(target) WHERE (x:{FINDING} OR x:{STATEMENT})
  AND {visible_claim}
OPTIONAL MATCH (x)-[:{BY}]->(by:{ACTOR})
WITH DISTINCT x, by, target
RETURN x.{ID} AS id, labels(x) AS labels, {by} AS by, target.{ID} AS about, x.{DATE} AS date,
       {text} AS text, {citations} AS citations
ORDER BY x.{DATE_EARLIEST}, x.{ID} LIMIT $limit
""",
    lookups=_any_of((Label.ACTOR, Label.EVENT, Label.PLACE), "t", "about_id"),
    visible_claim=_visible("x"),
    by=entity("by"),
    text=redacted("x", Prop.TEXT),
    citations=citations("x"),
)

# What each of $actors did after events (kept in post, promoted, no investigation reported…),
# and the conduct reported about each of $events, whoever it names; oldest first.
CONDUCT_OF = _cypher(
    """
CALL () {
  UNWIND $actors AS actor_id
  MATCH (:{ACTOR} {{ID}: actor_id})<-[:{OF_ACTOR}]-(c:{CONDUCT})
  RETURN c
  UNION
  UNWIND $events AS event_id
  MATCH (:{EVENT} {{ID}: event_id})<-[:{ABOUT}]-(c:{CONDUCT})
  RETURN c
}
WITH DISTINCT c WHERE {visible_c}
OPTIONAL MATCH (c)-[:{OF_ACTOR}]->(a:{ACTOR})
OPTIONAL MATCH (c)-[:{ABOUT}]->(about)
WITH c, a, about WHERE a IS NULL OR {visible_a}
RETURN c.{ID} AS id, {actor} AS actor, c.{CONDUCT_KIND} AS kind, c.{DATE} AS date,
       {text} AS text, {about} AS about, {citations} AS citations
ORDER BY c.{DATE_EARLIEST}, c.{ID} LIMIT $limit
""",
    visible_a=_visible("a"),
    visible_c=_visible("c"),
    actor=entity("a"),
    text=redacted("c", Prop.TEXT),
    about=entity("about"),
    citations=citations("c"),
)

# A record's neighbours for network views: each claim (posting, attribution, unit relation…)
# collapses into one edge between the two records it links, with its role, dates and evidence;
# plain structural links (WITHIN, AT_PLACE, PART_OF) come as they are. Citations and sources
# are left out: they would tie everything a document mentions together.
VIEW_NEIGHBOURS = _cypher(
    """
UNWIND $ids AS node_id
CALL (node_id) {
  {lookups}
}
CALL (n) {
  MATCH (n)<-[r1]-(c:{CLAIM})-[r2]->(m)
  WHERE NOT m:{CITATION} AND NOT m:{SOURCE} AND m <> n AND {visible} AND {visible_claim}
  RETURN m, c, type(r1) AS from_rel, type(r2) AS to_rel
  UNION
  MATCH (n)-[r]-(m)
  WHERE NOT m:{CLAIM} AND NOT m:{CITATION} AND NOT m:{SOURCE} AND {visible}
  RETURN m, null AS c, type(r) AS from_rel, null AS to_rel
}
WITH n, m, c, from_rel, to_rel LIMIT $limit
RETURN n.{ID} AS source, {target} AS target, from_rel, to_rel,
       CASE WHEN c IS NULL THEN null
            ELSE {id: c.{ID}, role: c.{ROLE}, relation: c.{RELATION},
                  first_cited: c.{FIRST_CITED}, last_cited: c.{LAST_CITED},
                  first_cited_is_start: c.{FIRST_CITED_IS_START},
                  last_cited_is_end: c.{LAST_CITED_IS_END}, open_ended: c.{OPEN_ENDED},
                  confidence: c.{CONFIDENCE}, hedge: c.{HEDGE}, killed: c.{KILLED},
                  labels: labels(c)} END AS claim,
       CASE WHEN c IS NULL THEN [] ELSE {citations} END AS citations
""",
    lookups=_any_of((Label.ACTOR, Label.EVENT, Label.PLACE), "n", "node_id"),
    visible=_visible("m"),
    visible_claim=_visible("c"),
    target=entity("m"),
    citations=citations("c"),
)


def events_at(root_label: str) -> str:
    """A page of the events located at a place (or anything inside it, up to 6 levels down),
    cut like entity_page's claims (in the order the links are read) and sorted within."""
    return _cypher(
        "MATCH (n:{label} {{ID}: $id})<-[:{WITHIN}*0..6]-(:{PLACE})"
        "<-[:{AT_PLACE}]-(e:{EVENT}) WITH DISTINCT e SKIP $offset LIMIT $limit + 1 "
        "WITH collect(e) AS page UNWIND page[..$limit] AS e "
        "RETURN size(page) > $limit AS more, "
        "{claim} AS claim, e.{START} AS date, e.{EVENT_KIND} AS what, "
        "null AS event_name, {citations} AS citations "
        "ORDER BY e.{START_EARLIEST}, e.{ID}",
        label=ident(root_label),
        claim=entity("e"),
        citations=citations("e"),
    )


# ----- entity resolution and the review list (importers) ------------------------------

# For each ask (key, lucene, types), the entities of those record types whose names or aliases
# look like its text, best first: one round trip for a whole chunk's new entities. No
# visibility filter: only importers and `silsila review` (run on the machine) read this.
NAME_CANDIDATES = KEEP_PLAN + _cypher(
    """
UNWIND $asks AS row
CALL (row) {
  CALL db.index.fulltext.queryNodes($index, row.lucene, {limit: $fetch}) YIELD node, score
  WHERE any(l IN labels(node) WHERE l IN row.types)
  RETURN node, score ORDER BY score DESC, node.{ID} LIMIT $limit
}
RETURN row.key AS key, node.{ID} AS id, labels(node) AS labels, node.{NAME} AS name,
       coalesce(node.{ALIASES}, []) AS aliases, node.{PLACE_KIND} AS place_kind,
       node.{BIRTH_DATE} AS birth_date, [(node)-[:{WITHIN}]->(up:{PLACE}) | up.{ID}] AS within,
       score
"""
)

# Earlier review decisions about imported ids.
MERGE_DECISIONS = KEEP_PLAN + _cypher(
    """
UNWIND $ids AS imported
MATCH (m:{MERGE_CANDIDATE}) WHERE m.{IMPORTED_ID} = imported
RETURN m.{IMPORTED_ID} AS imported_id, m.{EXISTING_ID} AS existing_id, m.{STATUS} AS status
LIMIT $limit
"""
)

# A new candidate waits as pending; one already decided keeps its decision.
MERGE_CANDIDATES = KEEP_PLAN + _cypher(
    """
UNWIND $rows AS row
MERGE (m:{MERGE_CANDIDATE} {{ID}: row.id})
ON CREATE SET m = row.properties
"""
)

REVIEW_LIST = _cypher(
    """
MATCH (m:{MERGE_CANDIDATE}) WHERE $status IS NULL OR m.{STATUS} = $status
RETURN m {.*} AS candidate
ORDER BY m.{ID} SKIP $skip LIMIT $limit
"""
)

REVIEW_COUNTS = _cypher(
    """
MATCH (m:{MERGE_CANDIDATE}) WHERE m.{STATUS} IS NOT NULL
RETURN m.{STATUS} AS status, count(*) AS candidates
"""
)

MERGE_CANDIDATE = _cypher("MATCH (m:{MERGE_CANDIDATE} {{ID}: $id}) RETURN m {.*} AS candidate")

DECIDE_CANDIDATE = _cypher(
    """
MATCH (m:{MERGE_CANDIDATE} {{ID}: $id}) WHERE m.{STATUS} = 'pending'
SET m.{STATUS} = $status, m.{DECIDED} = $decided
RETURN m.{ID} AS id
"""
)


def move_relationships(label: str, rel: str, outgoing: bool) -> str:
    """Re-point one relationship type from a duplicate node to the node it is merged into."""
    pattern = "(dup)-[r:{rel}]->(x)" if outgoing else "(x)-[r:{rel}]->(dup)"
    merge = "(keep)-[:{rel}]->(x)" if outgoing else "(x)-[:{rel}]->(keep)"
    return _cypher(
        "MATCH (dup:{label} {{ID}: $dup}), (keep:{label} {{ID}: $keep}) "
        f"MATCH {pattern} WHERE x <> keep "
        f"MERGE {merge} DELETE r RETURN count(*) AS moved",
        label=ident(label),
        rel=ident(rel),
    )


def fold_duplicate(label: str) -> str:
    """Keep the duplicate's names as aliases of the kept node, then delete the duplicate."""
    return _cypher(
        "MATCH (dup:{label} {{ID}: $dup}), (keep:{label} {{ID}: $keep}) "
        "WITH dup, keep, [a IN [dup.{NAME}] + coalesce(dup.{ALIASES}, []) "
        "  WHERE a <> keep.{NAME} AND NOT a IN coalesce(keep.{ALIASES}, [])] AS added "
        "SET keep.{ALIASES} = coalesce(keep.{ALIASES}, []) + added "
        "DETACH DELETE dup RETURN size(added) AS aliases_added",
        label=ident(label),
    )


def cited_sources_of(label: str) -> str:
    """For those of $ids that are nodes of LABEL, the sources each one cites (to protect
    statements). One index per label: an import MERGEs a record on its own label."""
    return KEEP_PLAN + _cypher(
        "UNWIND $ids AS id MATCH (n:{label} {{ID}: id}) "
        "RETURN n.{ID} AS id, [(n)-[:{CITED_IN}]->(:{CITATION})-[:{FROM_SOURCE}]->(s:{SOURCE}) "
        "| s.{ID}] AS sources",
        label=ident(label),
    )
