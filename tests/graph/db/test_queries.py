"""The ontology names the Cypher: every label, relationship type and property key in a statement
comes from `ontology.terms`, so a renamed term fails the import of `graph.db.queries`."""

from __future__ import annotations

import importlib.util
import inspect
import itertools
import re
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from types import ModuleType

import pytest

from graph.db import queries
from ontology import terms
from ontology.model import load

# ----- a renamed term breaks the import -----------------------------------------------


def terms_without(enum_name: str, member: str) -> ModuleType:
    """`ontology.terms` as regenerated after MEMBER of ENUM_NAME was renamed away."""
    renamed = ModuleType("ontology.terms")
    for name in ("Label", "Prop", "Rel", "Field"):
        enum = getattr(terms, name)
        kept = {m.name: m.value for m in enum if (name, m.name) != (enum_name, member)}
        assert name != enum_name or len(kept) == len(enum) - 1, f"{enum_name}.{member} unknown"
        setattr(renamed, name, StrEnum(name, kept))
    return renamed


def import_queries(monkeypatch: pytest.MonkeyPatch, with_terms: ModuleType) -> ModuleType:
    """Execute graph/db/queries.py afresh against WITH_TERMS (the real module is untouched)."""
    monkeypatch.setitem(sys.modules, "ontology.terms", with_terms)
    spec = importlib.util.spec_from_file_location("queries_under_test", queries.__file__)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("enum_name", "member"),
    [
        ("Prop", "FIRST_CITED"),  # a property key in tenure maps
        ("Prop", "RESTRICTED"),  # the redaction helpers
        ("Prop", "LISTING_DATE_EARLIEST"),  # a derived date bound
        ("Label", "UNIT_RELATION"),
        ("Rel", "CHILD_UNIT"),
    ],
)
def test_a_term_renamed_in_the_ontology_fails_the_import_naming_it(
    monkeypatch: pytest.MonkeyPatch, enum_name: str, member: str
) -> None:
    with pytest.raises(LookupError, match=re.escape(f"{{{member}}}")) as raised:
        import_queries(monkeypatch, terms_without(enum_name, member))
    assert raised.typename == "UnknownTermError"
    assert "silsila ontology generate" in str(raised.value)


