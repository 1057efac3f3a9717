"""The one pipeline every format goes through: validate against the ontology, then batched MERGE."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from neo4j import Driver

from graph import queries, store
from graph.settings import Settings
from loaders.errors import InvalidRecordsError, RecordProblem
from ontology.model import SIL, Ontology, PropertyDef

BATCH_SIZE = 1000
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9:._-]*$")
PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


@dataclass(frozen=True)
class Record:
    """One node to write, with where it came from for error messages."""

    label: str
    properties: dict[str, Any]
    file: str
    line: int

    @property
    def id(self) -> str:
        return str(self.properties.get("id", ""))


@dataclass
class LoadSummary:
    """What a load did, per label."""

    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    matched: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def total(self) -> int:
        return sum(self.created.values()) + sum(self.matched.values())


def validate(records: Iterable[Record], ontology: Ontology) -> list[RecordProblem]:
    """Every problem in the records, against the ontology's labels and properties."""
    problems: list[RecordProblem] = []
    seen: dict[tuple[str, str], Record] = {}
    for record in records:
        problems += _record_problems(record, ontology)
        key = (record.label, record.id)
        if key in seen:
            first = seen[key]
            problems.append(
                _problem(record, "id", f"{record.id!r} repeats {first.file}:{first.line}")
            )
        seen.setdefault(key, record)
    return problems


def _problem(record: Record, name: str, text: str) -> RecordProblem:
    return RecordProblem(record.file, record.line, name, text)


def _record_problems(record: Record, ontology: Ontology) -> list[RecordProblem]:
    if record.label not in ontology.labels:
        known = ", ".join(ontology.labels)
        return [_problem(record, "type", f"unknown type {record.label!r}; use one of {known}")]
    allowed = {p.name: p for p in ontology.properties_of(record.label)}
    problems = [
        _problem(record, name, f"not a property of {record.label}; allowed: {sorted(allowed)}")
        for name in record.properties
        if name not in allowed
    ]
    for prop in allowed.values():
        value = record.properties.get(prop.name)
        if value is None:
            if prop.required:
                problems.append(_problem(record, prop.name, "required, but missing"))
            continue
        problem = _value_problem(prop, value)
        if problem:
            problems.append(_problem(record, prop.name, problem))
    return problems


def _value_problem(prop: PropertyDef, value: Any) -> str | None:
    """What is wrong with one value, or None."""
    values = value if prop.multiple else [value]
    if prop.multiple and not isinstance(value, list):
        return f"must be a list of strings, got {type(value).__name__}"
    for item in values:
        if not isinstance(item, str) or not item.strip():
            return f"must be a non-empty string, got {item!r}"
        if prop.name == "id" and not ID_PATTERN.match(item):
            return f"{item!r} is not a valid id (lowercase letters, digits, and : . _ -)"
        if prop.datatype == str(SIL.PartialDate) and not PARTIAL_DATE.match(item):
            return f"{item!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"
    return None


def write(
    driver: Driver,
    settings: Settings,
    records: Sequence[Record],
    on_batch: Callable[[int], None] | None = None,
) -> LoadSummary:
    """MERGE the records in batches inside one transaction, so a failed load writes nothing."""
    summary = LoadSummary()
    by_label: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_label[record.label].append(record)
    with (
        store.translated_errors(settings),
        driver.session(database=settings.neo4j_database) as session,
        session.begin_transaction() as tx,
    ):
        for label, group in sorted(by_label.items()):
            for start in range(0, len(group), BATCH_SIZE):
                batch = group[start : start + BATCH_SIZE]
                rows = [{"id": r.id, "properties": r.properties} for r in batch]
                counters = tx.run(queries.merge_nodes(label), rows=rows).consume().counters
                summary.created[label] += counters.nodes_created
                summary.matched[label] += len(batch) - counters.nodes_created
                if on_batch is not None:
                    on_batch(len(batch))
        tx.commit()
    return summary


def load(
    settings: Settings,
    ontology: Ontology,
    records: Sequence[Record],
    on_batch: Callable[[int], None] | None = None,
) -> LoadSummary:
    """Validate everything first; write only if every record is valid."""
    problems = validate(records, ontology)
    if problems:
        raise InvalidRecordsError(problems)
    with store.connect(settings) as driver:
        store.apply_schema(driver, settings, ontology)
        return write(driver, settings, records, on_batch)
