"""Case files for a person or an event: every statement footnoted, gaps named, and an evidence
map against Rome Statute Article 28(a) that is a map of evidence, not a legal conclusion."""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import BaseModel, Field

from graph.asof import PartialDate
from graph.db import queries
from graph.db.reader import Reader
from graph.errors import InvalidRequestError
from graph.reads import events, exposure, models
from graph.reads.command import chains_at
from graph.reads.entities import entity_detail
from graph.reads.rows import MAX_ROWS
from ontology.terms import Label

NOTICE = (
    "This is an evidence map, not a legal conclusion. It lists what the graph's sources say, "
    "each statement footnoted to a source, locator and quote; where the graph holds nothing "
    "for an element, it says so. Contested facts are shown side by side."
)
NO_EVIDENCE = "No evidence in the graph."
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
    evidence: list[Statement]
    gap: str | None = Field(None, description="Says so when the graph holds no evidence.")


class CaseEvent(BaseModel):
    event: models.EventSummary
    low: int | None
    high: int | None
    statements: list[Statement]


class BibliographyEntry(BaseModel):
    source: str
    name: str | None
    reliability: str | None
    citations: int


class CaseFile(BaseModel):
    subject: models.Entity
    subject_restricted: bool = Field(
        False, description="The subject is a restricted identity (never shown to the public)."
    )
    kind: Literal["person", "event"]
    notice: str = NOTICE
    identity: list[Statement]
    timeline: list[Statement]
    chains: list[models.Chain]
    events: list[CaseEvent]
    sanctions: list[Statement]
    article_28a: list[EvidenceElement]
    bibliography: list[BibliographyEntry]
    footnotes: list[models.Citation]


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
    """The case file of a person or an event (NotFoundError for anything else or unknown)."""
    detail = await entity_detail(reader, subject_id)
    if detail.entity.type == Label.PERSON:
        return await _person_file(reader, detail)
    if detail.entity.type == Label.EVENT:
        return await _event_file(reader, detail)
    raise InvalidRequestError(
        f"{detail.entity.id} is a {detail.entity.type}; case files are made for a Person or an "
        "Event."
    )


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


async def _statements_about(reader: Reader, notes: Notes, ids: list[str]) -> list[Statement]:
    rows = await reader.rows(queries.STATEMENTS_ABOUT, ids=ids, limit=MAX_ROWS)
    found = []
    for row in rows:
        kind = "Finding" if "Finding" in row["labels"] else "Statement"
        by = row["by"]["name"] if row["by"] else "an unnamed speaker"
        cites = [models.Citation(**c) for c in row["citations"]]
        found.append(notes.statement(f"{kind} by {by}: “{row['text']}”", cites, row["date"]))
    return found


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
        kind = f" [{estimate.kind}]" if estimate.kind else ""
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
    chains = await chains_at(
        reader,
        [
            (p.organization.id, PartialDate.parse(p.tenure.first_cited))
            for p in exposed.timeline
            if p.role in ("commander", "head") and p.tenure.first_cited
        ],
    )
    event_ids = [a.event.id for a in exposed.direct_links]
    event_ids += [x.event.id for x in exposed.command_exposure]
    case_events = await _case_events(reader, notes, list(dict.fromkeys(event_ids)))
    knowledge = await _statements_about(reader, notes, list(dict.fromkeys(event_ids)))
    commander = [
        notes.statement(
            f"Held the post of {p.role} of {p.organization.name} "
            f"(cited {p.tenure.first_cited or '?'} to {p.tenure.last_cited or '?'})",
            p.citations,
        )
        for p in exposed.timeline
        if p.role in ("commander", "head")
    ]
    commander += _alleged_commanders(notes, exposed.direct_links)
    control = [
        notes.statement(
            f"{x.event.name}: attributed to {x.unit.name}, "
            f"under {' > '.join(u.name or u.id for u in x.via)} at the time ({x.as_of.certainty}: "
            f"{x.as_of.reason})",
            x.attribution.citations,
        )
        for x in exposed.command_exposure
    ]
    return CaseFile(
        subject=detail.entity,
        subject_restricted=detail.facts.get("restricted") is True,
        kind="person",
        identity=_identity(notes, detail),
        timeline=timeline,
        chains=chains,
        events=case_events,
        sanctions=sanctions,
        article_28a=_article_28a(commander, control, knowledge),
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
    knowledge = await _statements_about(reader, notes, [event.id])
    timeline += knowledge
    sanctions = [
        notes.statement(_sanction_text(s), s.citations, s.listing_date) for s in account.sanctions
    ]
    commander = [
        notes.statement(
            f"{c.person.name}: {c.role} of {level.unit.name} at the event's dates "
            f"({c.as_of.certainty}: {c.as_of.reason})",
            c.citations,
        )
        for chain in account.chains
        for level in chain.levels
        for c in level.commanders
    ]
    commander += _alleged_commanders(notes, account.linked_persons)
    control = [
        notes.statement(
            f"{level.unit.name} was {level.relation} of the level below at the time "
            f"({level.relation_as_of.certainty}: {level.relation_as_of.reason})",
            level.citations,
        )
        for chain in account.chains
        for level in chain.levels
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
        chains=account.chains,
        events=await _case_events(reader, notes, [event.id]),
        sanctions=sanctions,
        article_28a=_article_28a(commander, control, knowledge),
        bibliography=notes.bibliography(),
        footnotes=notes.footnotes,
    )


def _article_28a(
    commander: list[Statement], control: list[Statement], knowledge: list[Statement]
) -> list[EvidenceElement]:
    """The four elements with the graph's evidence; the failure element has no modelled
    evidence type yet, so it always says so rather than guessing."""
    found: tuple[list[Statement], ...] = (commander, control, knowledge, [])
    return [
        EvidenceElement(
            element=element,
            statute=statute,
            evidence=evidence,
            gap=None if evidence else NO_EVIDENCE,
        )
        for (element, statute), evidence in zip(ARTICLE_28A, found, strict=True)
    ]


def audit_target(case: CaseFile) -> str:
    """What the audit log may say about the subject: a restricted identity only as a hash."""
    if case.subject_restricted:
        return "restricted:" + hashlib.sha256(case.subject.id.encode()).hexdigest()[:16]
    return case.subject.id
