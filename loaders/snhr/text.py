"""Text helpers: whitespace collapsing, de-hyphenation with a map back to the verbatim text."""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
}
MAX_QUOTE = 300
PAGE_BREAK = "\f"  # stands for the link lists between pages, which quotes must not span


def collapse(text: str) -> str:
    """Runs of whitespace (line breaks included) as one space, ends stripped."""
    return re.sub(r"\s+", " ", text).strip()


def number(word: str) -> int | None:
    """An integer written as digits or as an English word ("five", "Nine", "a")."""
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word.lower())


@dataclass(frozen=True)
class Dehyphenated:
    """VERBATIM (whitespace collapsed) and CLEAN (line-break hyphens undone), with a map.

    `index[i]` is the position in VERBATIM of CLEAN's character i, so a span found in the
    clean text can be quoted character for character from the verbatim one.
    """

    verbatim: str
    clean: str
    index: tuple[int, ...]
    breaks: tuple[int, ...] = ()  # page breaks (PAGE_BREAK in the text): quotes stop there

    @classmethod
    def of(cls, text: str) -> Dehyphenated:
        pieces = [p for p in (collapse(x) for x in text.split(PAGE_BREAK)) if p]
        verbatim = " ".join(pieces)
        breaks: list[int] = []
        for piece in pieces[:-1]:
            breaks.append((breaks[-1] + 1 if breaks else 0) + len(piece))
        clean: list[str] = []
        index: list[int] = []
        i = 0
        while i < len(verbatim):
            # "chil- dren": a hyphen, a space (was a line break), then a lowercase letter.
            if (
                verbatim[i] == "-"
                and i > 0
                and verbatim[i - 1].isalpha()
                and verbatim[i + 1 : i + 2] == " "
                and verbatim[i + 2 : i + 3].islower()
            ):
                i += 2
                continue
            clean.append(verbatim[i])
            index.append(i)
            i += 1
        return cls(verbatim, "".join(clean), tuple(index), tuple(breaks))

    def quote(self, start: int, end: int, limit: int = MAX_QUOTE) -> str:
        """The verbatim text of clean span [START, END), cut at a word within LIMIT chars."""
        if end <= start:
            return ""
        first, last = self.index[start], self.index[end - 1] + 1
        last = min([b for b in self.breaks if first < b < last] or [last])
        text = self.verbatim[first:last].strip()
        if len(text) <= limit:
            return text
        cut = text[:limit]
        return cut[: cut.rfind(" ")].rstrip(" ,;") if " " in cut else cut
