"""Case files for a person, a unit or an event: every statement footnoted, gaps named, and an
evidence map against Rome Statute Article 28(a) that is a map of evidence, not a legal
conclusion."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any, Literal

from pydantic import BaseModel, Field

from graph.asof import Certainty, PartialDate
from graph.db import queries
from graph.db.reader import Reader
from graph.errors import InvalidRequestError
from graph.reads import events, exposure, models
from graph.reads.command import COMMAND_ROLES, chains_at
from graph.reads.dataset import dataset_version
from graph.reads.entities import entity_detail
from graph.reads.events import event_span
from graph.reads.rows import MAX_ROWS, as_of, attribution, entity, event_row
from graph.reads.sanctions import sanctions as sanctions_on
from ontology.terms import Label, Prop
from ontology.words import kind, relation_words, words

NOTICE = (
    "This is an evidence map, not a legal conclusion. It lists what the graph's sources say, "
    "each statement footnoted to a source, locator and quote; where the graph holds nothing "
    "for an element, it says so. Contested facts are shown side by side."
)
UNIT_NOTICE = (
    " For a unit, each element gathers the evidence about whoever commanded it at each event's "
    "dates."
)
NO_EVIDENCE = "No evidence in the graph."
PUBLIC_NOTICE = "Public version: restricted identities are withheld."
RESTRICTED_NOTICE = (
    "RESTRICTED: the investigator's version. It may name restricted identities (witnesses "
    "under an alias); do not share or file it without redaction."
)
ARTICLE_28A = (
    (
        "28(a)(i) commander",
        "The person was a military commander or a person effectively acting as one.",
    ),
    (
        "28(a)(ii) control",
        "The forces were under the person's effective command and control, or effective "
        "authority and control.",
    ),
    (
        "28(a)(iii) knowledge",
        "The person knew or, owing to the circumstances at the time, should have known that the "
        "forces were committing or about to commit such crimes.",
    ),
    (
        "28(a)(iv) failure",
        "The person failed to take all necessary and reasonable measures within their power to "
        "prevent or repress the commission, or to submit the matter to the competent "
        "authorities for investigation and prosecution.",
    ),
)


class Statement(BaseModel):
    """One sentence of the case file and the footnotes (1-based) that carry it."""

    text: str
    notes: list[int]
    date: str | None = None


class EvidenceElement(BaseModel):
    element: str
    statute: str
    evidence: list[Statement] = Field(
        description="What the graph holds for the element at the events' dates."
    )
    gap: str | None = Field(None, description="Says so when the graph holds no evidence.")
    sources: int = Field(0, description="How many distinct sources the evidence rests on.")
    single_source: str | None = Field(
        None, description="A warning when the whole element rests on one source."
    )
    context_label: str | None = Field(
        None, description="What the context list is and why it is not evidence."
    )
    context: list[Statement] = Field(
        default_factory=list,
        description="Kept apart from the evidence: posts held before or after the events, "
        "later findings and accounts of the events themselves, each saying why it is here.",
    )


class CaseEvent(BaseModel):
    event: models.EventSummary
    low: int | None
    high: int | None
    statements: list[Statement]


class BibliographyEntry(BaseModel):
    """A cited source with what a citation of it needs, as far as its record gives it."""

    source: str
    name: str | None
    reliability: str | None
    citations: int
    title: str | None = None
    publisher: str | None = None
    published: str | None = None
    kind: str | None = None
    url: str | None = None
    file: str | None = Field(None, description="The document's file: its identifier here.")
    author: str | None = None
    retrieved: str | None = Field(None, description="When the document was retrieved.")


class CaseLevel(models.ChainLevel):
    """A level of a case file's chain: the unit and who commanded it. Everyone else posted to
    it then is left out (`GET /units/{id}/chain` lists them): a case file never draws them,
    and an officer's file would repeat them, with their evidence, at every event's dates."""

    posted: list[models.Commander] = Field([], exclude=True)


class CaseChain(models.Chain):
    """A unit's chain of command drawn once for every date of the case at which it stood
    exactly so: a unit posted to through many events' dates is not drawn again for each."""

    # Narrowed on purpose: pydantic validates the levels into CaseLevel.
    levels: list[CaseLevel]  # type: ignore[assignment]
    also_at: list[models.DateValue] = Field(
        [], description="The case's other dates at which the chain stood exactly as drawn."
    )


