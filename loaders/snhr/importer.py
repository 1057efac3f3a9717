"""One call for the CLI: parse a report, build its records, and load them unless dry-run."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from graph.db.settings import Settings
from loaders import pipeline
from loaders.errors import LoaderError
from loaders.formats import Chunk
from loaders.pipeline import LoadSummary, Record
from loaders.snhr.parser import ParseResult, parse_report
from loaders.snhr.records import DEFAULT_SOURCE, to_records
from ontology.model import load as load_ontology


@dataclass(frozen=True)
class ImportResult:
    parsed: ParseResult
    records: list[Record]
    loaded: LoadSummary | None  # None on a dry run


def import_report(
    path: Path,
    dry_run: bool,
    settings: Settings | None = None,
    source_id: str = DEFAULT_SOURCE,
    known_places: Mapping[str, str] | None = None,
) -> ImportResult:
    """Parse PATH and build its records; unless DRY_RUN, load them with the shared pipeline.

    Loading validates everything first and writes nothing if any record is invalid
    (`InvalidRecordsError`); the source and shared ids must already be in the graph.
    """
    parsed = parse_report(path)
    records = to_records(parsed, source_id, known_places)
    if dry_run:
        return ImportResult(parsed, records, None)
    if settings is None:
        raise LoaderError("settings are needed to load (or pass dry_run=True)")
    return ImportResult(parsed, records, pipeline.load(settings, load_ontology(), records))


class SnhrReport:
    """`silsila import snhr-report FILE…`: each report is one chunk (a report is small)."""

    name = "snhr-report"
    summary = "an SNHR monthly massacre report as text"

    def read(self, paths: Sequence[Path]) -> Iterator[Chunk]:
        for path in paths:
            parsed = parse_report(path)
            yield Chunk(records=to_records(parsed, DEFAULT_SOURCE), rows=len(parsed.incidents))

    def notes(self, paths: Sequence[Path]) -> Iterator[str]:
        """Paragraphs that could not be parsed, and differences from the report's summary."""
        for path in paths:
            parsed = parse_report(path)
            yield f"{path}: {len(parsed.incidents)} incidents"
            for number, text in parsed.unparsed:
                yield f"could not parse paragraph {number}: {text[:120]}…"
            for discrepancy in parsed.discrepancies():
                yield f"differs from the report's summary: {discrepancy}"


FORMAT = SnhrReport()
