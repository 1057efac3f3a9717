"""`silsila import FORMAT PATH --bulk`: a first load into an empty database by neo4j-admin.

The checks are a transactional import's (`importing.check`: schema, links, dates, SHACL),
except that the graph, being empty, is not asked for entities to resolve against. In the same
pass, instead of MERGE chunk by chunk, each chunk's valid records become neo4j-admin's CSV
files (a header file and a data file for each set of typed properties, one for the
relationships); if the check refuses the import they are dropped. Then the local server is
stopped, `neo4j-admin database import full` writes the store offline, the server is started
again, and the ontology's constraints and indexes are created as every load creates them.

The graph is the one a transactional import of the same files makes in an empty database:

- what every chunk may emit again (persons, organizations, places, sources) is held until the
  end and written once, as the last chunk that wrote it leaves it (properties, labels,
  outgoing relationships, citations); but a version that does not cite every source the
  held one cites does not replace it (an import never overwrites another source's statement),
  and a restricted record stays restricted unless --unrestrict names it;
- every other record belongs to one row and is written as it is read, so memory holds the
  shared entities and one chunk; a record of one row repeated across chunks makes neo4j-admin
  refuse the duplicate id, and the import is refused (it needs a transactional import);
- properties keep the type the driver gives them (`killed:long`, `aliases:string[]`,
  `latitude:double`, the derived `_earliest`/`_latest` days as `date`), and relationships are
  distinct, as MERGE leaves them.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from neo4j import Driver

from graph.db import queries, store
from graph.db.runtime import LocalNeo4j
from graph.db.settings import Settings
from graph.errors import AdminImportError
from loaders import importing, journal, pipeline
from loaders.errors import LoaderError
from loaders.formats import ImportFormat
from loaders.importing import ImportSummary, Progress
from loaders.pipeline import LinkRow, NodeRow, OnRejected, Record
from loaders.resolve import Resolution, Resolver
from ontology.model import Ontology
from ontology.model import load as load_ontology
from ontology.terms import Prop, Rel

# Between the values of a list and between labels: the unit separator, which no text carries.
ARRAY_DELIMITER = "\x1f"
ADMIN_ARRAY_DELIMITER = "U+001F"
HELD = frozenset(journal.REEMITTED)
INDEX_SECONDS = 3600  # a large store's indexes take minutes to build; a stuck one is an error
LINK_HEADER = (":START_ID", ":END_ID", ":TYPE")


class BulkRefusedError(LoaderError):
    """--bulk was asked for where it cannot run: a database that is not empty, or not local."""


class BulkImportFailedError(LoaderError):
    """neo4j-admin refused the files; the database was left empty."""


class BulkValueError(LoaderError):
    """A value neo4j-admin's CSV files cannot carry as the driver stores it."""


@dataclass
class BulkSummary(ImportSummary):
    """An import's summary, with the time each step of the bulk path took (seconds)."""

    check_seconds: float = 0.0
    convert_seconds: float = 0.0
    admin_seconds: float = 0.0  # neo4j-admin alone, the server stopped
    restart_seconds: float = 0.0  # stop, start, constraints and indexes built
    admin_arguments: list[str] = field(default_factory=list)