def test_the_real_terms_import_and_give_the_same_statements(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    again = import_queries(monkeypatch, terms)
    assert again.UNITS_ABOVE == queries.UNITS_ABOVE
    assert again.NODE_BY_ID == queries.NODE_BY_ID


def test_placeholders_say_which_kind_of_term_they_name() -> None:
    fill = queries._cypher
    assert fill("(e:{EVENT} {{ID}: $event})") == "(e:`Event` {`id`: $event})"
    assert fill("[:{CHILD_UNIT}|{PARENT_UNIT}]") == "[:`CHILD_UNIT`|`PARENT_UNIT`]"
    assert fill("e.{START}, n {.{ID}}") == "e.`start`, n {.`id`}"
    # Cypher's own braces (maps, subqueries, quantifiers) stay; lower case are fragments.
    cypher = "CALL (n) { RETURN {a: 1} } ({x}){0,6} COUNT { (:{PLACE}) }"
    assert fill(cypher, x="up") == "CALL (n) { RETURN {a: 1} } (up){0,6} COUNT { (:`Place`) }"
    with pytest.raises(queries.UnknownTermError, match="cannot tell what"):
        fill("RETURN {ID}")
    with pytest.raises(queries.UnknownTermError, match="no such property key"):
        fill("e.{EVENT}")
    with pytest.raises(queries.UnknownTermError, match="no such label"):
        fill("(e:{START})")
    with pytest.raises(queries.UnknownTermError, match="no fragment given"):
        fill("MATCH ({var})")


# ----- no raw identifier slips into a statement ---------------------------------------

# Representative arguments for every public function that returns a statement.
ROOTS = load().root_labels
STATEMENT_FUNCTIONS: dict[str, Callable[[], str | list[str]]] = {
    "schema_statements": lambda: queries.schema_statements(load()),
    "named_schema": lambda: list(queries.named_schema(load()).values()),
    "count_by_label": lambda: queries.count_by_label(load().labels),
    "merge_nodes": lambda: queries.merge_nodes(terms.Label.EVENT, [terms.Label.MASSACRE]),
    "merge_links": lambda: [
        queries.merge_links(terms.Rel.AT_PLACE, terms.Label.EVENT, terms.Label.PLACE, fresh)
        for fresh in (False, True)
    ],
    "labels_of_ids": lambda: queries.labels_of_ids(ROOTS),
    "node_properties": lambda: queries.node_properties(terms.Label.EVENT),
    "nodes_page": lambda: queries.nodes_page(terms.Label.ACTOR),
    "redacted": lambda: queries.redacted("q", terms.Prop.QUOTE),
    "citations": lambda: queries.citations("n"),
    "tenure": lambda: queries.tenure("p"),
    "entity": lambda: queries.entity("n"),
    "sanctions_on": lambda: queries.sanctions_on("n"),
    "set_properties": lambda: queries.set_properties(terms.Label.EVENT),
    "create_nodes": lambda: queries.create_nodes(terms.Label.EVENT),
    # Every single filter, every pair and all of them, listed and counted.
    "events_filtered": lambda: (
        [
            queries.events_filtered(frozenset(given), count_only)
            for size in (0, 1, 2, len(queries.EVENT_FILTERS))
            for given in itertools.combinations(sorted(queries.EVENT_FILTERS), size)
            for count_only in (False, True)
        ]
        + [
            queries.events_filtered(frozenset(("place",)), sort=sort)
            for sort in queries.EVENT_SORTS
        ]
    ),
    "events_by_date": lambda: [
        queries.events_by_date(frozenset(given), descending)
        for size in (0, 1, 2, len(queries.DATE_WALK_FILTERS))
        for given in itertools.combinations(sorted(queries.DATE_WALK_FILTERS), size)
        for descending in (False, True)
    ],
    "sanctions_listed": lambda: [
        queries.sanctions_listed(frozenset(given), undated)
        for size in range(len(queries.SANCTION_FILTERS) + 1)
        for given in itertools.combinations(sorted(queries.SANCTION_FILTERS), size)
        for undated in (False, True)
    ],
    "shortest_paths": lambda: queries.shortest_paths(
        queries.MAX_DEPTH, terms.Label.ACTOR, terms.Label.PLACE, list(terms.Rel)
    ),
    "entity_page": lambda: queries.entity_page(terms.Label.ACTOR),
    "events_at": lambda: queries.events_at(terms.Label.PLACE),
    "move_relationships": lambda: [
        queries.move_relationships(terms.Label.ACTOR, terms.Rel.OF_ACTOR, outgoing)
        for outgoing in (True, False)
    ],
    "fold_duplicate": lambda: queries.fold_duplicate(terms.Label.ACTOR),
    "cited_sources_of": lambda: queries.cited_sources_of(terms.Label.EVENT),
}
NOT_STATEMENTS = {"ident", "role_filter"}


def statements() -> Iterator[tuple[str, str]]:
    """Every statement queries.py holds or builds, with a name to report it by."""
    for name, value in vars(queries).items():
        if isinstance(value, str) and not name.startswith("__"):
            yield name, value
        if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            yield from ((f"{name}[{i}]", v) for i, v in enumerate(value))
    for name, build in STATEMENT_FUNCTIONS.items():
        built = build()
        for i, text in enumerate([built] if isinstance(built, str) else built):
            yield f"{name}()#{i}", text


def test_every_statement_function_is_scanned() -> None:
    public = {
        name
        for name, f in inspect.getmembers(queries, inspect.isfunction)
        if f.__module__ == queries.__name__ and not name.startswith("_")
    }
    assert public - NOT_STATEMENTS == set(STATEMENT_FUNCTIONS), (
        "add the new statement function to STATEMENT_FUNCTIONS"
    )


# Procedure names (db.index.fulltext.queryNodes) are not property accesses; `row` is a loader's
# parameter row, whose keys are the loader's.
PROCEDURE = re.compile(r"\b(?:db|dbms)(?:\.\w+)+\s*\(")
PROPERTY_ACCESS = re.compile(r"\b(\w+)\.(?:`([^`]+)`|([A-Za-z_]\w*))")
PROJECTION_KEY = re.compile(r"[{,]\s*\.(?:`([^`]+)`|([A-Za-z_]\w*))")
PATTERN_MAP_KEY = re.compile(r"\(\w*(?::`[^`]+`)+\s*\{\s*(?:`([^`]+)`|(\w+))\s*:")
PARAMETER_ROWS = {"row"}
PROPERTY_KEYS = {p.value for p in terms.Prop}
TYPES = {t.value for t in terms.Label} | {t.value for t in terms.Rel}


def keys_used(statement: str, raw_only: bool = False) -> set[str]:
    """Every property key STATEMENT reads or writes: `x.key`, `{.key}` and `(x:L {key: …})`
    (with RAW_ONLY, those not back-ticked, so not filled in from the terms)."""
    text = PROCEDURE.sub("(", statement)
    found = set()
    for var, quoted, plain in PROPERTY_ACCESS.findall(text):
        if var not in PARAMETER_ROWS:
            found.add(plain if raw_only else quoted or plain)
    for pattern in (PROJECTION_KEY, PATTERN_MAP_KEY):
        found |= {plain if raw_only else quoted or plain for quoted, plain in pattern.findall(text)}
    return found - {""}


@pytest.mark.parametrize(("name", "statement"), list(statements()))
def test_every_property_key_label_and_type_is_the_ontologys(name: str, statement: str) -> None:
    assert keys_used(statement) <= PROPERTY_KEYS, name
    assert not keys_used(statement, raw_only=True), f"{name}: a property key typed raw"
    assert not re.search(r"\{[A-Za-z_]+\}", statement), f"{name}: a placeholder left unfilled"
    # After a colon, a label or relationship type, back-ticked because it came from the terms.
    assert not re.search(r":(?=[A-Za-z_])", statement), f"{name}: a raw label or type"
    assert set(re.findall(r":`([^`]+)`", statement)) <= TYPES, name


def test_the_scan_sees_raw_and_back_ticked_keys() -> None:
    """Guard: the scan above would pass vacuously if it found nothing."""
    statement = "MATCH (p:`Posting` {`id`: $id}) RETURN p.first_cited, p.`rank`, p {.title}"
    assert keys_used(statement) == {"id", "first_cited", "rank", "title"}
    assert keys_used(statement, raw_only=True) == {"first_cited", "title"}
    assert keys_used("MATCH (p:`Posting` {idx: $id}) RETURN p.bogus") == {"idx", "bogus"}
    assert "first_cited" in keys_used(queries.UNITS_ABOVE)


def test_a_role_filter_is_a_list_and_a_flag_never_a_null() -> None:
    """Neo4j plans a statement again for each new set of parameter types: any role and some
    roles must give the same types, so one plan serves both."""
    assert queries.role_filter(None) == {"roles": [], "any_role": True}
    assert queries.role_filter({"head", "commander"}) == {
        "roles": ["commander", "head"],
        "any_role": False,
    }