class CaseFile(BaseModel):
    made: str = Field("", description="When the case file was made (UTC, ISO 8601).")
    dataset_version: str = Field("", description="A hash of the loaded data it was made from.")
    access: Literal["public", "restricted"] = Field(
        "public",
        description="restricted: the investigator's version, which may name restricted "
        "identities and must not be shared.",
    )
    access_notice: str = PUBLIC_NOTICE
    subject: models.Entity
    subject_restricted: bool = Field(
        False, description="The subject is a restricted identity (never shown to the public)."
    )
    kind: Literal["person", "event", "unit"]
    notice: str = NOTICE
    identity: list[Statement]
    timeline: list[Statement]
    chains: list[CaseChain]
    events: list[CaseEvent]
    sanctions: list[Statement]
    article_28a: list[EvidenceElement]
    bibliography: list[BibliographyEntry]
    footnotes: list[models.Citation]


def _drawn_once(chains: list[models.Chain]) -> list[CaseChain]:
    """CHAINS, each that stood the same at several dates drawn once with all of them."""
    drawn: dict[str, CaseChain] = {}
    for chain in chains:
        case_chain = CaseChain.model_validate(chain, from_attributes=True)
        same = case_chain.model_dump_json(exclude={"at", "also_at"})
        if same not in drawn:
            drawn[same] = case_chain
        elif chain.at != drawn[same].at and chain.at not in drawn[same].also_at:
            drawn[same].also_at.append(chain.at)
    return list(drawn.values())


class Notes:
    """Numbers citations once each, in order of first use."""

    def __init__(self) -> None:
        self.footnotes: list[models.Citation] = []
        self._index: dict[tuple[Any, ...], int] = {}

    def __call__(self, citations: list[models.Citation]) -> list[int]:
        numbers = []
        for c in citations:
            key = (c.source, c.locator, c.quote)
            if key not in self._index:
                self.footnotes.append(c)
                self._index[key] = len(self.footnotes)
            numbers.append(self._index[key])
        return sorted(set(numbers))

    def statement(
        self, text: str, citations: list[models.Citation], date: str | None = None
    ) -> Statement:
        return Statement(text=text, notes=self(citations), date=date)

    def bibliography(self) -> list[BibliographyEntry]:
        by_source: dict[str, BibliographyEntry] = {}
        for c in self.footnotes:
            entry = by_source.setdefault(
                c.source,
                BibliographyEntry(
                    source=c.source, name=c.source_name, reliability=c.reliability, citations=0
                ),
            )
            entry.citations += 1
        return sorted(by_source.values(), key=lambda e: e.source)


async def build(reader: Reader, subject_id: str) -> CaseFile:
    """The case file of a person, a unit or an event (NotFoundError for anything else or unknown),
    stamped with when it was made, from which data, and for whom."""
    case = await _subject_file(reader, subject_id)
    restricted = not reader.public
    return case.model_copy(
        update={
            "made": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "dataset_version": await dataset_version(reader),
            "access": "restricted" if restricted else "public",
            "access_notice": RESTRICTED_NOTICE if restricted else PUBLIC_NOTICE,
            "bibliography": await _cited_sources(reader, case.bibliography),
        }
    )


async def _subject_file(reader: Reader, subject_id: str) -> CaseFile:
    detail = await entity_detail(reader, subject_id)
    if detail.entity.type == Label.PERSON:
        return await _person_file(reader, detail)
    if detail.entity.type == Label.EVENT:
        return await _event_file(reader, detail)
    if detail.entity.type == Label.ORGANIZATION:
        return await _unit_file(reader, detail)
    raise InvalidRequestError(
        f"{detail.entity.name} ({kind(detail.entity).lower()}) has no case file: case files "
        "are made for a person, a unit or an event."
    )


async def _cited_sources(
    reader: Reader, entries: list[BibliographyEntry]
) -> list[BibliographyEntry]:
    """The bibliography with each source's publisher, title, date, kind, URL and file."""
    rows = await reader.rows(queries.SOURCES_CITED, ids=[e.source for e in entries])
    found = {row["id"]: row for row in rows}
    return [
        e.model_copy(update={k: v for k, v in found.get(e.source, {}).items() if k != "id"})
        for e in entries
    ]


def _identity(notes: Notes, detail: models.EntityDetail) -> list[Statement]:
    facts = detail.facts
    found = [notes.statement(f"Name: {detail.entity.name}", detail.citations)]
    aliases = facts.get("aliases")
    if isinstance(aliases, list) and aliases:
        found.append(notes.statement(f"Also named: {', '.join(aliases)}", detail.citations))
    description = facts.get("description")
    if isinstance(description, str):
        found.append(notes.statement(description, detail.citations))
    return found


