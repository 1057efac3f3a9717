"""Resolve a citation's locator to the passage of its seed it names.

The grammar (data/README.md, "Locators"): `<heading>, <heading>, … [part]`, where each heading
is the start of a heading of the seed (cut short with `...` where it holds a comma), nested in
the one before it, and the part is ` ¶N` (the Nth paragraph), `, incident N` (the Nth incident
paragraph of an SNHR section: a paragraph), `, item N` (the Nth list item), `, caption N` or
`, footnote N`. Without a part the passage is the whole section. A seed is split into blocks
by blank lines and heading lines; each seed's headings are recognised by the rules below, the
only knowledge of a seed's layout the tests hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path


@dataclass
class Block:
    kind: str  # heading, para, item, caption, footnote, links, text
    text: str
    level: int = 0
    number: int = 0  # a footnote's number
    end: int | None = None  # where the section ends (exclusive), when not at the next heading


@dataclass
class Seed:
    blocks: list[Block] = field(default_factory=list)


class LocatorError(ValueError):
    """A locator that names no passage of its seed."""


def fold(text: str) -> str:
    return " ".join(text.split())


def _key(text: str) -> str:
    return fold(text).rstrip(":.").casefold()


# --- how each seed marks its headings -------------------------------------------------------

Rule = Callable[[str, int, dict[str, bool]], tuple[str, int] | None]

ROMAN = r"(I|II|III|IV|V|VI|VII|VIII|IX)"
SNHR_2023_RECIPIENTS = {
    "UN Security Council",
    "International Community",
    "UN Human Rights Office (OHCHR)",
    "Independent International Commission of Inquiry (COI)",
    "International, Impartial, and Independent Mechanism (IIIM)",
    "The United Nations Special Envoy for Syria",
    "Syrian regime",
    "Russian regime",
    "The Coalition (US-led coalition and SDF)",
    "All Armed Opposition factions/SNA",
    "Humanitarian organizations",
}


def _darayya(line: str, _n: int, _state: dict[str, bool]) -> tuple[str, int] | None:
    if line == "Infobox":
        return line, 1
    found = re.fullmatch(r"==(.+)==", line)
    return (found.group(1).strip(), 1) if found else None


def _snhr_2023(line: str, _n: int, _state: dict[str, bool]) -> tuple[str, int] | None:
    if "\t" in line or line.endswith("....."):
        return None  # the table of contents
    if re.match(ROMAN + r"\. \S", line) or line in ("Contents", "Acknowledgment"):
        return line, 1
    if re.match(r"[A-D]\. ", line):
        return line, 4 if re.match(r"[AB]\. (Main|Other) parties", line) else 2
    if line in ("Conclusions", "Recommendations"):
        return line, 2
    if re.match(r"\d\. (In |Deaths by|Gunfire|Killings by|Bombings by)", line):
        return line, 3
    if line in SNHR_2023_RECIPIENTS:
        return line, 3
    if line.startswith("Most notable") and len(line) < 60:
        return line, 4
    return None


def _snhr_2016(line: str, _n: int, state: dict[str, bool]) -> tuple[str, int] | None:
    if re.match(r"(I|II|III)\.\s?[A-Z]", line):
        state["details"] = line.startswith("II.") or state.get("details", False)
        return re.sub(r"^(I+)\.(?=\S)", r"\1. ", line), 1
    if not state.get("details"):
        return None
    if re.match(r"[A-D]\. ", line) or line in ("Conclusions:", "Recommendations:"):
        return line, 2
    if line in ("ISIS", "Government forces and Russian forces:", "Other forces:"):
        return line, 3
    if line == "To The United Nations and the Security Council":
        return line, 3
    if line.endswith(" governorate") and len(line.split()) <= 4:
        return line, 4
    return None


def _none(_line: str, _n: int, _state: dict[str, bool]) -> tuple[str, int] | None:
    return None


@dataclass(frozen=True)
class Layout:
    headings: Rule
    # Parts no heading marks: first line -> (name, last line). Their lines are no paragraphs.
    made_up: dict[int, tuple[str, int]]
    # Page furniture: lines that are no passage at all.
    furniture: frozenset[int] = frozenset()


LAYOUTS = {
    "000_a4a2605803ffedf8": Layout(_darayya, {12: ("Lead", 12)}, frozenset({1})),
    "001_b419b2e21b5aac12": Layout(
        _snhr_2023, {4: ("Title page", 18), 20: ("Preamble", 20)}, frozenset(range(24, 33))
    ),
    "002_d6a4274b56aec7f9": Layout(_none, {3: ("Header", 5)}),
    "003_25bd39c06e840184": Layout(_snhr_2016, {}),
    "004_5566f96bc46958ba": Layout(
        _none,
        {4: ("Headline", 4), 8: ("Subheadline", 8), 10: ("Photo caption", 11)},
        frozenset({1, 2, 6}),
    ),
}


# --- splitting a seed into blocks ------------------------------------------------------------


def _kind(line: str) -> str:
    if line.startswith(("http://", "https://")):
        return "links"
    if line.startswith(("↑ 👁", "👁")):
        return "caption"
    if line.startswith("- "):
        return "item"
    return "para"


# Starts a passage even without a blank line before it: a numbered conclusion or
# recommendation, or an SNHR incident ("Monday 12 September 2016, ...").
NEW_PASSAGE = re.compile(r"\d+[.-] |(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day \d")


def parse(text: str, layout: Layout) -> Seed:
    seed = Seed()
    state: dict[str, bool] = {}
    current: Block | None = None
    made_up_until = 0
    pending: list[Block] = []  # made-up headings waiting for their last line

    def close() -> None:
        nonlocal current
        if current is not None:
            seed.blocks.append(current)
        current = None

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if number in layout.made_up:
            close()
            name, last = layout.made_up[number]
            heading = Block("heading", name, level=1)
            seed.blocks.append(heading)
            pending.append(heading)
            made_up_until = last
        if pending and number > made_up_until:
            close()
            for heading in pending:
                heading.end = len(seed.blocks)
            pending.clear()
        if not line or number in layout.furniture:
            close()
            continue
        if number <= made_up_until:
            kind = "text"
        else:
            heading_found = layout.headings(line, number, state)
            if heading_found is not None:
                close()
                seed.blocks.append(Block("heading", heading_found[0], level=heading_found[1]))
                continue
            kind = _kind(line)
        footnote = re.match(r"(\d)\. ", line)
        if kind == "para" and footnote and layout.headings is _snhr_2023:
            kind = "footnote"
        if kind == "caption" and current is not None and current.kind == "caption":
            current.text += " " + line
            continue
        # A line without a blank before it goes on the block above, unless it starts a new one.
        starts_new = (
            current is None
            or kind in ("item", "caption", "footnote")
            or NEW_PASSAGE.match(line) is not None
            or (kind == "links") != (current.kind == "links")
        )
        if starts_new or current is None:
            close()
            current = Block(kind, line, number=int(footnote.group(1)) if footnote else 0)
        else:
            current.text += " " + line
    close()
    for heading in pending:
        heading.end = len(seed.blocks)
    _join_paragraphs_split_by_links(seed)
    _end_lists(seed)
    return seed


def _end_lists(seed: Seed) -> None:
    """An SNHR "A. Main parties:" list ends with its items: the text after it is not the list's."""
    blocks = seed.blocks
    for i, heading in enumerate(blocks):
        if heading.kind != "heading" or not re.match(r"[AB]\. (Main|Other) parties", heading.text):
            continue
        for j in range(i + 1, len(blocks)):
            block = blocks[j]
            if block.kind == "heading":
                break
            if block.kind == "para" and not (block.text.endswith(":") or len(block.text) < 60):
                heading.end = j
                break


