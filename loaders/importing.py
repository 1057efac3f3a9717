"""`silsila import FORMAT PATH…`: any field format through the one shared pipeline."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graph.settings import Settings
from loaders import pipeline
from loaders.errors import InvalidRecordsError, RecordProblem
from loaders.formats import ImportFormat
from loaders.pipeline import LoadSummary, Record
from ontology.model import load as load_ontology


@dataclass
class ImportSummary:
    """What an import read and did."""

    rows: int = 0
    records: int = 0
    loaded: LoadSummary = field(default_factory=LoadSummary)
    row_problems: list[RecordProblem] = field(default_factory=list)


def run_import(
    settings: Settings,
    fmt: ImportFormat,
    paths: Sequence[Path],
    skip_invalid: bool = False,
    on_rows: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Read PATHS as FMT and load the records; nothing is written if any row is invalid.

    (First version: reads every chunk into memory; the streaming version keeps this API.)
    """
    summary = ImportSummary()
    records: list[Record] = []
    for chunk in fmt.read(paths):
        summary.rows += chunk.rows
        records += chunk.records
        summary.row_problems += chunk.problems
        if on_rows is not None:
            on_rows(chunk.rows)
    if summary.row_problems and not skip_invalid:
        raise InvalidRecordsError(summary.row_problems)
    summary.records = len(records)
    summary.loaded = pipeline.load(settings, load_ontology(), records, skip_invalid=skip_invalid)
    return summary