# Why a finding or statement is kept out of element (iii): what it can and cannot show.
ACCOUNT_OF_EVENT = "an account of the event itself: it shows what happened, not what was known"
MADE_LATER = "made after the events: cannot show what was known at the time"
UNDATED = "undated: cannot be placed before the events, so cannot show what was known then"
CONTEXT_LABELS = {
    "28(a)(i) commander": "Context: posts held before or after the events (not evidence of "
    "a post at the time)",
    "28(a)(ii) control": "Named gaps: units blamed for the events with no relation on record "
    "to the person's units at the events' dates",
    "28(a)(iii) knowledge": "Later findings and accounts of the events (not evidence of what "
    "was known at the time)",
    "28(a)(iv) failure": "Context: conduct before the events or undated (not evidence of a "
    "failure to act on them)",
}
SINGLE_SOURCE = "The whole element rests on one source: {name}."

# A finding or statement read by queries.STATEMENTS_ABOUT.
Said = dict[str, Any]
# An event of the map and the days it may have taken place on.
EventSpan = tuple[models.EventSummary, PartialDate]


async def _said_about(reader: Reader, event_ids: list[str], others: list[str]) -> list[Said]:
    """Findings and statements about the events, or about the persons and units in OTHERS,
    each once (oldest first)."""
    ids = list(dict.fromkeys([*event_ids, *others]))
    rows = await reader.rows(queries.STATEMENTS_ABOUT, ids=ids, limit=MAX_ROWS)
    first: dict[str, Said] = {}
    for row in rows:
        # A row about an event wins: it decides that the row is an account of the event.
        if row["id"] not in first or row["about"] in event_ids:
            first[row["id"]] = row
    return list(first.values())


def _said_statement(notes: Notes, row: Said, why: str = "") -> Statement:
    kind = "Finding" if "Finding" in row["labels"] else "Statement"
    by = row["by"]["name"] if row["by"] else "an unnamed speaker"
    cites = [models.Citation(**c) for c in row["citations"]]
    return notes.statement(f"{kind} by {by}: “{row['text']}”{why}", cites, row["date"])


def _knowledge(
    notes: Notes, said: list[Said], spans: list[EventSpan]
) -> tuple[list[Statement], list[Statement]]:
    """Element (iii): what was said before or during the events, each dated relative to them;
    the rest (later, undated, or an account of an event itself) apart, saying why."""
    evidence, context = [], []
    events = {event.id for event, _ in spans}
    for row in said:
        earlier, relative = _relative_to_events(row["date"], spans)
        if row["about"] in events:
            later = not earlier and row["date"] is not None
            why = f"{ACCOUNT_OF_EVENT}; {MADE_LATER}" if later else ACCOUNT_OF_EVENT
            context.append(_said_statement(notes, row, f" — {why}{relative}"))
        elif row["date"] is None:
            context.append(_said_statement(notes, row, f" — {UNDATED}"))
        elif earlier:
            evidence.append(_said_statement(notes, row, f" — dated {row['date']}{relative}"))
        else:
            context.append(_said_statement(notes, row, f" — {MADE_LATER}{relative}"))
    return evidence, context


def _relative_to_events(date: str | None, spans: list[EventSpan]) -> tuple[bool, str]:
    """(whether DATE is surely no later than one of the events, how far from each it is)."""
    if date is None or not spans:
        return False, ""
    said = PartialDate.parse(date)
    found = [_relative(said, span) for _, span in spans]
    names = [event.name for event, _ in spans]
    earlier = any(e for e, _ in found)
    words = [
        f"{phrase} ({name})" if len(spans) > 1 else phrase
        for (e, phrase), name in zip(found, names, strict=True)
        if e or not earlier
    ]
    return earlier, f" ({'; '.join(words)})"


def _relative(said: PartialDate, span: PartialDate) -> tuple[bool, str]:
    """(whether SAID is surely no later than the event's end, SAID relative to the event)."""
    if said.latest < span.earliest:
        return True, f"{_duration((span.earliest - said.latest).days)} before the event"
    if said.earliest > span.latest:
        return False, f"{_duration((said.earliest - span.latest).days)} after the event"
    if said.latest <= span.latest:
        return True, "during the event"
    return False, f"dated {said}, which may fall after the event"


def _duration(days: int) -> str:
    if days < 31:
        count, unit = days, "day"
    elif days < 365:
        count, unit = round(days / 30.44), "month"
    else:
        count, unit = round(days / 365.25), "year"
    return f"{count} {unit}{'' if count == 1 else 's'}"


def _spans(case_events: list[CaseEvent]) -> list[EventSpan]:
    """The dated events of the map; an undated one cannot be judged at its dates."""
    found = [(e.event, event_span(e.event)) for e in case_events]
    return [(event, span) for event, span in found if span is not None]


def _when(event: models.EventSummary) -> str:
    return f"{event.start}{f' to {event.end}' if event.end else ''}"


def _post_text(p: models.Posting) -> str:
    return f"{p.role or 'post'}{f' ({p.title})' if p.title else ''} of {p.organization.name}"