def run_bulk_import(
    settings: Settings,
    fmt: ImportFormat,
    paths: Sequence[Path],
    skip_invalid: bool = False,
    on_rows: Progress | None = None,
    unrestrict: Sequence[str] = (),
    on_rejected: OnRejected | None = None,
    on_write: Callable[[], None] | None = None,
    work_dir: Path | None = None,
) -> BulkSummary:
    """Check PATHS as FMT as `importing.run_import` does, then write them with neo4j-admin
    into the local server's database, which must be empty. The CSV files are written to a
    temporary folder, or kept in WORK_DIR when given. ON_WRITE is called once, before the
    files are written."""
    ontology = load_ontology()
    runtime = _local_server(settings)
    started = time.perf_counter()
    with _folder(work_dir) as folder:
        with store.connect(settings) as driver, BulkFiles(folder) as files:
            _require_empty(driver, settings, runtime)
            # one pass: each chunk is converted as soon as it is checked, the files dropped
            # if the check refuses the import
            convert = _Converter(ontology, files, unrestrict)
            checked = importing.check(
                driver,
                settings,
                ontology,
                fmt,
                paths,
                on_rows,
                on_rejected,
                on_records=convert.chunk,
                resolver=_EmptyGraph(driver, settings, ontology),
            )
            if checked.problem_count and not skip_invalid:
                raise checked.refusal()
            convert.finish()
        summary = BulkSummary(**vars(checked))
        convert.tell(summary)
        summary.check_seconds = time.perf_counter() - started - convert.seconds
        summary.admin_arguments = files.arguments()
        if on_write is not None:
            on_write()
        _import(settings, runtime, ontology, summary, folder, files.empty_lists)
    summary.written = True
    return summary


class _EmptyGraph(Resolver):
    """Resolution against the empty graph a bulk import writes into: nothing to reuse, to
    put on the review list or to protect, so the graph is not asked (the transactional
    import's write pass protects what an earlier chunk wrote: `_Converter` does)."""

    def resolve(
        self, records: Sequence[Record], written: Mapping[str, set[str]] | None = None
    ) -> Resolution:
        return Resolution(list(records), {}, [], [])


def _local_server(settings: Settings) -> LocalNeo4j:
    """The local server `silsila db start` runs: the only one whose store neo4j-admin can write."""
    runtime = LocalNeo4j(settings)
    local = f"bolt://127.0.0.1:{settings.neo4j_bolt_port}"
    if settings.neo4j_uri not in (None, local) or runtime.process() is None:
        raise BulkRefusedError(
            "--bulk writes the store of the local Neo4j that `silsila db start` runs, and none "
            f"runs from {runtime.home} (the graph is at {settings.bolt_uri}). Start it, or "
            "import without --bulk."
        )
    return runtime


def _require_empty(driver: Driver, settings: Settings, runtime: LocalNeo4j) -> None:
    nodes = store.node_count(driver, settings)
    if nodes:
        database = settings.neo4j_database
        raise BulkRefusedError(
            f"the database holds {nodes:,} nodes; --bulk only loads into an empty one. Import "
            "without --bulk to add to it, or empty it first: `silsila db stop`, delete "
            f"{runtime.data_dir / 'databases' / database} and "
            f"{runtime.data_dir / 'transactions' / database}, `silsila db start`."
        )
    if any(journal.running(log) for log in journal.unfinished(settings)):
        raise BulkRefusedError(
            "another import is being written right now; --bulk would replace what it writes. "
            "Wait for it to finish (`silsila import --status`)."
        )


