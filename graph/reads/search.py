"""Search over names and aliases, Latin and Arabic script, tolerant of transliteration."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from graph.db import queries, spelling
from graph.db.reader import Reader, entity_type
from graph.errors import InvalidRequestError
from graph.reads import models

MIN_FUZZY_LENGTH = 4
SEARCH_OVERFETCH = 5  # fetch more than asked, since the type filter runs after the index
WORD_BOOST = 3  # a word spelled as the record spells it beats a shared skeleton
MIN_LATIN_SKELETON = 3  # "dr" (Daraa, Deir, Adra) says too little

# Words that name a kind of place rather than the place: "Idlib province" means the governorate.
PLACE_KIND_WORDS = {
    "governorate": "governorate",
    "province": "governorate",
    "muhafazat": "governorate",
    "muhafaza": "governorate",
    "محافظة": "governorate",
    "city": "city",
    "مدينة": "city",
    "town": "town",
    "village": "village",
    "قرية": "village",
    "neighbourhood": "neighbourhood",
    "neighborhood": "neighbourhood",
    "حي": "neighbourhood",
}


def words_of(text: str) -> list[str]:
    """The words of TEXT, lowercase, without diacritics (Latin accents, Arabic harakat)."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    return re.findall(r"\w+", folded.replace("'", "").replace("\u2019", ""))


def place_kind_of(words: list[str]) -> tuple[list[str], str | None]:
    """The words without a trailing or leading kind-of-place word, and that kind."""
    for word in (words[-1], words[0]) if len(words) > 1 else ():
        if word in PLACE_KIND_WORDS:
            rest = list(words)
            rest.remove(word)
            return rest, PLACE_KIND_WORDS[word]
    return words, None


def _fuzzy(word: str) -> str:
    return word if len(word) < MIN_FUZZY_LENGTH or word.isdigit() else f"{word}~1"


def _group(word: str) -> str:
    """One query word, matched as written, folded, or by its consonants.

    A Latin word is matched fuzzily and by its strict skeleton. An Arabic word, written
    without short vowels, is matched exactly once transliterated, and by both skeletons:
    the loose one lets "دير" meet "Deir".
    """
    if not spelling.has_arabic(word):
        terms = []
        for folded in spelling.folded_words(word):
            strict, _ = spelling.skeletons(folded)
            terms += [f"{_fuzzy(folded)}^{WORD_BOOST}"]
            terms += [strict] if len(strict) >= MIN_LATIN_SKELETON else []
    else:
        terms = [f"{_fuzzy(word)}^{WORD_BOOST}"]
        for folded in spelling.folded_words(word):
            strict, loose = spelling.skeletons(folded)
            terms += [f"{folded}^{WORD_BOOST}", f"{strict}^{WORD_BOOST - 1}"]
            terms += [loose] if loose != strict else []
    terms = [t for t in dict.fromkeys(terms) if t and t[0] != "^"]
    return "(" + " OR ".join(terms) + ")" if terms else ""


def lucene_query(text: str) -> str:
    """A Lucene query that forgives spelling: every word required, each in any of its forms.

    "Ma'raba" meets "Maraba", "Daraya" meets "Darayya", and "داريا" meets both, through the
    search keys the loader stores (graph.db.spelling). The Arabic article is optional.
    """
    words = words_of(text)
    if not words:
        raise InvalidRequestError(f"{text!r} has no words to search for")
    meaningful = [w for w in words if w not in spelling.ARTICLES and w != "ال"] or words
    groups = [g for g in (_group(w) for w in meaningful) if g]
    if not groups:
        raise InvalidRequestError(f"{text!r} has no words to search for")
    return " AND ".join(groups)


def _hit(row: Any) -> models.SearchHit:
    return models.SearchHit(
        id=row["id"],
        type=entity_type(row["labels"]),
        name=row["name"],
        aliases=row["aliases"],
        score=row["score"],
        place_kind=row["place_kind"],
        start=row["start"],
        end=row["end"],
        place=row["place"],
    )


async def find_by_name(
    reader: Reader, text: str, types: list[str], limit: int
) -> list[models.SearchHit]:
    """Names and aliases, Latin and Arabic script, best first, one hit per record.

    A kind-of-place word ("Aleppo governorate", "Idlib province") puts places of that kind first.
    """
    words, kind = place_kind_of(words_of(text))
    wanted = " ".join(words)
    rows = await reader.rows(
        queries.SEARCH,
        index=queries.NAME_SEARCH_INDEX,
        lucene=lucene_query(wanted),
        types=types,
        fetch=limit * SEARCH_OVERFETCH,
        limit=limit * SEARCH_OVERFETCH,
    )
    hits = list({r["id"]: _hit(r) for r in reversed(rows)}.values())  # one per record
    hits.sort(key=lambda h: (-h.score, h.id))
    hits.sort(key=lambda h: (kind is not None and h.place_kind != kind, _likeness(wanted, h)))
    return hits[:limit]


def _likeness(text: str, hit: models.SearchHit) -> int:
    """0 when a name is the query's spelling, 1 when a transliteration of it, else 2.

    The sort is stable, so the index's score orders the hits within each tier.
    """
    words, skeleton = spelling.name_forms(text)
    forms = [spelling.name_forms(name) for name in (hit.name, *hit.aliases)]
    if any(w == words for w, _ in forms):
        return 0
    return 1 if any(s == skeleton for _, s in forms) else 2