def _held_at_events(
    timeline: list[models.Posting], spans: list[EventSpan]
) -> list[tuple[models.Posting, models.EventSummary, PartialDate, models.AsOf]]:
    """Each post with each event at whose dates it held or may have held."""
    found = []
    for p in timeline:
        for event, span in spans:
            answer = as_of(p.tenure.model_dump(), span)
            if answer.certainty != Certainty.NO:
                found.append((p, event, span, answer))
    return found


def _posts_at_events(
    notes: Notes, timeline: list[models.Posting], spans: list[EventSpan]
) -> tuple[list[Statement], list[Statement]]:
    """Element (i): the posts held at each event's dates, certain or possible with the reason;
    the posts held only before or after them apart, as context."""
    held = _held_at_events(timeline, spans)
    evidence = [
        notes.statement(
            f"{event.name} ({_when(event)}): {_post_text(p)} at the event's dates "
            f"({answer.certainty}: {answer.reason})",
            p.citations,
            event.start,
        )
        for p, event, _, answer in held
    ]
    at_events = {p.id for p, _, _, _ in held}
    context = [
        notes.statement(
            f"{_post_text(p)}, cited {p.tenure.first_cited or '?'} to "
            f"{p.tenure.last_cited or '?'}: not held at the events' dates ({_not_held(p, spans)})",
            p.citations,
            p.tenure.first_cited,
        )
        for p in timeline
        if p.id not in at_events
    ]
    return evidence, context


def _not_held(p: models.Posting, spans: list[EventSpan]) -> str:
    if not spans:
        return "no event of the map has a date"
    reasons = [as_of(p.tenure.model_dump(), span).reason for _, span in spans]
    return "; ".join(dict.fromkeys(reasons))


def _relation_text(
    child: models.Entity, relation: str, parent: models.Entity, answer: models.AsOf
) -> str:
    """The relation worded from the unit below, its kind kept apart from how sure its dates
    are."""
    how = relation_words(relation)
    return (
        f"{child.name or child.id} {how} {parent.name or parent.id} at the event's dates "
        f"(the dates: {answer.certainty} — {answer.reason})"
    )


# A unit blamed for an event linked to the person: (event id, the unit, the event's dates).
Blamed = tuple[str, models.Entity, PartialDate]
# The person's posts held at each event's dates: event id -> (unit id, the event's dates).
HeldPosts = dict[str, list[tuple[str, PartialDate]]]


def _held_posts(
    held: list[tuple[models.Posting, models.EventSummary, PartialDate, models.AsOf]],
) -> HeldPosts:
    posts: HeldPosts = {}
    for p, event, span, _ in held:
        posts.setdefault(event.id, []).append((p.organization.id, span))
    return posts


async def _blamed_units(
    reader: Reader, direct_links: list[models.Attribution], posts: HeldPosts
) -> list[Blamed]:
    """The units blamed for the events linked to the person by name at whose dates the person
    held a post: each unit once per event, however many sources blame it (one statement)."""
    linked = list(dict.fromkeys(a.event.id for a in direct_links if a.event.id in posts))
    rows = await reader.rows(queries.EVENTS_ATTRIBUTED_ACTORS, events=linked, limit=MAX_ROWS)
    found = {
        (row["id"], who.id): (row["id"], who, posts[row["id"]][0][1])
        for row in rows
        for role, who in _blamed(row["attributions"])
        if role == "perpetrator" and who.type == Label.ORGANIZATION
    }
    return list(found.values())


def _links_to_blamed_units(
    notes: Notes,
    events_linked: dict[str, models.Entity],
    blamed: list[tuple[Blamed, models.Chain]],
    posts: HeldPosts,
    posted_chains: dict[tuple[str, PartialDate], models.Chain],
) -> Found:
    """Element (ii) for the events linked to the person by name: how each unit blamed for the
    event stood to a unit the person was posted to at its dates, read along either unit's
    chain at those dates; where neither chain holds the other, that is named as a gap."""
    found: Found = ([], [])
    for (event_id, who, _), chain in blamed:
        mine = [posted_chains[key] for key in posts[event_id] if key in posted_chains]
        path = _path_between(chain, {c.unit.id for c in mine}) or next(
            (up for c in mine if (up := _path_between(c, {who.id}))), []
        )
        if path:
            found[0].extend(_relation_statements(notes, path))
            continue
        units = ", ".join(dict.fromkeys(c.unit.name or c.unit.id for c in mine))
        found[1].append(
            Statement(
                text=f"{events_linked[event_id].name}: the graph holds no command, membership "
                f"or affiliation between {who.name or who.id}, blamed for the event, and "
                f"{units or 'the units the person was posted to'} at the event's dates",
                notes=[],
            )
        )
    return found