@contextmanager
def _folder(work_dir: Path | None) -> Iterator[Path]:
    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
        yield work_dir
        return
    folder = Path(tempfile.mkdtemp(prefix="silsila-bulk-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ----- records to files ----------------------------------------------------------------


@dataclass(frozen=True)
class _Version:
    """What one chunk writes of a record every chunk may emit again."""

    node: NodeRow
    children: tuple[NodeRow, ...]  # its citations
    links: tuple[LinkRow, ...]  # its own and its citations' outgoing relationships
    sources: frozenset[str]  # the sources its citations come from


class _Converter:
    """Each chunk's valid records into FILES, as the write pass would write them."""

    def __init__(self, ontology: Ontology, files: BulkFiles, unrestrict: Sequence[str]) -> None:
        self.ontology = ontology
        self.files = files
        self.unrestrict = unrestrict
        self.held: dict[str, _Version] = {}
        self.matched: Counter[str] = Counter()
        self.protected = 0
        self.kept_restricted = 0
        self.seconds = 0.0

    def chunk(self, records: list[Record]) -> None:
        started = time.perf_counter()
        labels = pipeline.known_labels(records, self.ontology)
        own = [r for r in records if r.label not in HELD]
        nodes, links = pipeline.normalise(own, self.ontology, labels)
        for node in {n.properties["id"]: n for n in nodes}.values():  # MERGE: one per id
            self.files.node(node)
        self.files.links(links)
        for record in (r for r in records if r.label in HELD):
            found = _version(record, self.ontology, labels)
            self.held[record.id] = self._fold(self.held.get(record.id), found)
        self.seconds += time.perf_counter() - started

    def finish(self) -> None:
        """Write what every chunk may emit again, as the last chunk left it."""
        started = time.perf_counter()
        for version in self.held.values():
            for node in (version.node, *version.children):
                self.files.node(node)
            self.files.links(version.links)
        self.seconds += time.perf_counter() - started

    def tell(self, summary: BulkSummary) -> None:
        summary.created = self.files.created
        summary.matched = self.matched
        summary.relationships = self.files.relationships
        summary.protected += self.protected
        summary.kept_restricted = self.kept_restricted
        summary.convert_seconds = self.seconds

    def _fold(self, kept: _Version | None, new: _Version) -> _Version:
        """What the graph holds after NEW is written over KEPT, as the write pass decides."""
        if kept is None:
            return new
        if not kept.sources <= new.sources:  # the resolver protects the statement kept
            self.protected += 1
            return kept
        self.matched[new.node.label] += 1
        restricted = Prop.RESTRICTED.value
        node = new.node
        lifted = node.properties["id"] in self.unrestrict
        if kept.node.properties.get(restricted) is True and not lifted:
            if node.properties.get(restricted) is not True:
                self.kept_restricted += 1
            node = replace(node, properties={**node.properties, restricted: True})
        return replace(new, node=node)


def _version(record: Record, ontology: Ontology, labels: dict[str, set[str]]) -> _Version:
    nodes, links = pipeline.normalise([record], ontology, labels)
    children = {n.properties["id"]: n for n in nodes[1:]}
    sources = {x.to_id for x in links if x.rel == Rel.FROM_SOURCE and x.from_id in children}
    return _Version(nodes[0], tuple(children.values()), tuple(links), frozenset(sources))


@dataclass
class _Group:
    """The header and data file of nodes with one set of typed properties."""

    header: Path
    data: Path
    handle: IO[str]
    writer: Any  # csv's writer type is private


class BulkFiles:
    """neo4j-admin's CSV input: for each set of typed properties a header file and a data
    file of nodes (id, labels, values), and the relationships (start, end, type)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.groups: dict[tuple[tuple[str, str], ...], _Group] = {}
        self.created: Counter[str] = Counter()
        # empty lists, which a CSV cell cannot carry: set once the store is served
        self.empty_lists: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.relationships = 0
        self.multiline = False
        header, data = folder / "relationships.header.csv", folder / "relationships.csv"
        _write_row(header, LINK_HEADER)
        self._link_files = (header, data)
        self._link_handle = data.open("w", encoding="utf-8", newline="")
        self._link_writer = csv.writer(self._link_handle, quoting=csv.QUOTE_ALL)

    def __enter__(self) -> BulkFiles:
        return self

    def __exit__(self, *_: object) -> None:
        self._link_handle.close()
        for group in self.groups.values():
            group.handle.close()

    def node(self, node: NodeRow) -> None:
        values = node.properties
        empty = {k: v for k, v in values.items() if v == []}
        if empty:
            self.empty_lists[node.label].append({"id": values["id"], "properties": empty})
        columns = tuple(
            sorted((k, _type_of(k, v)) for k, v in values.items() if k != "id" and k not in empty)
        )
        group = self.groups.get(columns) or self._open(columns)
        texts = [_text(values[name]) for name, _ in columns]
        self.multiline = self.multiline or any("\n" in t or "\r" in t for t in texts)
        group.writer.writerow(
            [values["id"], ARRAY_DELIMITER.join((node.label, *node.extra_labels)), *texts]
        )
        self.created[node.label] += 1

    def links(self, links: Sequence[LinkRow]) -> None:
        """Write LINKS, each once (MERGE makes one relationship of a repeated link)."""
        distinct = dict.fromkeys((x.from_id, x.to_id, x.rel) for x in links)
        self._link_writer.writerows(distinct)
        self.relationships += len(distinct)

    def _open(self, columns: tuple[tuple[str, str], ...]) -> _Group:
        name = f"nodes-{len(self.groups):04d}"
        header, data = self.folder / f"{name}.header.csv", self.folder / f"{name}.csv"
        _write_row(header, ["id:ID", ":LABEL", *(f"{k}:{kind}" for k, kind in columns)])
        handle = data.open("w", encoding="utf-8", newline="")
        group = _Group(header, data, handle, csv.writer(handle, quoting=csv.QUOTE_ALL))
        self.groups[columns] = group
        return group

    def arguments(self) -> list[str]:
        """neo4j-admin's options naming these files and how to read them."""
        nodes = [f"--nodes={g.header},{g.data}" for g in self.groups.values()]
        header, data = self._link_files
        return [
            *nodes,
            f"--relationships={header},{data}",
            f"--array-delimiter={ADMIN_ARRAY_DELIMITER}",
            f"--multiline-fields={'true' if self.multiline else 'false'}",
            "--id-type=string",
            "--bad-tolerance=0",
        ]


def _write_row(path: Path, row: Sequence[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerow(row)


SCALAR_TYPES = {bool: "boolean", int: "long", float: "double", str: "string", dt.date: "date"}


def _type_of(name: str, value: Any) -> str:
    """The neo4j-admin type of a property the driver would store as VALUE."""
    scalar = SCALAR_TYPES.get(type(value))
    if scalar is not None:
        return scalar
    if isinstance(value, list) and value:
        kinds = {_type_of(name, v) for v in value}
        if len(kinds) == 1 and not next(iter(kinds)).endswith("[]"):
            return f"{kinds.pop()}[]"
    raise BulkValueError(
        f"property {name!r} holds a value neo4j-admin's files cannot carry as the driver "
        f"stores it ({type(value).__name__}); import without --bulk"
    )


def _text(value: Any) -> str:
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        texts = [_text(v) for v in value]
        if any(ARRAY_DELIMITER in t for t in texts):
            raise BulkValueError("a list value holds the unit separator; import without --bulk")
        return ARRAY_DELIMITER.join(texts)
    return str(value)


# ----- the offline import ----------------------------------------------------------------


def _import(
    settings: Settings,
    runtime: LocalNeo4j,
    ontology: Ontology,
    summary: BulkSummary,
    folder: Path,
    empty_lists: dict[str, list[dict[str, Any]]],
) -> None:
    """Stop the server, run neo4j-admin, start the server, create the schema, and set the
    empty lists."""
    started = time.perf_counter()
    with store.connect(settings) as driver:
        _require_empty(driver, settings, runtime)  # nothing was written while we converted
    runtime.stop()
    admin = time.perf_counter()
    try:
        runtime.import_full(summary.admin_arguments, folder)
    except AdminImportError as e:
        raise _failed(e) from e
    finally:  # imported or left empty, the database is served with its schema
        summary.admin_seconds = time.perf_counter() - admin
        runtime.start()
        with store.connect(settings) as driver:
            store.apply_schema(driver, settings, ontology)
            store.await_indexes(driver, settings, INDEX_SECONDS)
    with store.connect(settings) as driver, store.translated_errors(settings):
        for label, rows in empty_lists.items():
            for start in range(0, len(rows), pipeline.BATCH_SIZE):
                batch = rows[start : start + pipeline.BATCH_SIZE]
                driver.execute_query(
                    queries.set_properties(label), rows=batch, database_=settings.neo4j_database
                )
    summary.restart_seconds = time.perf_counter() - started - summary.admin_seconds


def _failed(error: AdminImportError) -> BulkImportFailedError:
    """neo4j-admin's refusal, without the id it names (ids can carry a restricted alias)."""
    text = re.sub(r"Id '[^']*'", "An id", str(error))
    if "defined more than once" in text:
        text += (
            " Two chunks give the same record of one row, which a transactional import merges:"
            " import without --bulk."
        )
    return BulkImportFailedError(text)
