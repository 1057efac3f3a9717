"""The one pipeline every format goes through: validate, normalise, then batched MERGE."""

from __future__ import annotations

import hashlib
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator, ValidationError
from neo4j import Driver, ManagedTransaction

from graph.asof import CitedInterval, InvalidDateError, PartialDate
from graph.db import queries, spelling, store
from graph.db.settings import Settings
from loaders.errors import (
    InvalidRecordsError,
    LoaderError,
    ProblemCounts,
    RecordProblem,
    skipped,
)
from ontology import rdf, shapes
from ontology.model import Ontology, RelationshipDef
from ontology.records_schema import DATE_PATTERN, ID_PATTERN, records_schema
from ontology.terms import Prop, Rel

BATCH_SIZE = 1000
PATTERN_HINTS = {
    DATE_PATTERN: "a date: use YYYY, YYYY-MM or YYYY-MM-DD",
    ID_PATTERN: "a valid id: use lowercase letters, digits and : . _ -",
}
# A schema problem's reason (`RecordProblem.reason`), by the JSON Schema keyword that failed.
SCHEMA_REASONS = {
    "enum": "is not one of the allowed values",
    "required": "lacks a required field",
    "type": "is of the wrong type",
    "additionalProperties": "is not a field of its record type",
    "maxLength": "is too long",
    "minLength": "is empty",
    "maximum": "is out of range",
    "minimum": "is out of range",
    "maxItems": "has too many values",
    "minItems": "has no value",
}
# Pairs of date fields whose second must not come before the first.
ORDERED_DATES = (("first_cited", "last_cited"), ("start", "end"), ("start_date", "end_date"))


@dataclass(frozen=True)
class Record:
    """One record as read from a file, with where it came from for error messages."""

    label: str
    properties: dict[str, Any]
    file: str
    line: int

    @cached_property
    def id(self) -> str:  # remembered: a loader asks for it many times per record
        return str(self.properties.get("id", ""))


@dataclass(frozen=True)
class NodeRow:
    """A node to MERGE: its record type (the MERGE label), extra labels, and properties."""

    label: str
    extra_labels: tuple[str, ...]
    properties: dict[str, Any]
    kind_labels: tuple[str, ...] = ()  # reset on every write, so a changed kind converges
    owner: str | None = None  # of an embedded node (a citation): the record it belongs to


@dataclass(frozen=True)
class LinkRow:
    """A relationship to MERGE between two nodes found by label and id."""

    rel: str
    from_label: str
    from_id: str
    to_label: str
    to_id: str


@dataclass
class LoadSummary:
    """What a load did, per record type."""

    created: Counter[str] = field(default_factory=Counter)
    matched: Counter[str] = field(default_factory=Counter)
    relationships: int = 0
    # Restricted records a file no longer marks as restricted: kept restricted (no --unrestrict).
    kept_restricted: int = 0
    warnings: list[RecordProblem] = field(default_factory=list)
    rejected: list[tuple[Record, list[RecordProblem]]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.created.values()) + sum(self.matched.values())


# ----- validation -----------------------------------------------------------------


_VALIDATORS: dict[tuple[int, str], tuple[Callable[[Any], Any], Draft202012Validator]] = {}


def _validators(
    ontology: Ontology, label: str
) -> tuple[Callable[[Any], Any], Draft202012Validator]:
    """A compiled check of one record type's schema, and the validator that explains failures.

    Most records are valid, so a compiled check (fastjsonschema) answers first and jsonschema
    runs only to list the problems of a record that fails: that keeps large imports fast.
    The record type's own subschema is used, not the one schema whose branches each test
    the type. Keyed by the ontology's identity: hashing the ontology costs more than checking.
    """
    key = (id(ontology), label)
    if key not in _VALIDATORS:
        schema = records_schema(ontology)
        if label in schema["properties"]["type"]["enum"]:
            schema = {"$ref": f"#/$defs/{label}", "$defs": schema["$defs"]}
        fast = {k: v for k, v in schema.items() if k not in ("$schema", "$id")}
        _VALIDATORS[key] = (fastjsonschema.compile(fast), Draft202012Validator(schema))
    return _VALIDATORS[key]