def _blamed(attributions: list[dict[str, Any]]) -> list[tuple[str, models.Entity]]:
    """(role, actor) for each attribution row of EVENTS_ATTRIBUTED_ACTORS."""
    found = []
    for row in attributions:
        actor = entity(row["actor"])
        if actor is not None:
            found.append((row["role"], actor))
    return found


def _path_between(chain: models.Chain, targets: set[str]) -> list[models.ChainLevel]:
    """The chain's levels from its unit up to the first of TARGETS, or nothing."""
    for depth, level in enumerate(chain.levels):
        if level.unit.id in targets:
            return chain.levels[: depth + 1]
    return []


def _relation_statements(notes: Notes, path: list[models.ChainLevel]) -> list[Statement]:
    return [
        notes.statement(
            _relation_text(below.unit, level.relation, level.unit, level.relation_as_of),
            level.citations,
        )
        for below, level in pairwise(path)
        if level.relation and level.relation_as_of
    ]


# How each kind of conduct after the events reads, and why one dated before them is context.
CONDUCT_WORDS = {
    "kept_in_post": "Kept in post",
    "promoted": "Promoted",
    "no_investigation_reported": "No investigation reported",
    "statement_of_impunity": "Statement of impunity",
    "other": "Conduct after the events",
}
CONDUCT_BEFORE = "dated before the events: cannot show a failure to act on them"
CONDUCT_UNDATED = "undated: cannot be placed after the events"


async def _conduct(
    reader: Reader, notes: Notes, actor_ids: list[str], spans: list[EventSpan]
) -> Found:
    """Element (iv): what the persons did, or are reported not to have done, and the conduct
    reported about the events whoever it names, during or after the events, each dated
    relative to them; conduct before them or undated apart."""
    rows = await reader.rows(
        queries.CONDUCT_OF,
        actors=list(dict.fromkeys(actor_ids)),
        events=[event.id for event, _ in spans],
        limit=MAX_ROWS,
    )
    found: Found = ([], [])
    for row in rows:
        words = CONDUCT_WORDS.get(row["kind"], CONDUCT_WORDS["other"])
        who = row["actor"]["name"] if row["actor"] else "no one named"
        text = f"{words} — {who}: “{row['text']}”" if row["text"] else f"{words} — {who}"
        cites = [models.Citation(**c) for c in row["citations"]]
        if row["date"] is None or not spans:
            why = CONDUCT_UNDATED if row["date"] is None else "no event of the map has a date"
            found[1].append(notes.statement(f"{text} — {why}", cites, row["date"]))
            continue
        said = PartialDate.parse(row["date"])
        relative = [_relative(said, span) for _, span in spans]
        after = [phrase for _, phrase in relative if not phrase.endswith("before the event")]
        if after:
            found[0].append(notes.statement(f"{text} ({'; '.join(after)})", cites, row["date"]))
        else:
            phrases = "; ".join(phrase for _, phrase in relative)
            found[1].append(
                notes.statement(f"{text} — {CONDUCT_BEFORE} ({phrases})", cites, row["date"])
            )
    return found


def _commanders(account: models.Accountability) -> list[str]:
    """Everyone commanding a level of the event's chains at its dates, or named its
    commander."""
    ids = [c.person.id for chain in account.chains for lv in chain.levels for c in lv.commanders]
    return ids + [a.actor.id for a in account.linked_persons if a.role == "commander"]


def _exposure_text(x: models.ExposedEvent) -> str:
    commanded = x.via[0].name or x.via[0].id
    if len(x.via) > 1:
        way = " > ".join(u.name or u.id for u in x.via)
        where = f"a unit under {commanded} ({way}), which the person commanded"
    else:
        where = "the unit the person commanded"
    return (
        f"{x.event.name}: attributed to {x.unit.name}, {where}; the post and every link held "
        f"at the event's dates (the dates: {x.as_of.certainty} — {x.as_of.reason})"
    )


async def _case_events(reader: Reader, notes: Notes, event_ids: list[str]) -> list[CaseEvent]:
    """The events with their casualty figures, each figure a footnoted statement."""
    found = await events.casualties_of(reader, event_ids)
    return [_case_event(notes, *found[e]) for e in event_ids if e in found]


def _case_event(notes: Notes, summary: models.EventSummary, tolls: models.Casualties) -> CaseEvent:
    statements = []
    for estimate in tolls.estimates:
        figure = ", ".join(
            f"{value} {label}"
            for label, value in (
                ("killed", estimate.killed),
                ("children", estimate.children),
                ("women", estimate.women),
                ("wounded", estimate.wounded),
                ("named", estimate.named),
            )
            if value is not None
        ) or (estimate.scope or "a figure")
        who = f" according to {estimate.claimed_by.name}" if estimate.claimed_by else ""
        scope = f" ({estimate.scope})" if estimate.scope and figure != estimate.scope else ""
        kind = f" [{words(estimate.kind, Prop.COUNT_KIND)}]" if estimate.kind else ""
        statements.append(
            notes.statement(f"{figure}{scope}{kind}{who}", estimate.citations, estimate.as_of)
        )
    return CaseEvent(event=summary, low=tolls.low, high=tolls.high, statements=statements)


