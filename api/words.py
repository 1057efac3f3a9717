"""Words on pages: the ontology's words (ontology.words) and, for HTML, record ids in a text
turned into links that show the record's name."""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup, escape

from graph.reads.entities import MENTION
from ontology.words import kind, name_of, words

__all__ = ["kind", "name_of", "with_links", "words"]


def with_links(text: str, records: Mapping[str, object]) -> Markup:
    """TEXT, escaped, with each id of RECORDS it names turned into a link showing the record's
    name: a description that names a record by its id reads as a name."""
    parts: list[str] = []
    last = 0
    for match in MENTION.finditer(text):
        record = records.get(match.group())
        if record is None:
            continue
        parts.append(escape(text[last : match.start()]))
        parts.append(
            Markup('<a href="/ui/entities/{}"><bdi>{}</bdi></a>').format(
                match.group(), name_of(record)
            )
        )
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)