def validate(
    records: Sequence[Record],
    ontology: Ontology,
    existing: dict[str, set[str]] | None = None,
    gone: Mapping[str, Record] | None = None,
) -> list[RecordProblem]:
    """Every problem in the records: schema, duplicate ids, dangling links, reversed dates.

    EXISTING maps ids already in the graph to their labels, so links may point there. GONE
    holds records rejected already: a link to one is `skipped`, not an unknown id.
    """
    problems: list[RecordProblem] = []
    seen: dict[str, Record] = {}
    for record in records:
        problems += _schema_problems(record, ontology)
        problems += _date_problems(record)
        if record.id in seen:
            first = seen[record.id]
            problems.append(
                _problem(
                    record,
                    "id",
                    f"{record.id!r} repeats {first.file}:{first.line}",
                    "repeats an id",
                )
            )
        seen.setdefault(record.id, record)
    labels = known_labels(records, ontology, existing)
    for record in records:
        problems += _link_problems(record, ontology, labels, gone or {})
    return sorted(problems, key=lambda p: (p.file, p.line, p.field))


def known_labels(
    records: Sequence[Record], ontology: Ontology, existing: dict[str, set[str]] | None = None
) -> dict[str, set[str]]:
    """Every id the records may link to, with its labels: the records' own, then the graph's."""
    labels = {
        r.id: set(ontology.labels_of_node(r.label, r.properties))
        for r in records
        if r.label in ontology.record_types
    }
    return labels | {k: v for k, v in (existing or {}).items() if k not in labels}


def _problem(record: Record, name: str, text: str, reason: str = "") -> RecordProblem:
    return RecordProblem(record.file, record.line, name, text, reason)


def _schema_problems(record: Record, ontology: Ontology) -> list[RecordProblem]:
    document = {"type": record.label, **record.properties}
    check, explain = _validators(ontology, record.label)
    try:
        check(document)
        return []
    except fastjsonschema.JsonSchemaException:
        pass  # list every problem, in jsonschema's words
    problems = []
    for error in explain.iter_errors(document):
        path = [str(p) for p in error.absolute_path]
        name = ".".join(path) if path else "(record)"
        problems.append(_problem(record, name, _readable(error), _schema_reason(error)))
    return problems


def _schema_reason(error: ValidationError) -> str:
    if error.validator == "pattern":
        hint = PATTERN_HINTS.get(str(error.validator_value), "")
        return "is not " + hint.split(":", 1)[0] if hint else "does not match its pattern"
    return SCHEMA_REASONS.get(str(error.validator), f"fails the schema ({error.validator})")


def _readable(error: ValidationError) -> str:
    """Say what to write instead of quoting a whole pattern back."""
    if error.validator == "pattern":
        hint = PATTERN_HINTS.get(str(error.validator_value))
        if hint is not None:
            return f"{error.instance!r} is not {hint}"
    return error.message


def _date_problems(record: Record) -> list[RecordProblem]:
    problems = []
    for first, last in ORDERED_DATES:
        a, b = record.properties.get(first), record.properties.get(last)
        if not (isinstance(a, str) and isinstance(b, str)):
            continue
        try:
            CitedInterval(first_cited=PartialDate.parse(a), last_cited=PartialDate.parse(b))
        except InvalidDateError as e:
            text = f"{e} ({first} {a}, {last} {b})"
            problems.append(_problem(record, last, text, "ends before it starts"))
    return problems


def _link_problems(
    record: Record, ontology: Ontology, labels: dict[str, set[str]], gone: Mapping[str, Record]
) -> list[RecordProblem]:
    if record.label not in ontology.labels:
        return []
    problems = []
    for rel in ontology.relationships_of(record.label):
        if rel.embedded:
            for i, item in enumerate(record.properties.get(rel.field) or []):
                if isinstance(item, dict):
                    links = embedded_links(ontology, rel, item)
                    problems += _target_problems(record, f"{rel.field}.{i}", links, labels, gone)
            continue
        targets = [(rel, t) for t in ids_in(record.properties.get(rel.field))]
        problems += _target_problems(record, rel.field, targets, labels, gone)
    return problems


def embedded_links(
    ontology: Ontology, rel: RelationshipDef, item: dict[str, Any]
) -> list[tuple[RelationshipDef, str]]:
    inner = ontology.relationships_of(rel.targets[0])
    return [(r, t) for r in inner for t in ids_in(item.get(r.field))]