def _attribution_text(a: models.Attribution) -> str:
    by = f", according to {a.claimed_by.name}" if a.claimed_by else ""
    hedge = f" (the source hedges: “{a.hedge}”)" if a.hedge else ""
    return f"{a.event.name}: {a.actor.name} as {a.role}{by}{hedge}"


def _alleged_commanders(notes: Notes, claims: list[models.Attribution]) -> list[Statement]:
    """Attributions that give someone a commanding role in an event."""
    return [
        notes.statement(f"Alleged {a.role} role: {_attribution_text(a)}", a.citations)
        for a in claims
        if a.role == "commander"
    ]


def _sanction_text(s: models.Sanction) -> str:
    authority = s.authority.name if s.authority else "an authority"
    listed = f" in {s.listing_date}" if s.listing_date else ""
    reason = f"; reason given: “{s.reason}”" if s.reason else ""
    return f"{s.entity.name} designated by {authority}{listed} ({s.program}){reason}"


async def _person_file(reader: Reader, detail: models.EntityDetail) -> CaseFile:
    notes = Notes()
    exposed = await exposure.person_exposure(reader, detail.entity.id)
    timeline = [
        notes.statement(
            f"{p.role or 'post'}{f' ({p.title})' if p.title else ''} in {p.organization.name}: "
            f"first cited {p.tenure.first_cited or 'never'}, last cited "
            f"{p.tenure.last_cited or 'never'}"
            + (" (the first date is the real start)" if p.tenure.first_cited_is_start else ""),
            p.citations,
            p.tenure.first_cited,
        )
        for p in exposed.timeline
    ]
    timeline += [notes.statement(_attribution_text(a), a.citations) for a in exposed.direct_links]
    sanctions = [
        notes.statement(_sanction_text(s), s.citations, s.listing_date) for s in exposed.sanctions
    ]
    event_ids = [a.event.id for a in exposed.direct_links]
    event_ids += [x.event.id for x in exposed.command_exposure]
    case_events = await _case_events(reader, notes, list(dict.fromkeys(event_ids)))
    spans = _spans(case_events)
    commander, commander_context = _posts_at_events(notes, exposed.timeline, spans)
    commander += _alleged_commanders(notes, exposed.direct_links)
    held = _held_at_events(exposed.timeline, spans)
    # Each unit the person was posted to, drawn as it stood at each event's dates.
    posted_at = list(dict.fromkeys((p.organization.id, span) for p, _, span, _ in held))
    posts = _held_posts(held)
    blamed = await _blamed_units(reader, exposed.direct_links, posts)
    # The chains of the units posted to and of the units blamed, in one read.
    every_chain = await chains_at(
        reader, posted_at + [(who.id, span) for _, who, span in blamed], commanders_only=True
    )
    chains = every_chain[: len(posted_at)]
    control = [
        notes.statement(_exposure_text(x), x.attribution.citations)
        for x in exposed.command_exposure
    ]
    linked, unlinked = _links_to_blamed_units(
        notes,
        {a.event.id: a.event for a in exposed.direct_links},
        list(zip(blamed, every_chain[len(posted_at) :], strict=True)),
        posts,
        dict(zip(posted_at, chains, strict=True)),
    )
    control += linked
    units = [p.organization.id for p, _, _, _ in held] + [
        x.unit.id for x in exposed.command_exposure
    ]
    said = await _said_about(reader, [e.event.id for e in case_events], [detail.entity.id, *units])
    knowledge = _knowledge(notes, said, spans)
    return CaseFile(
        subject=detail.entity,
        subject_restricted=detail.facts.get("restricted") is True,
        kind="person",
        identity=_identity(notes, detail),
        timeline=timeline,
        chains=_drawn_once(chains),
        events=case_events,
        sanctions=sanctions,
        article_28a=_article_28a(
            notes,
            (commander, commander_context),
            (control, unlinked),
            knowledge,
            await _conduct(reader, notes, [detail.entity.id], spans),
        ),
        bibliography=notes.bibliography(),
        footnotes=notes.footnotes,
    )


