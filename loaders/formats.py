"""What every importer and exporter of a format provides, as the registry (`loaders.registry`)
hands them to `silsila import` and `silsila export`.

An importer turns files into *chunks* of records in Silsila's record format (the same dicts
as `data/default/*.jsonl`, see `data/README.md`). The shared pipeline does the rest:
validation, entity resolution (reuse or the review list), normalisation and batched MERGE.

A chunk is self-contained: every id a record in it names is defined in the same chunk or is
already in the graph. Rows never straddle chunks. A large file therefore streams: memory
holds one chunk at a time, and an importer re-emits the shared entities (actors, places,
sources) a chunk needs instead of remembering them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal, Protocol

from neo4j import Driver

from graph.db.export import read_graph
from graph.db.settings import Settings
from loaders.errors import LoaderError, RecordProblem
from loaders.pipeline import Record
from ontology.model import Ontology
from ontology.rdf import GraphLink, GraphNode

CHUNK_ROWS = 2000  # input rows per chunk: big enough for batched writes, small for memory
# Information credibility an imported claim gets: 6, cannot be judged, until someone grades it
# (as every claim of the curated dataset).
UNGRADED = "6"


@dataclass
class Chunk:
    """Records read from some input rows, and the rows that could not be read.

    PROBLEMS name the file, the line, the column and what to fix; their rows made no
    records. WARNINGS say what was read differently from how it was written (a value left
    out, a date corrected); their rows did make records. ROWS counts every input row the
    chunk covers (for the progress bar), skipped rows included.
    """

    records: list[Record] = field(default_factory=list)
    problems: list[RecordProblem] = field(default_factory=list)
    warnings: list[RecordProblem] = field(default_factory=list)
    rows: int = 0


class ImportFormat(Protocol):
    """One field format that `silsila import NAME PATH…` reads."""

    @property
    def name(self) -> str:
        """The FORMAT word on the command line, e.g. `wwic`."""
        ...

    @property
    def summary(self) -> str:
        """One line for `silsila import --help`."""
        ...

    def read(self, paths: Sequence[Path]) -> Iterator[Chunk]:
        """Chunks of records, streamed from PATHS (files, or a folder for multi-file formats).

        Must be deterministic (same files -> same records and ids) so that re-importing
        changes nothing, and callable more than once (the pipeline reads twice: once to
        validate everything, once to write).
        """
        ...


# ----- exporters ----------------------------------------------------------------------------

ExportOutput = Literal["file", "folder"]


class ExportOutputError(LoaderError):
    """`silsila export` was not told where to write a format that cannot go to stdout."""


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote, and where (None: standard output), for `silsila export` to print."""

    wrote: str  # e.g. `RDF`, `4 acled rows`
    output: Path | None
    detail: str = ""  # e.g. `(1,024 bytes)`

    def line(self) -> str | None:
        """`Wrote WHAT to PATH (DETAIL)`; None for standard output, where nothing is said."""
        if self.output is None:
            return None
        return f"Wrote {self.wrote} to {self.output}" + (f" {self.detail}" if self.detail else "")


class ExportFormat(Protocol):
    """One format that `silsila export NAME [-o PATH]` writes the graph in."""

    @property
    def name(self) -> str:
        """The FORMAT word on the command line, e.g. `wwic`."""
        ...

    @property
    def summary(self) -> str:
        """One line for `silsila export --help`."""
        ...

    @property
    def output(self) -> ExportOutput:
        """What --output names: a `file`, or a `folder` the format writes its files into."""
        ...

    @property
    def default_name(self) -> str:
        """The file written when --output is an existing folder (and the example in help)."""
        ...

    @property
    def to_stdout(self) -> bool:
        """Whether the format is written to standard output when no --output is given."""
        ...

    def export(
        self, driver: Driver, settings: Settings, ontology: Ontology, output: Path | None
    ) -> ExportSummary:
        """Write the graph to OUTPUT (None: standard output, if `to_stdout`); what was written."""
        ...


def needs_output(fmt: ExportFormat) -> ExportOutputError:
    """The error for a format that was given no --output and cannot write to standard output."""
    return ExportOutputError(
        f"{fmt.name} writes {'a folder' if fmt.output == 'folder' else 'a file'}, not to "
        f"standard output: give --output (e.g. -o {fmt.default_name})"
    )


@dataclass(frozen=True)
class TextExport:
    """A format whose export is one text: written to a file, or to standard output."""

    name: str
    summary: str
    default_name: str
    wrote: str  # what the summary line calls the text, e.g. `RDF`
    text: Callable[[Driver, Settings, Ontology], str]
    output: ClassVar[ExportOutput] = "file"
    to_stdout: ClassVar[bool] = True

    def export(
        self, driver: Driver, settings: Settings, ontology: Ontology, output: Path | None
    ) -> ExportSummary:
        text = self.text(driver, settings, ontology)
        if output is None:
            sys.stdout.write(text)
            return ExportSummary(self.wrote, None)
        output.write_text(text, encoding="utf-8")
        return ExportSummary(self.wrote, output, f"({len(text.encode('utf-8')):,} bytes)")


@dataclass(frozen=True)
class GraphExport:
    """A format written from the whole graph as `graph.db.export.read_graph` reads it back.

    WRITE gets every node and link and the path (a file, or a folder if OUTPUT is `folder`).
    """

    name: str
    summary: str
    output: ExportOutput
    default_name: str
    write: Callable[[list[GraphNode], list[GraphLink], Path], ExportSummary]
    to_stdout: ClassVar[bool] = False

    def export(
        self, driver: Driver, settings: Settings, ontology: Ontology, output: Path | None
    ) -> ExportSummary:
        if output is None:
            raise needs_output(self)
        nodes, links = read_graph(driver, settings, ontology)
        return self.write(nodes, links, output)
