"""`silsila import FORMAT PATH…`: any field format through the one shared pipeline.

Two passes over the input, so a file of any size streams with flat memory and a bad row
anywhere means nothing is written:

1. check: every chunk is read, resolved against the graph, and validated (JSON Schema,
   links, dates; SHACL on the first chunk, which is the whole input for all but streams);
   problems are collected, nothing is written;
2. write: only if the check found nothing (or with skip_invalid, leaving out the rows it
   rejected), every chunk is read again and written in its own transaction, batched MERGE
   on deterministic ids. Merge candidates go to the review list.

The second pass writes chunk by chunk, each chunk (with its review candidates) in one
transaction, and keeps a journal of the chunks committed (`loaders.journal`). A kill of the
database or of the importer at any point leaves whole chunks: an input of one chunk is all or
nothing, a longer one is completed by running the same import again, which skips the chunks
the graph holds. Each run says what it found of an interrupted import.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from neo4j import Driver
from neo4j.exceptions import DriverError, IncompleteCommit, Neo4jError

from graph.db import store
from graph.db.settings import Settings
from loaders import journal, pipeline, review
from loaders.errors import (
    InvalidRecordsError,
    LoaderError,
    ProblemCounts,
    RecordProblem,
    reason_of,
)
from loaders.formats import Chunk, ImportFormat
from loaders.journal import Held, IdDigests, ImportInterruptedError, Journal
from loaders.pipeline import LinkRow, NodeRow, OnRejected, Record
from loaders.read_ahead import read_ahead
from loaders.resolve import RESOLVED_TYPES, Candidate, Resolution, Resolver, cited_sources
from ontology.errors import SilsilaError
from ontology.model import Ontology
from ontology.model import load as load_ontology

LISTED_PROBLEMS = 200  # beyond this, problems are counted, not listed
LISTED_WARNINGS = 50
# SHACL (pyshacl) costs ~3 s per 2,000 ACLED rows (9,000 records), so an import runs it on
# its first SHAPED_RECORDS records (all of them, for every input but a stream): the shapes'
# rules about each record are enforced on every row by the schema, link and date checks too;
# what SHACL adds on a stream is a check of the format's mapping, the same for every row.
SHAPED_RECORDS = 1000

Progress = Callable[[str, int, int | None], None]  # (phase, rows just done, rows in all)
# Errors that stop the write pass: what the graph holds is then said, and how to complete it.
STOPPING = (SilsilaError, OSError, Neo4jError, DriverError)


class InputChangedError(LoaderError):
    """The files changed between the check and the write."""


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
    problems: list[RecordProblem] = field(default_factory=list)  # the first LISTED_PROBLEMS
    problem_count: int = 0
    rejected_rows: set[tuple[str, int]] = field(default_factory=set)
    rejected_counts: ProblemCounts = field(default_factory=ProblemCounts)  # rows, by reason
    warnings: list[RecordProblem] = field(default_factory=list)
    warning_count: int = 0
    read_warnings: list[RecordProblem] = field(default_factory=list)
    read_warning_count: int = 0
    read_warning_reasons: Counter[str] = field(default_factory=Counter)
    written: bool = False
    chunk_rows: list[int] = field(default_factory=list)  # rows in each chunk, as checked
    resumed: int = 0  # chunks an interrupted run of this import had committed: not rewritten

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
        self.read_warning_count += len(warnings)
        self.read_warning_reasons.update(reason_of(w) for w in warnings)
        room = LISTED_WARNINGS - len(self.read_warnings)
        self.read_warnings += list(warnings[: max(room, 0)])

    def refusal(self) -> InvalidRecordsError:
        """The error refusing the import: problems listed, counted, and totalled by reason."""
        return InvalidRecordsError(self.problems, self.problem_count, self.rejected_counts.lines())


def run_import(
    settings: Settings,
    fmt: ImportFormat,
    paths: Sequence[Path],
    skip_invalid: bool = False,
    on_rows: Progress | None = None,
    dry_run: bool = False,
    on_records: Callable[[list[Record]], None] | None = None,
    unrestrict: Sequence[str] = (),
    on_interrupted: Callable[[Interrupted], None] | None = None,
    on_write: Callable[[], None] | None = None,
    on_rejected: OnRejected | None = None,
) -> ImportSummary:
    """Read PATHS as FMT, check everything, then write; nothing is written if a row is bad.

    With SKIP_INVALID, the rows with problems (and records that depend on them) are left
    out and listed in `summary.problems`. With DRY_RUN nothing is written: ON_RECORDS gets
    each chunk's records as they would be written. ON_ROWS reports progress per phase. A
    restricted record stays restricted unless its id is in UNRESTRICT.

    ON_INTERRUPTED gets, first, each import that stopped before completing (this one, which
    is then resumed, or others); ON_WRITE is called once, just before the first write. If
    the write stops, `ImportInterruptedError` says what the graph holds. ON_REJECTED gets
    each row left out (its problems, and the records read from it) during the check, so it
    hears of every one whether or not the import is then refused.
    """
    ontology = load_ontology()
    digest = journal.input_digest(fmt.name, paths)
    with store.connect(settings) as driver:
        found = interrupted_imports(driver, settings, (fmt.name, paths, digest), not dry_run)
        if any(i.this_input and i.running for i in found):
            raise journal.running_error(" ".join(_inputs(paths)))
        for each in found:
            if on_interrupted is not None:
                on_interrupted(each)
        ours = next((i.held for i in found if i.this_input), None)
        store.apply_schema(driver, settings, ontology)
        # one resolver for both passes: the write resolves entities as the check did, and
        # the graph is asked about each entity once; what an interrupted run of this import
        # created is no match, as it would not have been for an uninterrupted run
        unmatched = IdDigests(set())
        if ours is not None and not ours.lost:
            unmatched = ours.journal.creations(ours.chunks)
        resolver = Resolver(driver, settings, ontology, unmatched)
        summary = _check(
            driver, settings, ontology, resolver, fmt, paths, on_rows, on_records, on_rejected
        )
        if summary.problem_count and not skip_invalid:
            raise summary.refusal()
        if dry_run:
            return summary
        if on_write is not None:
            on_write()
        path = journal.journal_path(settings, fmt.name, digest)
        with journal.writing(path, " ".join(_inputs(paths))):
            log = _journal(path, fmt.name, paths, digest, summary, ours)
            write = partial(_write, driver, settings, ontology, resolver, fmt, paths, summary)
            try:
                write(on_rows, unrestrict, log)
            except STOPPING as e:
                raise _stopped(e, log) from e
            log.finish()
    return summary


def check(
    driver: Driver,
    settings: Settings,
    ontology: Ontology,
    fmt: ImportFormat,
    paths: Sequence[Path],
    on_rows: Progress | None = None,
    on_rejected: OnRejected | None = None,
    on_records: Callable[[list[Record]], None] | None = None,
    resolver: Resolver | None = None,
) -> ImportSummary:
    """The check pass alone, as `run_import` runs it before writing (a bulk import writes
    otherwise): every chunk read, resolved against the graph (by RESOLVER, if given) and
    validated; nothing written. ON_RECORDS gets each chunk's valid records, as resolved."""
    resolver = resolver or Resolver(driver, settings, ontology)
    return _check(
        driver, settings, ontology, resolver, fmt, paths, on_rows, on_records, on_rejected
    )


