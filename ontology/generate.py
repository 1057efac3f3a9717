"""Derive ontology/terms.py from the Turtle file, and tell whether the derived file is stale."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from ontology.errors import StaleDerivedFileError
from ontology.model import Ontology, load

TERMS = Path(__file__).parent / "terms.py"
HEADER = '''"""Python names for the ontology's graph terms.

GENERATED from ontology/silsila.ttl by `silsila ontology generate`: do not edit by hand.
"""

from enum import StrEnum
'''


def render_terms(ontology: Ontology) -> str:
    """The text of terms.py: one StrEnum each for labels, properties and relationship types."""
    sections = [
        _enum("Label", "A Neo4j node label.", ontology.labels),
        _enum("Prop", "A Neo4j property key.", sorted({p.name for p in ontology.properties})),
        _enum("Rel", "A Neo4j relationship type.", sorted(r.name for r in ontology.relationships)),
    ]
    return HEADER + "".join(sections)


def _enum(name: str, doc: str, values: list[str] | tuple[str, ...]) -> str:
    members = "".join(f'    {_constant(v)} = "{v}"\n' for v in values)
    return f'\n\nclass {name}(StrEnum):\n    """{doc}"""\n\n{members}'


def _constant(value: str) -> str:
    """`aliases` -> ALIASES, `LOCATED_IN` -> LOCATED_IN, `firstCited` -> FIRST_CITED."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", value).upper()


def write_terms() -> Path:
    """Regenerate terms.py from the ontology."""
    TERMS.write_text(render_terms(load()), encoding="utf-8")
    return TERMS


def check_terms() -> None:
    """Raise StaleDerivedFileError, with a diff, when terms.py no longer matches the ontology."""
    expected = render_terms(load())
    actual = TERMS.read_text(encoding="utf-8") if TERMS.is_file() else ""
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                actual.splitlines(keepends=True),
                expected.splitlines(keepends=True),
                "ontology/terms.py (on disk)",
                "ontology/terms.py (from silsila.ttl)",
            )
        )
        raise StaleDerivedFileError(
            f"ontology/terms.py is stale; run `silsila ontology generate`.\n{diff}"
        )
