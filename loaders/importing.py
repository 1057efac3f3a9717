"""`silsila import FORMAT PATH…`: any field format through the one shared pipeline.

Two passes over the input, so a file of any size streams with flat memory and a bad row
anywhere means nothing is written:

1. check: every chunk is read, resolved against the graph, and validated (JSON Schema,
   links, dates; SHACL on the first chunk, which is the whole input for all but streams);
   problems are collected, nothing is written;
2. write: only if the check found nothing (or with skip_invalid, leaving out the rows it
   rejected), every chunk is read again and written in its own transaction, batched MERGE
   on deterministic ids. Merge candidates go to the review list.

The second pass writes chunk by chunk, so a crash of the database in the middle leaves the
chunks before it written; re-running the same import completes it and changes nothing else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from neo4j import Driver

from graph.db import store
from graph.db.settings import Settings
from loaders import pipeline, review
from loaders.errors import InvalidRecordsError, RecordProblem
from loaders.formats import Chunk, ImportFormat
from loaders.pipeline import Record
from loaders.resolve import Candidate, Resolver
from ontology.model import Ontology
from ontology.model import load as load_ontology

LISTED_PROBLEMS = 200  # beyond this, problems are counted, not listed
LISTED_WARNINGS = 50
# SHACL (pyshacl) costs ~30 s per 2,000 ACLED rows, so an import runs it on its first
# SHAPED_RECORDS records (all of them, for every input but a stream): the shapes' rules about
# each record are enforced on every row by the schema, link and date checks too; what SHACL
# adds on a stream is a check of the format's mapping, which is the same for every row.
SHAPED_RECORDS = 1000

Progress = Callable[[str, int, int | None], None]  # (phase, rows just done, rows in all)


@dataclass
class ImportSummary:
    """What an import read, found and wrote."""

    rows: int = 0
    records: int = 0
    created: Counter[str] = field(default_factory=Counter)
    matched: Counter[str] = field(default_factory=Counter)
    relationships: int = 0
    kept_restricted: int = 0
    reused: dict[str, str] = field(default_factory=dict)
    protected: int = 0
    candidates: list[Candidate] = field(default_factory=list)
    problems: list[RecordProblem] = field(default_factory=list)
    problem_count: int = 0
    rejected_rows: set[tuple[str, int]] = field(default_factory=set)
    warnings: list[RecordProblem] = field(default_factory=list)
    warning_count: int = 0
    read_warnings: list[RecordProblem] = field(default_factory=list)
    written: bool = False

    @property
    def row_problems(self) -> list[RecordProblem]:
        """Kept for callers of the first version: every problem listed."""
        return self.problems

    @property
    def nodes(self) -> int:
        return sum(self.created.values()) + sum(self.matched.values())

    def note_problems(self, problems: Sequence[RecordProblem]) -> None:
        self.problem_count += len(problems)
        room = LISTED_PROBLEMS - len(self.problems)
        self.problems += list(problems[: max(room, 0)])
        self.rejected_rows |= {(p.file, p.line) for p in problems}

    def note_warnings(self, warnings: Sequence[RecordProblem]) -> None:
        self.warning_count += len(warnings)
        room = LISTED_WARNINGS - len(self.warnings)
        self.warnings += list(warnings[: max(room, 0)])

    def note_read_warnings(self, warnings: Sequence[RecordProblem]) -> None:
        room = LISTED_WARNINGS - len(self.read_warnings)
        self.read_warnings += list(warnings[: max(room, 0)])

    def listed_problems(self) -> list[RecordProblem]:
        """The problems listed, plus a line saying how many more were found."""
        more = self.problem_count - len(self.problems)
        tail = [RecordProblem("(and more)", 0, "(rows)", f"{more} more problems")] if more else []
        return self.problems + tail


def run_import(
    settings: Settings,
    fmt: ImportFormat,
    paths: Sequence[Path],
    skip_invalid: bool = False,
    on_rows: Progress | None = None,
    dry_run: bool = False,
    on_records: Callable[[list[Record]], None] | None = None,
    unrestrict: Sequence[str] = (),
) -> ImportSummary:
    """Read PATHS as FMT, check everything, then write; nothing is written if a row is bad.

    With SKIP_INVALID, the rows with problems (and records that depend on them) are left
    out and listed in `summary.problems`. With DRY_RUN nothing is written: ON_RECORDS gets
    each chunk's records as they would be written. ON_ROWS reports progress per phase. A
    restricted record stays restricted unless its id is in UNRESTRICT.
    """
    ontology = load_ontology()
    with store.connect(settings) as driver:
        store.apply_schema(driver, settings, ontology)
        # one resolver for both passes: the write resolves entities as the check did, and
        # the graph is asked about each entity once
        resolver = Resolver(driver, settings, ontology)
        summary = _check(driver, settings, ontology, resolver, fmt, paths, on_rows, on_records)
        if summary.problem_count and not skip_invalid:
            raise InvalidRecordsError(summary.listed_problems())
        if not dry_run:
            _write(driver, settings, ontology, resolver, fmt, paths, summary, on_rows, unrestrict)
    return summary


def _check(
    driver: Driver,
    settings: Settings,
    ontology: Ontology,
    resolver: Resolver,
    fmt: ImportFormat,
    paths: Sequence[Path],
    on_rows: Progress | None,
    on_records: Callable[[list[Record]], None] | None,
) -> ImportSummary:
    summary = ImportSummary()
    for chunk in fmt.read(paths):
        summary.rows += chunk.rows
        summary.note_problems(chunk.problems)
        summary.note_read_warnings(chunk.warnings)
        resolution = resolver.resolve(chunk.records)
        records = resolution.records
        existing = pipeline.existing_targets(driver, settings, records, ontology)
        shaped = max(SHAPED_RECORDS - summary.records, 0)
        checked = _partition(records[:shaped], records[shaped:], ontology, existing)
        summary.note_problems([p for problems in checked.rejected.values() for p in problems])
        summary.note_warnings(checked.warnings)
        valid = checked.valid
        summary.records += len(valid)
        summary.reused |= resolution.reused
        summary.protected += len(resolution.protected)
        if on_records is not None:
            on_records(valid)
        _progress(on_rows, "Checking", chunk, None)
    return summary


def _partition(
    shaped: list[Record],
    unshaped: list[Record],
    ontology: Ontology,
    existing: dict[str, set[str]],
) -> pipeline.Partition:
    """Check every record; run the SHACL shapes on those of SHAPED that pass the rest.

    Both sets are validated together first (links between them resolve), then SHACL runs
    on the shaped ones that passed, and what depends on a record it rejects is rejected too.
    """
    everything = pipeline.partition(shaped + unshaped, ontology, existing, with_shapes=False)
    wanted = {(r.file, r.line) for r in shaped}
    passed = [r for r in everything.valid if (r.file, r.line) in wanted]
    if not passed:
        return everything
    others = [r for r in everything.valid if (r.file, r.line) not in wanted]
    shapes = pipeline.partition(
        passed, ontology, existing | pipeline.known_labels(others, ontology)
    )
    if not shapes.rejected:
        return pipeline.Partition(everything.valid, everything.rejected, shapes.warnings)
    rest = [r for r in everything.valid if (r.file, r.line) not in shapes.rejected]
    after = pipeline.partition(rest, ontology, existing, with_shapes=False)
    rejected = everything.rejected | shapes.rejected | after.rejected
    return pipeline.Partition(after.valid, rejected, shapes.warnings)


def _write(
    driver: Driver,
    settings: Settings,
    ontology: Ontology,
    resolver: Resolver,
    fmt: ImportFormat,
    paths: Sequence[Path],
    summary: ImportSummary,
    on_rows: Progress | None,
    unrestrict: Sequence[str],
) -> None:
    candidates: dict[str, Candidate] = {}
    for chunk in fmt.read(paths):
        resolution = resolver.resolve(_accepted(chunk.records, summary.rejected_rows))
        existing = pipeline.existing_targets(driver, settings, resolution.records, ontology)
        labels = pipeline.known_labels(resolution.records, ontology, existing)
        nodes, links = pipeline.normalise(resolution.records, ontology, labels)
        written = pipeline.write(driver, settings, nodes, links, unrestrict=unrestrict)
        summary.created.update(written.created)
        summary.matched.update(written.matched)
        summary.relationships += written.relationships
        summary.kept_restricted += written.kept_restricted
        candidates |= {c.id: c for c in resolution.candidates}
        _progress(on_rows, "Writing", chunk, summary.rows)
    summary.candidates = review.add_candidates(driver, settings, list(candidates.values()))
    summary.written = True


def _accepted(records: list[Record], rejected: set[tuple[str, int]]) -> list[Record]:
    return [r for r in records if (r.file, r.line) not in rejected] if rejected else records


def _progress(on_rows: Progress | None, phase: str, chunk: Chunk, total: int | None) -> None:
    """Report a chunk done; the write pass knows the total from the check pass."""
    if on_rows is not None:
        on_rows(phase, chunk.rows, total)