@dataclass(frozen=True)
class Interrupted:
    """An import that stopped before completing, and what the graph holds of it."""

    held: Held
    this_input: bool  # the input being imported now, which resumes it
    changed: bool = False  # its files have changed since: they can no longer complete it
    running: bool = False  # not stopped: another process is writing it right now

    def describe(self) -> str:
        found = self.held.journal
        files = " ".join(found.inputs) or "(no files)"
        state = self.held.state()
        if self.running:
            done = f"{found.committed} of {found.chunks} chunks committed so far"
            return f"An import of {files} ({found.format}) is being written right now: {done}."
        if self.this_input:
            again = "every chunk is written again" if self.held.lost else "re-running completes it"
            return f"Resuming an interrupted import of {files}: {state}; {again}."
        said = f"An import of {files} ({found.format}) was interrupted: {state}."
        if self.changed:
            return f"{said} Its files have changed since; delete {found.path} to forget it."
        return f"{said} `silsila import {found.format} {files}` completes it."


Input = tuple[str, Sequence[Path], str]  # format name, paths, digest of their content


def interrupted_imports(
    driver: Driver, settings: Settings, current: Input | None = None, resuming: bool = False
) -> list[Interrupted]:
    """Every import that stopped before completing, checked against the graph; the one of
    CURRENT first (marked this_input when RESUMING, i.e. it is about to be written)."""
    found = []
    for log in journal.unfinished(settings):
        ours = False
        changed = False
        if current is not None:
            name, paths, digest = current
            same_files = log.format == name and log.inputs == _inputs(paths)
            ours = log.format == name and log.digest == digest
            changed = same_files and not ours
        else:
            changed = _changed(log)
        held = journal.held(driver, settings, log)
        found.append(Interrupted(held, ours and resuming, changed, journal.running(log)))
    return sorted(found, key=lambda i: not i.this_input)


