"""How names are folded so that search forgives spelling and script.

The loader stores `search_keys` (every word of a record's name and aliases, folded) and a
search folds its words the same way, so both sides meet in the middle:

- normality folds to ASCII (ICU transliterates Arabic when PyICU is installed):
  "Ma'raba" and "Maraba" give "maraba", "داريا" gives "darya";
- a consonant skeleton bridges the scripts, since Arabic writes no short vowels:
  "Darayya", "Daraya" and "داريا" all give "dry"; a loose skeleton also drops w and y,
  which Arabic writes for long vowels ("Deir" and "دير" give "dr").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from normality import ascii_text

# The Arabic article and its Latin spellings ("al-", "el-", "ash-", "ez-"), left out of keys.
ARTICLES = frozenset(
    {"al", "el", "il", "ul", "as", "ash", "ad", "ar", "az", "ez", "es", "en", "an", "at", "ath"}
)
ARABIC_ARTICLE = re.compile(r"(?<![\w])ال(?=\w{2,})")
TA_MARBUTA = "ة"  # written "a", "ah", "eh" or "at" in Latin: left out, as is the Latin "h"
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
MIN_SKELETON = 2


def has_arabic(text: str) -> bool:
    return ARABIC_LETTER.search(text) is not None


def folded_words(text: str) -> list[str]:
    """Lowercase ASCII words; Arabic transliterated, apostrophes and diacritics dropped."""
    return list(_folded(text))


# Names and words recur across records and imports, and ICU's transliteration is not cheap.
@lru_cache(maxsize=1 << 16)
def _folded(text: str) -> tuple[str, ...]:
    text = ARABIC_ARTICLE.sub("", text).replace(TA_MARBUTA, "")
    latin = ascii_text(text).lower()
    latin = re.sub(r"['`?]", "", latin)  # ayn and hamza ("Ma'raba"; ICU's "?" for ع)
    return tuple(re.findall(r"[a-z0-9]+", latin))


@lru_cache(maxsize=1 << 16)
def skeletons(word: str) -> tuple[str, str]:
    """The word's consonants (strict), and without w and y too (loose); "" if too short."""
    bare = re.sub(r"(?<=[aeiou])h$", "", word).replace("q", "k")
    strict = re.sub(r"(.)\1+", r"\1", re.sub(r"[aeiou]", "", bare))
    loose = re.sub(r"(.)\1+", r"\1", re.sub(r"[aeiouwy]", "", bare))
    return (
        strict if len(strict) >= MIN_SKELETON else "",
        loose if len(loose) >= MIN_SKELETON else "",
    )


def word_keys(word: str) -> list[str]:
    """The folded word and its skeletons, without repeats."""
    return list(dict.fromkeys(k for k in (word, *skeletons(word)) if k))


def name_forms(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The name's folded words and their strict skeletons, the article left out.

    Two names with the same words are the same spelling ("Jisr al-Shughur", "Jisr ash-Shughur");
    with the same skeletons, a transliteration of each other ("Jableh", "Jabla", "جبلة").
    """
    words = [w for w in folded_words(name) if w not in ARTICLES]
    return tuple(words), tuple(skeletons(w)[0] or w for w in words)


def search_keys(names: Iterable[str]) -> list[str]:
    """The keys stored for a record with these names, sorted: what a search can meet."""
    keys: set[str] = set()
    for name in names:
        for word in folded_words(name):
            keys.update(word_keys(word) if word not in ARTICLES else [word])
    return sorted(keys)
