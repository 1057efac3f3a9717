"""What one row says about one record, and how the rows about the same record combine.

SFM repeats a unit's (or person's) own values on every row about it, one row per relation,
site or posting. Each row gives a *part*: values with the citations supporting them. The
record is the parts merged: each field takes the first value given, with the citations, from
any row, that support that same value; citations of one access point and confidence become
one citation supporting all their fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from loaders.pipeline import Record

Citation = dict[str, Any]
PART_FIELDS = ("label", "id", "file", "line", "values", "citations")


@dataclass
class Part:
    """The values (fields and links) one row gives a record, each cited."""

    label: str
    id: str
    file: str
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    citations: list[Citation] = field(default_factory=list)

    def cite(self, values: dict[str, Any], citations: Iterable[Citation]) -> None:
        self.values.update(values)
        self.citations += citations

    def to_json(self) -> str:
        fields = (self.label, self.id, self.file, self.line, self.values, self.citations)
        return json.dumps(dict(zip(PART_FIELDS, fields, strict=True)), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Part:
        return cls(**json.loads(text))


def merged(parts: Sequence[Part]) -> Record:
    """One record from the parts about it (the first part names its type, file and line)."""
    first = parts[0]
    values: dict[str, Any] = {}
    for part in parts:
        for name, value in part.values.items():
            values.setdefault(name, value)
    citations = []
    for part in parts:
        for citation in part.citations:
            supports = citation.get("supports")
            if supports is None:
                citations.append(citation)
                continue
            kept = [f for f in supports if f in values and part.values.get(f) == values[f]]
            if kept:
                citations.append({**citation, "supports": kept})
    properties = {"id": first.id, **values, "citations": merged_citations(citations)}
    return Record(first.label, properties, first.file, first.line)


def merged_citations(citations: Iterable[Citation]) -> list[Citation]:
    """Citations of the same access point and confidence as one, supporting all their fields.

    A citation without `supports` supports the whole record, and so does their merge.
    """
    by_key: dict[tuple[tuple[str, str], ...], Citation] = {}
    for citation in citations:
        key = tuple(sorted((k, str(v)) for k, v in citation.items() if k != "supports"))
        found = by_key.get(key)
        if found is None:
            by_key[key] = {**citation}
        elif "supports" not in found or "supports" not in citation:
            found.pop("supports", None)
        else:
            found["supports"] = found["supports"] + [
                f for f in citation["supports"] if f not in found["supports"]
            ]
    return list(by_key.values())