def _target_problems(
    record: Record,
    name: str,
    targets: Iterable[tuple[RelationshipDef, str]],
    labels: dict[str, set[str]],
    gone: Mapping[str, Record],
) -> list[RecordProblem]:
    problems = []
    for rel, target in targets:
        found = labels.get(target)
        where = _field_name(name, rel)
        if found is None and target in gone:
            problems.append(_skipped(record, where, gone[target]))
        elif found is None:
            problems.append(_problem(record, where, f"unknown id {target!r}", "unknown id"))
        elif not found & set(rel.targets):
            wanted = " or ".join(rel.targets)
            text = f"{target!r} is not a {wanted}"
            problems.append(_problem(record, where, text, "links to a record of the wrong type"))
    return problems


def _skipped(record: Record, name: str, dependency: Record) -> RecordProblem:
    """RECORD, which links to DEPENDENCY through NAME, is left out because DEPENDENCY is."""
    same_file = dependency.file == record.file
    where = f"line {dependency.line}" if same_file else f"{dependency.file}:{dependency.line}"
    return skipped(record.file, record.line, name, dependency.id, where)


def _field_name(name: str, rel: RelationshipDef) -> str:
    return name if name.endswith(rel.field) else f"{name}.{rel.field}"


def ids_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


# ----- normalisation ----------------------------------------------------------------


def normalise(
    records: Sequence[Record], ontology: Ontology, labels: dict[str, set[str]]
) -> tuple[list[NodeRow], list[LinkRow]]:
    """Nodes with their labels and graph properties, citation nodes, and relationships.

    LABELS (from `known_labels`) tells which indexed label finds each link's target.
    """
    link = _Linker(ontology, labels)
    nodes: list[NodeRow] = []
    links: list[LinkRow] = []
    for record in records:
        nodes.append(_node(record.label, record.properties, ontology))
        for rel in ontology.relationships_of(record.label):
            value = record.properties.get(rel.field)
            if not rel.embedded:
                links += [link(rel, record.label, record.id, t) for t in ids_in(value)]
                continue
            for item in value or []:
                child = _embedded_node(record.id, rel, item, ontology)
                child_id = child.properties["id"]
                nodes.append(child)
                links.append(link(rel, record.label, record.id, child_id))
                links += [
                    link(inner, child.label, child_id, target)
                    for inner, target in embedded_links(ontology, rel, item)
                ]
    return nodes, links


def _node(label: str, values: dict[str, Any], ontology: Ontology) -> NodeRow:
    properties: dict[str, Any] = {}
    for prop in ontology.properties_of(label):
        value = values.get(prop.name)
        if value is None:
            continue
        properties[prop.name] = value
        if prop.is_date:  # a list of dates (several birth dates) spans them all
            days = [PartialDate.parse(v) for v in (value if isinstance(value, list) else [value])]
            earliest, latest = prop.bound_names()
            properties[earliest] = min(d.earliest for d in days)
            properties[latest] = max(d.latest for d in days)
    properties.pop(Prop.SEARCH_KEYS.value, None)  # derived, never taken from a record
    if ontology.has_property(label, Prop.SEARCH_KEYS):
        names = [values.get(Prop.NAME) or "", *(values.get(Prop.ALIASES) or [])]
        if keys := spelling.search_keys(names):
            properties[Prop.SEARCH_KEYS.value] = keys
    extra = ontology.labels_of_node(label, values)[1:]
    return NodeRow(label, extra, properties, ontology.kind_labels(label))


def _embedded_node(
    owner: str, rel: RelationshipDef, item: dict[str, Any], ontology: Ontology
) -> NodeRow:
    """An inline object (a citation) as a node whose id hashes its owner and content."""
    key = "\x1f".join([owner, *(f"{k}={item[k]}" for k in sorted(item))])
    label = rel.targets[0]
    node_id = f"{label.lower()}:{hashlib.sha256(key.encode('utf-8')).hexdigest()[:24]}"
    return replace(_node(label, {**item, "id": node_id}, ontology), owner=owner)


def new_nodes(nodes: Sequence[NodeRow], present: Container[str]) -> frozenset[str]:
    """The ids of NODES the graph cannot hold, given the ids of the records it holds
    (PRESENT): a node whose id is not there, nor its owner's (an embedded node's id hashes
    its owner's), and that comes once (a MERGE folds a repeated one)."""
    seen = Counter(n.properties["id"] for n in nodes)
    return frozenset(
        n.properties["id"]
        for n in nodes
        if seen[n.properties["id"]] == 1
        and n.properties["id"] not in present
        and (n.owner is None or n.owner not in present)
    )