async def _event_file(reader: Reader, detail: models.EntityDetail) -> CaseFile:
    notes = Notes()
    account = await events.event_accountability(reader, detail.entity.id)
    event = account.event
    when = f"{event.start or 'date unknown'}{f' to {event.end}' if event.end else ''}"
    place = event.place.name if event.place else "place unknown"
    identity = _identity(notes, detail)
    identity.append(notes.statement(f"When and where: {when}, {place}", detail.citations))
    timeline = [
        notes.statement(_attribution_text(a), a.citations, event.start)
        for a in account.attributions
    ]
    perpetrators = [a.actor.id for a in account.attributions if a.role == "perpetrator"]
    said = await _said_about(reader, [event.id], perpetrators)
    timeline += [_said_statement(notes, row) for row in said if row["about"] == event.id]
    span = event_span(event)
    knowledge = _knowledge(notes, said, [] if span is None else [(event, span)])
    sanctions = [
        notes.statement(_sanction_text(s), s.citations, s.listing_date) for s in account.sanctions
    ]
    commander = [
        notes.statement(
            f"{c.person.name}: {c.role} of {level.unit.name} at the event's dates "
            f"(the dates: {c.as_of.certainty} — {c.as_of.reason})",
            c.citations,
        )
        for chain in account.chains
        for level in chain.levels
        for c in level.commanders
    ]
    commander += _alleged_commanders(notes, account.linked_persons)
    control = [
        notes.statement(
            _relation_text(below.unit, level.relation, level.unit, level.relation_as_of),
            level.citations,
        )
        for chain in account.chains
        for below, level in pairwise(chain.levels)
        if level.relation and level.relation_as_of
    ]
    control += [
        notes.statement(f"Forces alleged to have acted: {_attribution_text(a)}", a.citations)
        for a in account.attributions
        if a.role == "perpetrator"
    ]
    return CaseFile(
        subject=detail.entity,
        kind="event",
        identity=identity,
        timeline=timeline,
        chains=_drawn_once(account.chains),
        events=await _case_events(reader, notes, [event.id]),
        sanctions=sanctions,
        article_28a=_article_28a(
            notes,
            (commander, []),
            (control, []),
            knowledge,
            await _conduct(
                reader, notes, _commanders(account), [] if span is None else [(event, span)]
            ),
        ),
        bibliography=notes.bibliography(),
        footnotes=notes.footnotes,
    )


# The roles by which an event is laid at a unit's door.
UNIT_ROLES = ("perpetrator", "participant", "commander")


async def _unit_file(reader: Reader, detail: models.EntityDetail) -> CaseFile:
    """A unit's case file: who was posted to it over time, the events attributed to it or to a
    unit under it at the events' dates, and the evidence map for each event at its dates (its
    commanders then, the chain from the acting unit up to it then, what was said before, what
    its commanders did after)."""
    notes, unit = Notes(), detail.entity
    rows = await reader.rows(
        queries.COMMAND_POSTINGS, unit=unit.id, **queries.role_filter(None), limit=MAX_ROWS
    )
    posted = [row["posting"] for row in rows]
    acts = await _acts_of_unit_and_below(reader, unit.id)
    chains = await chains_at(
        reader, [(a.actor.id, span) for a, span in acts if span], commanders_only=True
    )
    under, not_under = _acts_under(unit, acts, iter(chains))
    attributed = [a for a, _, _ in under]
    timeline = [_posted_statement(notes, unit, p) for p in posted]
    timeline += [notes.statement(_attribution_text(a), a.citations) for a in attributed]
    case_events = await _case_events(
        reader, notes, list(dict.fromkeys(a.event.id for a in attributed))
    )
    spans = _spans(case_events)
    paths = [(a, path) for a, _, path in under if path]
    commander = [
        notes.statement(
            f"{a.event.name}: {c.person.name or c.person.id}, {c.role or 'post'} of "
            f"{unit.name} at the event's dates ({c.as_of.certainty}: {c.as_of.reason})",
            c.citations,
        )
        for a, path in paths
        for c in path[-1].commanders
    ]
    control = [s for _, path in paths for s in _relation_statements(notes, path)]
    control += [
        notes.statement(f"Forces alleged to have acted: {_attribution_text(a)}", a.citations)
        for a in attributed
    ]
    leaders = [c.person.id for _, path in paths for c in path[-1].commanders]
    said = await _said_about(reader, [e.event.id for e in case_events], [unit.id, *leaders])
    return CaseFile(
        subject=unit,
        kind="unit",
        notice=NOTICE + UNIT_NOTICE,
        identity=_identity(notes, detail),
        timeline=timeline,
        chains=_drawn_once([chain for _, chain, path in under if chain and path]),
        events=case_events,
        sanctions=[
            notes.statement(_sanction_text(s), s.citations, s.listing_date)
            for s in await sanctions_on(reader, entities=[unit.id])
        ],
        article_28a=_article_28a(
            notes,
            (commander, _posted_elsewhere(notes, unit, posted, spans)),
            (control, not_under),
            _knowledge(notes, said, spans),
            await _conduct(reader, notes, leaders, spans),
        ),
        bibliography=notes.bibliography(),
        footnotes=notes.footnotes,
    )


