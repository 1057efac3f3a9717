"""Parse an SNHR monthly massacre report (plain text) into incidents and summary totals.

The report has an executive summary (totals by party, governorate, victims), then
"II. Details": party headings ("A. Government forces", "B. Russian forces", "C. Extremist
Islamic Groups" / "ISIS", "D. Armed opposition factions"), governorate headings ("Aleppo
governorate"), and one paragraph per incident, each starting with its date ("Monday 5
September 2016 noon, ..."). Paragraphs wrap with hyphenation and page breaks; link lists
(http...) sit between pages. Nothing is dropped: a paragraph that looks like an incident but
cannot be parsed is listed in `ParseResult.unparsed`.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loaders.snhr.text import PAGE_BREAK, Dehyphenated, collapse, number

GOVERNMENT = "org:syrian-government-forces"
RUSSIA = "org:russian-forces"
ISIS = "org:isis"
OPPOSITION = "org:armed-opposition-factions"
COALITION = "org:international-coalition"

GOVERNORATES = {
    "aleppo": "place:aleppo-governorate",
    "idlib": "place:idlib-governorate",
    "hama": "place:hama-governorate",
    "homs": "place:homs-governorate",
    "latakia": "place:latakia-governorate",
    "lattakia": "place:latakia-governorate",
    "tartus": "place:tartus-governorate",
    "damascus suburbs": "place:rif-dimashq-governorate",
    "rural damascus": "place:rif-dimashq-governorate",
    "rif dimashq": "place:rif-dimashq-governorate",
    "damascus": "place:damascus-governorate",
    "daraa": "place:daraa-governorate",
    "as-suwayda": "place:as-suwayda-governorate",
    "suwayda": "place:as-suwayda-governorate",
    "quneitra": "place:quneitra-governorate",
    "deir ez-zour": "place:deir-ez-zor-governorate",
    "deir ez-zor": "place:deir-ez-zor-governorate",
    "al raqqa": "place:raqqa-governorate",
    "raqqa": "place:raqqa-governorate",
    "al-hasakah": "place:al-hasakah-governorate",
    "hasakah": "place:al-hasakah-governorate",
}
# Who controls an area, as the reports name them; unnamed ones (Fateh Al Sham Front) stay text.
CONTROLLERS = {
    "armed opposition factions": OPPOSITION,
    "isis": ISIS,
    "government forces": GOVERNMENT,
}
# English month names (calendar's, in the C locale) to their numbers.
MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name}
WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
INCIDENT_START = re.compile(rf"^\s*{WEEKDAY} \d{{1,2}} [A-Z][a-z]+")
DATE = re.compile(
    rf"^{WEEKDAY} (\d{{1,2}}) ({'|'.join(MONTHS)}) (\d{{4}})"
    r"(?: (dawn|morning|noon|afternoon|evening|night))?"
)
PARTY_HEADING = re.compile(r"^\s*([A-D])\. (\S.*?)\s*$")
GOVERNORATE_HEADING = re.compile(r"^\s*([A-Za-z][A-Za-z -]{1,30}?) governorate\s*$")
NAME = r"[A-Z][\w\u2019'-]*(?: [A-Z][\w\u2019'-]*)*"
NUM = r"(\d+|[A-Za-z]+)"
KILLED = [
    re.compile(rf"killing of {NUM} (?:individuals?|civilians?|people|persons?)\b"),
    re.compile(rf"\b{NUM} (?:individuals?|civilians?|people) were killed"),
    re.compile(rf"\bshows {NUM} civilians\b.{{0,200}}?\bbeing (?:slaughtered|killed|executed)"),
]
CHILDREN = re.compile(rf"\b{NUM} (?:female )?child(?:ren)?\b")
WOMEN = re.compile(rf"\b{NUM} wom[ae]n\b")
WOUNDED = re.compile(rf"about {NUM} others were wounded|wounded about {NUM} others")
CONTROL = re.compile(
    r"(?:under the (?:joint )?control of|jointly controlled by|controlled jointly by|"
    r"parts controlled by)\s+(.+?)(?=,|\.| which| as |$)"
)
UNVERIFIED_DATE = re.compile(r"haven\u2019t been able to verify the place and date", re.I)
MEANS = [
    ("warplanes", re.compile(r"warplanes")),
    ("helicopters", re.compile(r"helicopters?")),
    ("barrel_bombs", re.compile(r"barrel bombs?")),
    ("cluster_munitions", re.compile(r"cluster bombs?|cluster munitions?")),
    ("missiles", re.compile(r"missiles?\b")),
    ("artillery", re.compile(r"artillery")),
    ("mortar", re.compile(r"mortar")),
    ("rockets", re.compile(r"rockets?\b|rocket shells")),
    ("knives", re.compile(r"sharp blade|slaughtered")),
]
RUSSIAN_HEDGE = re.compile(r"we believe are Russian")
COALITION_HEDGE = re.compile(
    r"(?:fixed-wing )?government forces/international coalition(?: \([^)]*\))?"
)
PARTY_MENTION = {
    GOVERNMENT: re.compile(
        r"(?:fixed-wing )?government forces[^,.]{0,120}?(?:warplanes|helicopters|artillery)"
    ),
    RUSSIA: re.compile(r"(?:fixed-wing )?warplanes we believe are Russian"),
    ISIS: re.compile(r"ISIS \w+"),
    OPPOSITION: re.compile(
        r"fired by an? [^,.]{0,120}?under the control of armed opposition factions"
    ),
}
# Wider statements inside a paragraph ("It should be noted that ... that day") are not the
# incident's own figures; counts and means are read before them.
ASIDE = re.compile(r"\bIt should be noted\b")


@dataclass(frozen=True)
class Party:
    """A perpetrator as the section heading (and any hedge in the paragraph) gives it."""

    actor: str
    confidence: str | None = None
    hedge: str | None = None


@dataclass(frozen=True)
class Incident:
    """One incident paragraph of "II. Details"."""

    number: int  # order among all incidents of the report, from 1
    section_number: int  # order within its party and governorate heading, from 1
    line: int  # the paragraph's first line in the file, from 1
    section: str  # "A. Government forces", "C. Extremist Islamic Groups, ISIS"
    section_heading: str  # the party heading verbatim
    governorate_heading: str  # "Aleppo governorate"
    governorate: str  # shared place id
    date: str | None  # partial ISO; None when the text says the date is unverified
    stated_date: str | None  # the date the paragraph opens with
    time_of_day: str | None
    parties: tuple[Party, ...]
    place: str | None
    place_kind: str | None
    neighbourhood: str | None
    means: tuple[str, ...]
    killed: int | None
    children: int | None
    women: int | None
    wounded: int | None
    area_controlled_by: str | None  # verbatim: "armed opposition factions and Fateh ..."
    area_controllers: tuple[str, ...]  # actor ids of the named controllers
    text: str  # the paragraph verbatim, whitespace collapsed
    event_quote: str
    party_quote: str
    casualty_quote: str
    place_quote: str | None
    neighbourhood_quote: str | None

    @property
    def party(self) -> str:
        return self.parties[0].actor

    @property
    def locator(self) -> str:
        return (
            f"II. Details, {self.section}, {self.governorate_heading}, "
            f"incident {self.section_number}"
        )


@dataclass(frozen=True)
class Discrepancy:
    """A summary figure that the incidents, summed, do not reproduce."""

    what: str
    summary: int
    incidents: int

    def __str__(self) -> str:
        return f"{self.what}: summary {self.summary}, incidents sum to {self.incidents}"


@dataclass
class ParseResult:
    path: Path
    incidents: list[Incident] = field(default_factory=list)
    unparsed: list[tuple[int, str]] = field(default_factory=list)  # (line, paragraph)
    summary: dict[str, Any] = field(default_factory=dict)

    def discrepancies(self) -> list[Discrepancy]:
        """Every summary total the incidents disagree with (missing children/women as 0)."""
        found: list[Discrepancy] = []

        def check(what: str, stated: int | None, summed: int) -> None:
            if stated is not None and stated != summed:
                found.append(Discrepancy(what, stated, summed))

        incidents = self.incidents
        check("massacres", self.summary.get("massacres"), len(incidents))
        for key in ("killed", "children", "women"):
            check(key, self.summary.get(key), sum(getattr(i, key) or 0 for i in incidents))
        by_party = Counter(i.party for i in incidents)
        for actor, stated in self.summary.get("by_party", {}).items():
            check(f"massacres by {actor}", stated, by_party[actor])
        by_governorate = Counter(i.governorate for i in incidents)
        for place, stated in self.summary.get("by_governorate", {}).items():
            check(f"massacres in {place}", stated, by_governorate[place])
        for actor, toll in self.summary.get("by_party_toll", {}).items():
            mine = [i for i in incidents if i.party == actor]
            for key, stated in toll.items():
                check(f"{key} by {actor}", stated, sum(getattr(i, key) or 0 for i in mine))
        return found


# ----- reading ------------------------------------------------------------------------


@dataclass
class _Chunk:
    line: int
    lines: list[str]
    section: str
    section_heading: str
    governorate_heading: str
    parties: tuple[str, ...]


def parse_report(path: Path) -> ParseResult:
    """The incidents, unparsed paragraphs and executive-summary totals of one report."""
    lines = path.read_text(encoding="utf-8").splitlines()
    result = ParseResult(path)
    details = next((i for i, x in enumerate(lines) if re.match(r"^\s*II\. Details", x)), None)
    if details is None:
        result.summary = parse_summary("\n".join(lines))
        return result
    end = next(
        (i for i in range(details + 1, len(lines)) if re.match(r"^\s*III\. ", lines[i])),
        len(lines),
    )
    result.summary = parse_summary("\n".join(lines[:details]))
    counters: Counter[tuple[str, str]] = Counter()
    for chunk in _chunks(lines, details + 1, end):
        text = "\n".join(chunk.lines).replace(PAGE_BREAK, "")
        if not chunk.parties or not chunk.governorate_heading:
            if _looks_like_incident(text):
                result.unparsed.append((chunk.line, collapse(text)))
            continue
        counters[(chunk.section, chunk.governorate_heading)] += 1
        incident = _incident(
            chunk, len(result.incidents) + 1, counters[(chunk.section, chunk.governorate_heading)]
        )
        if incident is None:
            counters[(chunk.section, chunk.governorate_heading)] -= 1
            result.unparsed.append((chunk.line, collapse(text)))
        else:
            result.incidents.append(incident)
    return result


def _looks_like_incident(text: str) -> bool:
    return bool(INCIDENT_START.match(text)) or bool(
        re.search(r"killing of|were killed|wounded", text)
    )


def _chunks(lines: list[str], start: int, end: int) -> list[_Chunk]:
    """Split the Details section into incident paragraphs (and stray text), with headings."""
    chunks: list[_Chunk] = []
    current: _Chunk | None = None
    section = heading = governorate = ""
    parties: tuple[str, ...] = ()

    def close() -> None:
        nonlocal current
        if current is not None and collapse("\n".join(current.lines)):
            chunks.append(current)
        current = None

    for i in range(start, end):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(("http://", "https://")):
            if current is not None and current.lines[-1:] != [PAGE_BREAK]:
                current.lines.append(PAGE_BREAK)
            continue  # link lists sit at page breaks, sometimes inside a paragraph
        party = PARTY_HEADING.match(line)
        if party and len(stripped) < 100 and not INCIDENT_START.match(line):
            close()
            heading = stripped
            section = f"{party.group(1)}. {party.group(2).split('(')[0].strip()}"
            parties = _heading_parties(party.group(2))
            governorate = ""
            continue
        if stripped == "ISIS":
            close()
            section = f"{section}, ISIS" if section.startswith("C.") else "ISIS"
            parties = (ISIS,)
            governorate = ""
            continue
        gov = GOVERNORATE_HEADING.match(line)
        if gov and gov.group(1).strip().lower() in GOVERNORATES:
            close()
            governorate = stripped
            continue
        if INCIDENT_START.match(line):
            close()
            current = _Chunk(i + 1, [line], section, heading, governorate, parties)
            continue
        if current is None:
            if not stripped:
                continue
            current = _Chunk(i + 1, [], section, heading, governorate, ())  # stray text
        current.lines.append(line)
    close()
    return chunks


def _heading_parties(title: str) -> tuple[str, ...]:
    lower = title.lower()
    if lower.startswith("government forces"):
        return (GOVERNMENT,)
    if lower.startswith("russian forces"):
        return (RUSSIA,)
    if lower.startswith("armed opposition"):
        return (OPPOSITION,)
    if "isis" in lower:
        return (ISIS,)
    return ()  # "Extremist Islamic Groups": the sub-heading names the group


def _incident(chunk: _Chunk, n: int, section_number: int) -> Incident | None:
    doc = Dehyphenated.of("\n".join(chunk.lines))
    clean = doc.clean
    date = DATE.match(clean)
    own = clean[: m.start()] if (m := ASIDE.search(clean)) else clean
    killed = _first(KILLED, own)
    if date is None or killed is None:
        return None
    day, month, year, time_of_day = date.groups()
    stated = f"{year}-{MONTHS[month]:02d}-{int(day):02d}"
    unverified = bool(UNVERIFIED_DATE.search(clean))
    governorate = GOVERNORATES[chunk.governorate_heading.lower().removesuffix(" governorate")]

    # counts: the killed figure, then children and women in the same sentence
    sentence_end = re.search(r"\.(?:\s|$)|Additionally", own[killed.end() :])
    detail = own[killed.end() : killed.end() + (sentence_end.start() if sentence_end else 0)]
    if not sentence_end:
        detail = own[killed.end() :]
    children, women = _count(CHILDREN, detail), _count(WOMEN, detail)
    wounded_match = WOUNDED.search(own)
    wounded = None
    if wounded_match:
        wounded = number(wounded_match.group(1) or wounded_match.group(2))

    parties = _parties(chunk.parties, doc)
    place, kind, place_span, neighbourhood, hood_span = _place(clean)
    control = CONTROL.search(clean)
    controlled = control.group(1).strip() if control else None
    controllers = _controllers(controlled)

    action_end = own.find("which resulted")
    action_end = action_end if action_end > 0 else killed.start()
    means_text = own[:action_end] + " " + own[killed.start() : killed.end()]
    means = tuple(name for name, pattern in MEANS if pattern.search(means_text))
    mention = PARTY_MENTION[parties[0].actor].search(clean)
    casualty_start = own.rfind("resulted in", 0, killed.start() + 1)
    casualty_start = casualty_start if casualty_start >= 0 else killed.start()
    casualty_end = killed.end() + len(detail) + 1
    if wounded_match and wounded_match.start() >= casualty_end - 1:
        casualty_end = wounded_match.end() + 1
    return Incident(
        number=n,
        section_number=section_number,
        line=chunk.line,
        section=chunk.section,
        section_heading=chunk.section_heading,
        governorate_heading=chunk.governorate_heading,
        governorate=governorate,
        date=None if unverified else stated,
        stated_date=stated,
        time_of_day=time_of_day,
        parties=parties,
        place=place,
        place_kind=kind,
        neighbourhood=neighbourhood,
        means=means,
        killed=number(killed.group(1)),
        children=children,
        women=women,
        wounded=wounded,
        area_controlled_by=controlled,
        area_controllers=controllers,
        text=doc.verbatim,
        event_quote=doc.quote(0, action_end),
        party_quote=doc.quote(*mention.span()) if mention else doc.quote(0, action_end),
        casualty_quote=doc.quote(casualty_start, min(casualty_end, len(own))),
        place_quote=doc.quote(*place_span) if place_span else None,
        neighbourhood_quote=doc.quote(*hood_span) if hood_span else None,
    )


def _first(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    matches = [m for p in patterns if (m := p.search(text)) and number(m.group(1)) is not None]
    return min(matches, key=lambda m: m.start()) if matches else None


def _count(pattern: re.Pattern[str], text: str) -> int | None:
    for match in pattern.finditer(text):
        value = number(match.group(1))
        if value is not None:
            return value
    return None


def _parties(heading: tuple[str, ...], doc: Dehyphenated) -> tuple[Party, ...]:
    """The heading's party; a hedge in the text (kept verbatim) lowers the confidence."""
    coalition = COALITION_HEDGE.search(doc.clean)
    if heading == (GOVERNMENT,) and coalition:
        hedge = doc.quote(*coalition.span())
        return (Party(GOVERNMENT, "Low", hedge), Party(COALITION, "Low", hedge))
    russian = RUSSIAN_HEDGE.search(doc.clean)
    if heading == (RUSSIA,) and russian:
        return (Party(RUSSIA, "Medium", doc.quote(*russian.span())),)
    return tuple(Party(actor) for actor in heading)