class _Linker:
    """Builds LinkRows, finding each target through a label with a uniqueness index."""

    def __init__(self, ontology: Ontology, labels: dict[str, set[str]]) -> None:
        self.ontology = ontology
        self.labels = labels
        self.indexed = {label for label, key in ontology.indexed("unique") if key == "id"}
        self.candidates: dict[str, list[str]] = {}  # by the relationship's IRI

    def __call__(self, rel: RelationshipDef, from_label: str, from_id: str, to_id: str) -> LinkRow:
        return LinkRow(rel.name, from_label, from_id, self._label_of(rel, to_id), to_id)

    def _label_of(self, rel: RelationshipDef, to_id: str) -> str:
        """The first indexed label, among the link's target classes, that the target has."""
        found = self.labels.get(to_id)
        candidates = self.candidates.get(rel.iri)
        if candidates is None:
            lineages = [a for t in rel.targets for a in self.ontology.ancestors(t)]
            candidates = self.candidates[rel.iri] = [a for a in lineages if a in self.indexed]
        if found is None:
            return next(a for a in candidates if a == rel.targets[0])
        return next(a for a in candidates if a in found)


# ----- writing ----------------------------------------------------------------------


def write(
    driver: Driver,
    settings: Settings,
    nodes: Sequence[NodeRow],
    links: Sequence[LinkRow],
    on_batch: Callable[[int], None] | None = None,
    unrestrict: Sequence[str] = (),
    then: Callable[[ManagedTransaction], None] | None = None,
    new: Container[str] = frozenset(),
) -> LoadSummary:
    """MERGE everything in batches inside one transaction, so a failed load writes nothing.

    A restricted record stays restricted whatever its row says, unless its id is in
    UNRESTRICT. THEN writes what belongs with the records in the same transaction. The
    nodes whose ids are in NEW (`new_nodes`) are created without looking for them."""
    with (
        store.translated_errors(settings),
        store.session(driver, settings) as session,
    ):
        return session.execute_write(
            _write_all, nodes, links, on_batch, list(unrestrict), then, new
        )


def _write_all(
    tx: ManagedTransaction,
    nodes: Sequence[NodeRow],
    links: Sequence[LinkRow],
    on_batch: Callable[[int], None] | None,
    unrestrict: list[str],
    then: Callable[[ManagedTransaction], None] | None = None,
    new: Container[str] = frozenset(),
) -> LoadSummary:
    summary = LoadSummary()
    stale_citations: set[str] = set()
    unlinked = {node.properties["id"] for node in nodes}
    groups: dict[tuple[str, tuple[str, ...]], list[NodeRow]] = defaultdict(list)
    for node in nodes:
        groups[(node.label, node.kind_labels)].append(node)
    for (label, kinds), group in sorted(groups.items()):
        created = [n for n in group if n.properties["id"] in new]
        _create_all(tx, label, created, on_batch, summary)
        found = [n for n in group if n.properties["id"] not in new] if created else group
        statement = queries.merge_nodes(label, kinds)
        for batch in _batches(found):
            rows = [
                {"id": n.properties["id"], "properties": n.properties, "labels": n.extra_labels}
                for n in batch
            ]
            result = tx.run(statement, rows=rows, unrestrict=unrestrict)
            merged = result.single(strict=True)
            summary.kept_restricted += merged["kept_restricted"]
            stale_citations.update(*merged["stale"])
            counters = result.consume().counters
            summary.created[label] += counters.nodes_created
            summary.matched[label] += len(batch) - counters.nodes_created
            if on_batch is not None:
                on_batch(len(batch))
    summary.relationships = _link_all(tx, links, unlinked)
    tx.run(queries.DELETE_UNCITED_CITATIONS, ids=sorted(stale_citations)).consume()
    if then is not None:
        then(tx)
    return summary


def _create_all(
    tx: ManagedTransaction,
    label: str,
    nodes: Sequence[NodeRow],
    on_batch: Callable[[int], None] | None,
    summary: LoadSummary,
) -> None:
    """Create NODES (of the record type LABEL), known to be new, in batches of the same
    labels."""
    by_labels: dict[tuple[str, ...], list[NodeRow]] = defaultdict(list)
    for node in nodes:
        by_labels[node.extra_labels].append(node)
    for extra, group in sorted(by_labels.items()):
        statement = queries.create_nodes(label, extra)
        for batch in _batches(group):
            tx.run(statement, rows=[n.properties for n in batch]).consume()
            summary.created[label] += len(batch)
            if on_batch is not None:
                on_batch(len(batch))