def _changed(log: Journal) -> bool:
    """Whether a journal's files are gone or differ from what it began to import."""
    paths = [Path(p) for p in log.inputs]
    return journal.input_digest(log.format, paths) != log.digest


def _inputs(paths: Sequence[Path]) -> list[str]:
    return [str(p.resolve()) for p in paths]


def _journal(
    path: Path,
    name: str,
    paths: Sequence[Path],
    digest: str,
    summary: ImportSummary,
    interrupted: Held | None,
) -> Journal:
    """The journal of this write: the interrupted one, resumed where the graph holds its
    chunks, or a new one. SUMMARY.resumed says how many chunks are skipped."""
    if interrupted is None:
        log = Journal(
            path,
            name,
            _inputs(paths),
            digest,
            summary.chunk_rows,
        )
        log.save()
        return log
    # a copy (resume() makes its lists anew): what was found and reported stays as found
    log = replace(interrupted.journal)
    if interrupted.lost or log.chunk_rows != summary.chunk_rows:  # chunked otherwise now
        log.chunk_rows = summary.chunk_rows
        log.resume(0)
        return log
    log.resume(interrupted.chunks)
    summary.resumed = interrupted.chunks
    return log


def _stopped(error: BaseException, log: Journal) -> ImportInterruptedError:
    """The error saying why the write stopped, what the graph holds, and what to do."""
    unknown = log.writing and _commit_unknown(error)
    held = Held(log, log.committed, uncertain=unknown, lost=False)
    files = " ".join(log.inputs)
    again = "imports it" if log.committed == 0 and not unknown else "completes it"
    return ImportInterruptedError(
        f"the import stopped: {error}\n{files} ({log.format}): {held.state()}. Running the "
        f"same `silsila import` again {again}."
    )


def _commit_unknown(error: BaseException | None) -> bool:
    """Whether the connection went while a commit was under way (it may have committed)."""
    while error is not None:
        if isinstance(error, IncompleteCommit):
            return True
        error = error.__cause__ or error.__context__
    return False