def _join_paragraphs_split_by_links(seed: Seed) -> None:
    """A page break's link list can fall inside a paragraph: the paragraph goes on after it."""
    blocks = seed.blocks
    i = 0
    while i < len(blocks) - 2:
        first, links, rest = blocks[i], blocks[i + 1], blocks[i + 2]
        unfinished = not first.text.rstrip().endswith((".", ":", '"', "”", ")"))
        if first.kind == "para" and links.kind == "links" and rest.kind == "para" and unfinished:
            first.text += " " + rest.text
            del blocks[i + 2]
        i += 1


@cache
def seed(path: Path) -> Seed:
    return parse(path.read_text(encoding="utf-8"), LAYOUTS[path.stem])


# --- resolving a locator ---------------------------------------------------------------------

PART = re.compile(r"(?: ?¶(?P<para>\d+)|, (?P<what>incident|item|caption|footnote) (?P<n>\d+))$")


def _span_end(blocks: list[Block], start: int, stop: int) -> int:
    heading = blocks[start]
    if heading.end is not None:
        return heading.end
    for i in range(start + 1, stop):
        if blocks[i].kind == "heading" and blocks[i].level <= heading.level:
            return i
    return stop


def _matches(component: str, heading: str) -> bool:
    wanted = _key(component.removesuffix("...").removesuffix("…"))
    return _key(heading).startswith(wanted) and bool(wanted)


def passage(document: Seed, locator: str) -> str:
    """The text of the passage `locator` names, blocks joined by single spaces."""
    blocks = document.blocks
    part = PART.search(locator)
    path = locator[: part.start()] if part else locator
    start, stop = -1, len(blocks)
    for component in [c for c in path.split(", ") if c] if path else []:
        found = next(
            (
                i
                for i in range(start + 1, stop)
                if blocks[i].kind == "heading" and _matches(component, blocks[i].text)
            ),
            None,
        )
        if found is None:
            raise LocatorError(f"no heading {component!r} where {locator!r} points")
        start, stop = found, _span_end(blocks, found, stop)
    inside = blocks[start + 1 if start >= 0 else 0 : stop]
    if part is None:
        return " ".join(b.text for b in blocks[max(start, 0) : stop])
    kind, wanted = (
        ("para", int(part["para"]))
        if part["para"]
        else ({"incident": "para"}.get(part["what"], part["what"]), int(part["n"]))
    )
    if kind == "footnote":
        chosen = [b for b in inside if b.kind == "footnote" and b.number == wanted]
    else:
        of_kind = [b for b in inside if b.kind == kind]
        chosen = of_kind[wanted - 1 : wanted] if wanted >= 1 else []
    if not chosen:
        raise LocatorError(f"{locator!r}: no {kind} {wanted} in that section")
    return chosen[0].text


def holds(document: Seed, locator: str, quote: str) -> bool:
    try:
        return fold(quote) in fold(passage(document, locator))
    except LocatorError:
        return False


def names_its_passage(document: Seed, locator: str, quote: str) -> bool:
    """False when a locator names a whole section though one paragraph or item holds the quote."""
    if PART.search(locator):
        return True
    wanted = fold(quote)
    section = fold(passage(document, locator))
    return not any(
        block.kind in ("para", "item", "caption", "footnote")
        and wanted in fold(block.text)
        and fold(block.text) in section
        for block in document.blocks
    )