# An event attributed to a unit (the unit of the file or one below it), with the event's dates.
Act = tuple[models.Attribution, PartialDate | None]


async def _acts_of_unit_and_below(reader: Reader, unit_id: str) -> list[Act]:
    """The events attributed to the unit and to every unit ever below it (one statement)."""
    rows = await reader.rows(
        queries.UNITS_BELOW, units=[unit_id], roles=list(UNIT_ROLES), limit=MAX_ROWS
    )
    return [
        (attribution(row["attribution"]), event_span(event_row(row["event"])))
        for found in rows
        for row in found["attributed"]
    ]


# An act under the unit: the attribution, the acting unit's chain at the event's dates (none
# when undated) and that chain's levels from the acting unit up to the unit of the file.
ActUnder = tuple[models.Attribution, models.Chain | None, list[models.ChainLevel]]


def _acts_under(
    unit: models.Entity, acts: list[Act], chains: Iterator[models.Chain]
) -> tuple[list[ActUnder], list[Statement]]:
    """The acts of the unit itself, and of units under it at the events' dates; the others
    named apart, saying why. CHAINS hold one chain per dated act, in order."""
    under: list[ActUnder] = []
    apart = []
    for a, span in acts:
        chain = next(chains) if span else None
        path = _path_between(chain, {unit.id}) if chain else []
        if a.actor.id == unit.id or path:
            under.append((a, chain, path))
            continue
        why = "its event has no date" if span is None else "not on record under it then"
        apart.append(
            Statement(
                text=f"{a.event.name}: attributed to {a.actor.name}, a unit once below "
                f"{unit.name} but {why}",
                notes=[],
            )
        )
    return under, apart


def _posted_text(unit: models.Entity, p: dict[str, Any]) -> str:
    person = entity(p["person"])
    who = person.name if person else "someone"
    title = f" ({p['title']})" if p["title"] else ""
    tenure = p["tenure"]
    return (
        f"{who}: {p['role'] or 'post'}{title} of {unit.name}, cited "
        f"{tenure['first_cited'] or '?'} to {tenure['last_cited'] or '?'}"
    )


def _posted_statement(notes: Notes, unit: models.Entity, p: dict[str, Any]) -> Statement:
    cites = [models.Citation(**c) for c in p["citations"]]
    return notes.statement(_posted_text(unit, p), cites, p["tenure"]["first_cited"])


def _posted_elsewhere(
    notes: Notes, unit: models.Entity, posted: list[dict[str, Any]], spans: list[EventSpan]
) -> list[Statement]:
    """The unit's commanders whose posts held at none of the events' dates: context."""
    found = []
    for p in posted:
        if p["role"] not in COMMAND_ROLES:
            continue
        answers = [as_of(p["tenure"], span) for _, span in spans]
        if any(a.certainty != Certainty.NO for a in answers):
            continue
        why = "; ".join(dict.fromkeys(a.reason for a in answers)) or "no event has a date"
        text = f"{_posted_text(unit, p)}: not in post at the events' dates ({why})"
        found.append(notes.statement(text, [models.Citation(**c) for c in p["citations"]]))
    return found


# An element's evidence and, apart, its context.
Found = tuple[list[Statement], list[Statement]]


def _article_28a(
    notes: Notes, commander: Found, control: Found, knowledge: Found, failure: Found
) -> list[EvidenceElement]:
    """The four elements with the graph's evidence and, apart, their context."""
    found: tuple[Found, ...] = (commander, control, knowledge, failure)
    return [
        _element(notes, element, statute, evidence, context)
        for (element, statute), (evidence, context) in zip(ARTICLE_28A, found, strict=True)
    ]


def _element(
    notes: Notes, element: str, statute: str, evidence: list[Statement], context: list[Statement]
) -> EvidenceElement:
    cited = [notes.footnotes[n - 1] for s in evidence for n in s.notes]
    sources = {c.source: c.source_name or c.source for c in cited}
    return EvidenceElement(
        element=element,
        statute=statute,
        evidence=evidence,
        gap=None if evidence else NO_EVIDENCE,
        sources=len(sources),
        single_source=(
            SINGLE_SOURCE.format(name=next(iter(sources.values()))) if len(sources) == 1 else None
        ),
        context_label=CONTEXT_LABELS.get(element) if context else None,
        context=context,
    )


def audit_target(case: CaseFile) -> str:
    """What the audit log may say about the subject: a restricted identity only as a hash."""
    if case.subject_restricted:
        return "restricted:" + hashlib.sha256(case.subject.id.encode()).hexdigest()[:16]
    return case.subject.id
