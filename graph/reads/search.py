"""Search over names and aliases, Latin and Arabic script, tolerant of transliteration."""

from __future__ import annotations

import re
import unicodedata

from graph.db import queries
from graph.db.reader import Reader, entity_type
from graph.errors import InvalidRequestError
from graph.reads import models

MIN_FUZZY_LENGTH = 3
LONG_TOKEN = 7
SEARCH_OVERFETCH = 5  # fetch more than asked, since the type filter runs after the index


def lucene_query(text: str) -> str:
    """A Lucene query that tolerates transliteration: every word, fuzzily, all required.

    Diacritics (Latin accents, Arabic harakat) are dropped and punctuation splits words, so
    "Deir ez-Zor" matches "Deir Ez-Zour" and "Daraya" matches "Darayya".
    """
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    words = re.findall(r"\w+", folded)
    if not words:
        raise InvalidRequestError(f"{text!r} has no words to search for")
    terms = []
    for word in words:
        if len(word) < MIN_FUZZY_LENGTH or word.isdigit():
            terms.append(word)
        else:
            terms.append(f"{word}~{2 if len(word) >= LONG_TOKEN else 1}")
    return " AND ".join(terms)


async def find_by_name(
    reader: Reader, text: str, types: list[str], limit: int
) -> list[models.SearchHit]:
    """Names and aliases, Latin and Arabic script, best first."""
    rows = await reader.rows(
        queries.SEARCH,
        index=queries.NAME_SEARCH_INDEX,
        lucene=lucene_query(text),
        types=types,
        fetch=limit * SEARCH_OVERFETCH,
        limit=limit,
    )
    return [
        models.SearchHit(
            id=r["id"],
            type=entity_type(r["labels"]),
            name=r["name"],
            aliases=r["aliases"],
            score=r["score"],
        )
        for r in rows
    ]