def _controllers(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ()
    parts = [part.strip().lower() for part in re.split(r"\s+and\s+", text)]
    if not all(part in CONTROLLERS for part in parts):
        return ()  # a controller without a shared id (Fateh Al Sham Front): text only
    return tuple(CONTROLLERS[part] for part in parts)


PLACE = re.compile(rf"({NAME}) (city|town|village)\b")
UNTYPED_PLACE = re.compile(rf"(?:neighborhood|parts) of ({NAME})()$")
HOOD = re.compile(rf"({NAME}) (?:neighborhood|neighbourhood|area)\b")


def _place(
    clean: str,
) -> tuple[str | None, str | None, tuple[int, int] | None, str | None, tuple[int, int] | None]:
    """The city/town/village and neighbourhood targeted, with their spans in CLEAN."""
    located = re.search(r",? located in |, controlled jointly|, which resulted", clean)
    before = clean[: located.start()] if located else clean
    place = None
    for match in PLACE.finditer(before):
        place = match
    if place is None:
        place = UNTYPED_PLACE.search(before)
    if place is None and located:
        place = PLACE.search(clean, located.end(), located.end() + 60)
    hood = HOOD.search(before)
    place_name = _name(place.group(1)) if place else None
    place_kind = (place.group(2) or "other") if place else None
    hood_name = _name(hood.group(1)) if hood else None
    hood_span = None
    if hood:
        end = place.end() if place and place.start() > hood.start() else hood.end()
        hood_span = (hood.start(), end)
    return (
        place_name,
        place_kind,
        place.span() if place else None,
        hood_name,
        hood_span,
    )


def _name(text: str) -> str:
    """Drop a leading sentence word ("Monday", "Wednesday") the name pattern may catch."""
    words = text.split()
    while words and re.fullmatch(WEEKDAY, words[0]):
        words = words[1:]
    return " ".join(words)


# ----- executive summary ----------------------------------------------------------------


SUMMARY_PARTIES = [
    (GOVERNMENT, re.compile(r"A\. Government forces(?: \([^)]*\))?: (\d+)")),
    (RUSSIA, re.compile(r"B\. Russian forces: (\d+)")),
    (ISIS, re.compile(r"C\. ISIS[^:]*: (\d+)")),
    (OPPOSITION, re.compile(r"D\. Armed opposition factions: (\d+)")),
]
TOLL_PARTIES = [
    (GOVERNMENT, "Government forces"),
    (RUSSIA, "Russian forces"),
    (ISIS, "ISIS"),
    (OPPOSITION, "Armed opposition factions"),
]


def parse_summary(text: str) -> dict[str, Any]:
    """Totals of the executive summary: massacres by party and governorate, victims."""
    doc = Dehyphenated.of(text)
    clean = doc.clean
    summary: dict[str, Any] = {}
    if m := re.search(r"no less than (\d+) massacres", clean):
        summary["massacres"] = int(m.group(1))
    summary["by_party"] = {
        actor: int(m.group(1)) for actor, p in SUMMARY_PARTIES if (m := p.search(clean))
    }
    by_governorate: dict[str, int] = {}
    for line in text.splitlines():
        m = re.match(r"^\s*([A-Za-z][A-Za-z -]*?): (\d+)(?: massacres?)?\s*$", line)
        if m and m.group(1).strip().lower() in GOVERNORATES:
            by_governorate[GOVERNORATES[m.group(1).strip().lower()]] = int(m.group(2))
    summary["by_governorate"] = by_governorate
    victims = re.search(rf"{NUM} individuals including {NUM} children and {NUM} women died", clean)
    if victims:
        for key, word in zip(("killed", "children", "women"), victims.groups(), strict=True):
            summary[key] = number(word)
    tolls: dict[str, dict[str, int]] = {}
    for actor, name in TOLL_PARTIES:
        m = re.search(
            rf"(?:^|\. |\n| ){re.escape(name)}: {NUM} (?:individuals|civilians)"
            rf"(?: including {NUM} child(?:ren)?)?(?: and {NUM} wom[ae]n)?",
            clean,
        )
        if m:
            toll = {}
            for key, word in zip(("killed", "children", "women"), m.groups(), strict=True):
                value = number(word) if word else 0
                if value is not None:
                    toll[key] = value
            tolls[actor] = toll
    summary["by_party_toll"] = tolls
    control = {}
    for m in re.finditer(rf"{NUM} massacres in areas ([^.]*?)\.", clean):
        value = number(m.group(1))
        if value is not None:
            control[m.group(2).strip()] = value
    summary["government_by_area_control"] = control
    return summary
