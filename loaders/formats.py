"""What every importer of a field format provides, and the registry `silsila import` reads.

An importer turns files into *chunks* of records in Silsila's record format (the same dicts
as `data/default/*.jsonl`, see `data/README.md`). The shared pipeline does the rest:
validation, entity resolution (reuse or the review list), normalisation and batched MERGE.

A chunk is self-contained: every id a record in it names is defined in the same chunk or is
already in the graph. Rows never straddle chunks. A large file therefore streams: memory
holds one chunk at a time, and an importer re-emits the shared entities (actors, places,
sources) a chunk needs instead of remembering them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from loaders.errors import RecordProblem
from loaders.pipeline import Record

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
