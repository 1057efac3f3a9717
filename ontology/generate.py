"""Derive files from the Turtle ontology, and tell whether a derived file is stale."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

from ontology.errors import StaleDerivedFileError
from ontology.model import Ontology, load
from ontology.records_schema import records_schema

TERMS = Path(__file__).parent / "terms.py"
RECORDS_SCHEMA = Path(__file__).parent / "records.schema.json"
HEADER = '''"""Python names for the ontology's graph terms.

GENERATED from ontology/silsila.ttl by `silsila ontology generate`: do not edit by hand.
"""

from enum import StrEnum
'''


def render_terms(ontology: Ontology) -> str:
    """The text of terms.py: one StrEnum each for labels, properties and relationship types."""
    sections = [
        _enum("Label", "A Neo4j node label.", ontology.labels),
        _enum("Prop", "A Neo4j property key.", ontology.property_keys()),
        _enum("Rel", "A Neo4j relationship type.", sorted(r.name for r in ontology.relationships)),
        _enum(
            "Field",
            "A record field that names another record.",
            sorted(r.field for r in ontology.relationships),
        ),
    ]
    return HEADER + "".join(sections)


def _enum(name: str, doc: str, values: list[str] | tuple[str, ...]) -> str:
    members = "".join(f'    {_constant(v)} = "{v}"\n' for v in values)
    return f'\n\nclass {name}(StrEnum):\n    """{doc}"""\n\n{members}'


def _constant(value: str) -> str:
    """`aliases` -> ALIASES, `LOCATED_IN` -> LOCATED_IN, `firstCited` -> FIRST_CITED."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", value).upper()


def render_records_schema(ontology: Ontology) -> str:
    """The text of records.schema.json."""
    return json.dumps(records_schema(ontology), indent=2, ensure_ascii=False) + "\n"


def derived_files() -> dict[Path, str]:
    """Every derived file and the text it must hold."""
    ontology = load()
    return {TERMS: render_terms(ontology), RECORDS_SCHEMA: render_records_schema(ontology)}


def write_derived() -> list[Path]:
    """Regenerate every derived file from the ontology."""
    written = []
    for path, text in derived_files().items():
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def check_derived() -> None:
    """Raise StaleDerivedFileError, with a diff, when a derived file no longer matches."""
    for path, expected in derived_files().items():
        actual = path.read_text(encoding="utf-8") if path.is_file() else ""
        if actual != expected:
            diff = "".join(
                difflib.unified_diff(
                    actual.splitlines(keepends=True),
                    expected.splitlines(keepends=True),
                    f"ontology/{path.name} (on disk)",
                    f"ontology/{path.name} (from silsila.ttl)",
                )
            )
            raise StaleDerivedFileError(
                f"ontology/{path.name} is stale; run `silsila ontology generate`.\n{diff}"
            )