def _check(
    driver: Driver,
    settings: Settings,
    ontology: Ontology,
    resolver: Resolver,
    fmt: ImportFormat,
    paths: Sequence[Path],
    on_rows: Progress | None,
    on_records: Callable[[list[Record]], None] | None,
    on_rejected: OnRejected | None,
) -> ImportSummary:
    summary = ImportSummary()
    for chunk in read_ahead(fmt.read(paths)):
        summary.rows += chunk.rows
        summary.chunk_rows.append(chunk.rows)
        summary.note_read_warnings(chunk.warnings)
        resolution = resolver.resolve(chunk.records)
        records = resolution.records
        existing = pipeline.existing_targets(driver, settings, records, ontology)
        shaped = max(SHAPED_RECORDS - summary.records, 0)
        checked = _partition(records[:shaped], records[shaped:], ontology, existing)
        problems = chunk.problems + [p for found in checked.rejected.values() for p in found]
        summary.note_problems(problems)
        _note_rejected_rows(summary, problems, chunk.records, on_rejected)
        summary.note_warnings(checked.warnings)
        valid = checked.valid
        summary.records += len(valid)
        summary.reused |= resolution.reused
        summary.protected += len(resolution.protected)
        if on_records is not None:
            on_records(valid)
        _progress(on_rows, "Checking", chunk, None)
    return summary


def _note_rejected_rows(
    summary: ImportSummary,
    problems: Sequence[RecordProblem],
    records: Sequence[Record],
    on_rejected: OnRejected | None,
) -> None:
    """Count each row of PROBLEMS (one chunk's) by reason, and tell ON_REJECTED of it with
    the records read from it. Rows never straddle chunks: each row is told of once."""
    rows: dict[tuple[str, int], list[RecordProblem]] = {}
    for problem in problems:
        rows.setdefault((problem.file, problem.line), []).append(problem)
    read: dict[tuple[str, int], list[Record]] = {}
    for record in records:
        if (record.file, record.line) in rows:
            read.setdefault((record.file, record.line), []).append(record)
    for row, found in rows.items():
        summary.rejected_counts.add(found)
        if on_rejected is not None:
            on_rejected(found, read.get(row, []))


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
    gone = {r.id: r for r in passed if (r.file, r.line) in shapes.rejected}
    after = pipeline.partition(rest, ontology, existing, with_shapes=False, gone=gone)
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
    log: Journal,
) -> None:
    """Write chunk by chunk after those the graph holds, each with its review candidates in
    one transaction, recording each in the journal before it begins and after it commits.

    While one chunk is written (on a thread of its own), the next is resolved and normalised,
    taking what the one being written puts in the graph as already there. A chunk's write
    begins only once the one before it has committed."""
    candidates: dict[str, Candidate] = {}
    shared = SharedRecords()
    writing: _Writing | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="silsila-write") as writer:
        try:
            for number, chunk in enumerate(read_ahead(fmt.read(paths))):
                if number >= log.chunks or chunk.rows != log.chunk_rows[number]:
                    raise InputChangedError("the files changed while they were imported")
                if number < summary.resumed:
                    _progress(on_rows, "Writing", chunk, summary.rows)
                    continue
                ready = _prepare(
                    driver, settings, ontology, resolver, shared, chunk, summary, writing
                )
                if writing is not None:
                    before, writing = writing, None
                    _committed(before, log, summary, candidates, on_rows)
                log.begin(number, ready.witness, ready.creates)
                with_candidates = partial(
                    review.merge_candidates, candidates=ready.resolution.candidates
                )
                write = partial(
                    pipeline.write, unrestrict=unrestrict, then=with_candidates, new=ready.new
                )
                done = writer.submit(write, driver, settings, ready.nodes, ready.links)
                writing = _Writing(number, chunk, ready, done)
            if writing is not None:
                last, writing = writing, None
                _committed(last, log, summary, candidates, on_rows)
        except BaseException:
            if writing is not None:  # the journal must say whether the chunk under way committed
                _committed(writing, log, summary, candidates, on_rows)
            raise
    summary.candidates = list(candidates.values())
    summary.written = True


