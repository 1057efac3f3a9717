"""SNHR monthly massacre reports (plain text): incidents -> records for the shared pipeline."""

from loaders.snhr.importer import FORMAT, ImportResult, import_report
from loaders.snhr.parser import Discrepancy, Incident, ParseResult, Party, parse_report
from loaders.snhr.records import to_jsonl, to_records

__all__ = [
    "FORMAT",
    "Discrepancy",
    "ImportResult",
    "Incident",
    "ParseResult",
    "Party",
    "import_report",
    "parse_report",
    "to_jsonl",
    "to_records",
]