def _link_all(tx: ManagedTransaction, links: Sequence[LinkRow], unlinked: set[str]) -> int:
    """Write LINKS, each once; those starting at a node of UNLINKED (its outgoing links just
    dropped) are created outright, the others merged."""
    groups: dict[tuple[str, str, str, bool], list[LinkRow]] = defaultdict(list)
    for link in dict.fromkeys(links):
        key = (link.rel, link.from_label, link.to_label, link.from_id in unlinked)
        groups[key].append(link)
    total = 0
    for (rel, from_label, to_label, fresh), group in sorted(groups.items()):
        statement = queries.merge_links(rel, from_label, to_label, from_unlinked=fresh)
        for batch in _batches(group):
            rows = [{"from": x.from_id, "to": x.to_id} for x in batch]
            record = tx.run(statement, rows=rows).single()
            linked = record["linked"] if record else 0
            if linked != len(batch):
                raise LoaderError(
                    f"{len(batch) - linked} {rel} link(s) found no node to attach to; "
                    "nothing was loaded"
                )
            total += linked
    return total


def _batches(rows: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(rows), BATCH_SIZE):
        yield rows[start : start + BATCH_SIZE]


# ----- the whole load -----------------------------------------------------------------

# Told of each record (or input line) left out: its problems, and the records read from it.
OnRejected = Callable[[Sequence[RecordProblem], Sequence[Record]], None]


def load(
    settings: Settings,
    ontology: Ontology,
    records: Sequence[Record],
    on_batch: Callable[[int], None] | None = None,
    on_plan: Callable[[int], None] | None = None,
    skip_invalid: bool = False,
    unrestrict: Sequence[str] = (),
    on_rejected: OnRejected | None = None,
) -> LoadSummary:
    """Validate everything first; write only if every record is valid.

    With SKIP_INVALID, write the valid records instead and list the others, with their
    problems, in `summary.rejected`. ON_PLAN gets the number of nodes to write (citations
    included), ON_BATCH each batch's size. A restricted record stays restricted unless its
    id is in UNRESTRICT. ON_REJECTED gets each rejected record with its problems, before
    anything is written or refused.
    """
    with store.connect(settings) as driver:
        store.apply_schema(driver, settings, ontology)
        existing = existing_targets(driver, settings, records, ontology)
        checked = partition(records, ontology, existing)
        rejected = checked.rejected
        if on_rejected is not None:
            for record in (r for r in records if _key(r) in rejected):
                on_rejected(rejected[_key(record)], [record])
        if rejected and not skip_invalid:
            counts = ProblemCounts()
            for problems in rejected.values():
                counts.add(problems)
            listed = [p for problems in rejected.values() for p in problems]
            raise InvalidRecordsError(listed, by_reason=counts.lines())
        nodes, links = normalise(
            checked.valid, ontology, known_labels(checked.valid, ontology, existing)
        )
        if on_plan is not None:
            on_plan(len(nodes))
        summary = write(driver, settings, nodes, links, on_batch, unrestrict)
        summary.warnings = checked.warnings
        summary.rejected = [(r, rejected[_key(r)]) for r in records if _key(r) in rejected]
        return summary


MAX_REJECTION_ROUNDS = 20


@dataclass
class Partition:
    """The records that pass every check, the problems of the others, and SHACL warnings."""

    valid: list[Record]
    rejected: dict[tuple[str, int], list[RecordProblem]]
    warnings: list[RecordProblem]


def partition(
    records: Sequence[Record],
    ontology: Ontology,
    existing: dict[str, set[str]],
    with_shapes: bool = True,
    gone: Mapping[str, Record] | None = None,
) -> Partition:
    """Split the records into those that pass every check and the others, with problems.

    Rejecting a record can break the records that link to it, so the check repeats until
    what is left is valid (each round rejects at least one record, or stops); those are
    `skipped` because of it. WITH_SHAPES runs the SHACL shapes too (violations reject,
    warnings are returned). GONE holds records rejected before, by id.
    """
    valid = list(records)
    rejected: dict[tuple[str, int], list[RecordProblem]] = {}
    warnings: list[RecordProblem] = []
    left_out = dict(gone or {})
    for _ in range(MAX_REJECTION_ROUNDS):
        problems = validate(valid, ontology, existing, left_out)
        if not problems and with_shapes:
            nodes, links = normalise(valid, ontology, known_labels(valid, ontology, existing))
            problems, warnings = shape_problems(valid, nodes, links, ontology)
        if not problems:
            break
        for problem in problems:
            rejected.setdefault((problem.file, problem.line), []).append(problem)
        still_valid = [r for r in valid if _key(r) not in rejected]
        if len(still_valid) == len(valid):  # problems no record can be blamed for
            raise InvalidRecordsError(problems)
        left_out |= {r.id: r for r in valid if _key(r) in rejected and r.id not in left_out}
        valid = still_valid
    return Partition(valid, rejected, warnings)