@dataclass(frozen=True)
class _Ready:
    """A chunk resolved and normalised, ready to write."""

    resolution: Resolution
    nodes: list[NodeRow]
    links: list[LinkRow]
    creates: list[str]  # the entities it creates, for the journal
    witness: str | None
    # What its write puts in the graph: each record's cited sources, each node's labels.
    sources: dict[str, set[str]]
    labels: dict[str, set[str]]
    new: frozenset[str]  # the ids of its nodes that neither the graph nor the write holds


@dataclass(frozen=True)
class _Writing:
    """A chunk whose write is under way."""

    number: int
    chunk: Chunk
    ready: _Ready
    done: Future[pipeline.LoadSummary]


def _prepare(
    driver: Driver,
    settings: Settings,
    ontology: Ontology,
    resolver: Resolver,
    shared: SharedRecords,
    chunk: Chunk,
    summary: ImportSummary,
    writing: _Writing | None,
) -> _Ready:
    """CHUNK resolved against the graph as the chunk being WRITTEN leaves it, and normalised."""
    sources = writing.ready.sources if writing is not None else {}
    labels = writing.ready.labels if writing is not None else {}
    resolution = resolver.resolve(_accepted(chunk.records, summary.rejected_rows), sources)
    records = shared.not_yet_written(resolution.records)
    existing = pipeline.existing_targets(driver, settings, records, ontology, labels)
    nodes, links = pipeline.normalise(
        records, ontology, pipeline.known_labels(records, ontology, existing)
    )
    creates = [r.id for r in records if r.label in RESOLVED_TYPES]
    return _Ready(
        resolution,
        nodes,
        links,
        [i for i in creates if i not in resolution.present],
        journal.witness(driver, settings, links),
        {r.id: cited_sources(r) for r in records},
        {n.properties["id"]: {n.label, *n.extra_labels} for n in nodes},
        pipeline.new_nodes(nodes, resolution.present),
    )


def _committed(
    writing: _Writing,
    log: Journal,
    summary: ImportSummary,
    candidates: dict[str, Candidate],
    on_rows: Progress | None,
) -> None:
    """Wait for the chunk under way to commit (its error is raised here), then record it."""
    written = writing.done.result()
    log.commit(writing.number)
    summary.created.update(written.created)
    summary.matched.update(written.matched)
    summary.relationships += written.relationships
    summary.kept_restricted += written.kept_restricted
    candidates |= {c.id: c for c in writing.ready.resolution.candidates}
    _progress(on_rows, "Writing", writing.chunk, summary.rows)


class SharedRecords:
    """The records every chunk emits again (its source, actors and places) that this import
    has written, or is writing, each as written: a later chunk leaves out one it emits
    unchanged, so a place named in every chunk is written once, and writes one it emits
    changed. A chunk counts as written once asked about: if its write fails, the import
    stops, and no later chunk is written."""

    def __init__(self) -> None:
        self.written: dict[str, int] = {}  # id -> digest of the record written

    def not_yet_written(self, records: Sequence[Record]) -> list[Record]:
        digests = [_digest(r) for r in records]
        fresh = [
            (r, d)
            for r, d in zip(records, digests, strict=True)
            if d is None or self.written.get(r.id) != d
        ]
        self.written |= {r.id: d for r, d in fresh if d is not None}
        return [r for r, _ in fresh]


def _digest(record: Record) -> int | None:
    """What a shared record says (type and values), None for any other record."""
    if record.label not in journal.REEMITTED:
        return None
    return hash((record.label, json.dumps(record.properties, sort_keys=True, default=str)))


def _accepted(records: list[Record], rejected: set[tuple[str, int]]) -> list[Record]:
    return [r for r in records if (r.file, r.line) not in rejected] if rejected else records


def _progress(on_rows: Progress | None, phase: str, chunk: Chunk, total: int | None) -> None:
    """Report a chunk done; the write pass knows the total from the check pass."""
    if on_rows is not None:
        on_rows(phase, chunk.rows, total)