def _key(record: Record) -> tuple[str, int]:
    return (record.file, record.line)


def shape_problems(
    records: Sequence[Record],
    nodes: Sequence[NodeRow],
    links: Sequence[LinkRow],
    ontology: Ontology,
) -> tuple[list[RecordProblem], list[RecordProblem]]:
    """SHACL violations and warnings, each placed at the record it concerns."""
    by_id = {r.id: r for r in records}
    owner = {x.to_id: x.from_id for x in links if x.rel == Rel.CITED_IN}
    violations: list[RecordProblem] = []
    warnings: list[RecordProblem] = []
    for result in _shape_results(nodes, links, ontology):
        node_id = result.focus.removeprefix(str(rdf.ID))
        record = by_id.get(node_id) or by_id.get(owner.get(node_id, ""))
        where = (record.file, record.line) if record else (node_id, 0)
        problem = RecordProblem(*where, result.path or "(record)", result.message)
        (violations if result.is_violation else warnings).append(problem)
    return violations, warnings


# SHACL results of recently checked node sets: the check depends on nothing else, and the
# same dataset is often checked again in one process (a reload, a test session).
_SHAPE_RESULTS: OrderedDict[str, list[shapes.ShapeResult]] = OrderedDict()
SHAPE_RESULTS_KEPT = 4


def _shape_results(
    nodes: Sequence[NodeRow], links: Sequence[LinkRow], ontology: Ontology
) -> list[shapes.ShapeResult]:
    key = _digest(nodes, links)
    if key in _SHAPE_RESULTS:
        _SHAPE_RESULTS.move_to_end(key)
        return _SHAPE_RESULTS[key]
    graph = rdf.to_rdf(
        ontology,
        (rdf.GraphNode((n.label, *n.extra_labels), n.properties) for n in nodes),
        (rdf.GraphLink(x.from_id, x.rel, x.to_id) for x in links),
        with_day_bounds=True,
        only=shapes.read_predicates(),
    )
    _SHAPE_RESULTS[key] = results = shapes.check(graph)
    if len(_SHAPE_RESULTS) > SHAPE_RESULTS_KEPT:
        _SHAPE_RESULTS.popitem(last=False)
    return results


def _digest(nodes: Sequence[NodeRow], links: Sequence[LinkRow]) -> str:
    """A fingerprint of exactly what SHACL sees: labels, properties and links."""
    digest = hashlib.sha256()
    for n in nodes:
        digest.update(repr((n.label, n.extra_labels, sorted(n.properties.items()))).encode())
    for x in links:
        digest.update(repr((x.rel, x.from_id, x.to_id)).encode())
    return digest.hexdigest()


def existing_targets(
    driver: Driver,
    settings: Settings,
    records: Sequence[Record],
    ontology: Ontology,
    known: Mapping[str, set[str]] | None = None,
) -> dict[str, set[str]]:
    """Labels of the graph nodes that records link to but do not define themselves; those in
    KNOWN (nodes a write still under way puts in the graph) are taken from it."""
    defined = {r.id for r in records}
    wanted: set[str] = set()
    for record in records:
        if record.label not in ontology.labels:
            continue
        for rel in ontology.relationships_of(record.label):
            if rel.embedded:
                items = record.properties.get(rel.field) or []
                for item in items if isinstance(items, list) else []:
                    if isinstance(item, dict):
                        wanted |= {t for _, t in embedded_links(ontology, rel, item)}
            else:
                wanted |= set(ids_in(record.properties.get(rel.field)))
    known = known or {}
    found = {i: known[i] for i in wanted - defined if i in known}
    missing = sorted(wanted - defined - set(found))
    return found | (store.labels_of_ids(driver, settings, missing) if missing else {})
