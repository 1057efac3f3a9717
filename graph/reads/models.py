"""What the investigative queries answer: edges with citations, as-of answers with certainty."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    computed_field,
)

from graph.asof import DATE_PATTERN, Certainty, InvalidDateError, PartialDate


def _partial_date(value: object) -> PartialDate:
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, str):
        return PartialDate.parse(value)
    raise InvalidDateError(f"{value!r} is not a partial date")  # a ValueError, for pydantic


# A partial date in an answer: the typed value inside, its text (`2012`, `2012-08`,
# `2012-08-20`) in JSON.
DateValue = Annotated[
    PartialDate,
    PlainValidator(_partial_date),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": DATE_PATTERN}),
]


class Citation(BaseModel):
    """Where a statement is read: the source, where in it, and its words."""

    source: str
    source_name: str | None = None
    reliability: str | None = Field(None, description="Admiralty grade of the source, A-F.")
    locator: str | None = None
    quote: str | None = None
    confidence: str | None = None
    page: str | None = Field(None, description="Page or clip time (imported access points).")
    archive_url: str | None = Field(None, description="An archived copy of the source.")
    access_point: str | None = Field(
        None, description="The importing format's id for this place in the source."
    )


class Entity(BaseModel):
    """A node named in an answer."""

    id: str
    type: str
    name: str | None = None
    labels: list[str] = []


class Interval(BaseModel):
    """When a relation is cited, after Security Force Monitor."""

    first_cited: str | None = None
    last_cited: str | None = None
    first_cited_is_start: bool = False
    last_cited_is_end: bool = False
    open_ended: bool = False


class AsOf(BaseModel):
    """Whether a relation held at the date asked, and why."""

    certainty: Certainty
    reason: str


class Commander(BaseModel):
    """A person holding a command post (commander or head) in a unit at a date."""

    person: Entity
    role: str | None = None
    title: str | None = None
    rank: str | None = None
    tenure: Interval
    as_of: AsOf
    citations: list[Citation]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def certainty(self) -> Certainty:
        return self.as_of.certainty

    @computed_field  # type: ignore[prop-decorator]
    @property
    def start(self) -> str | None:
        return self.tenure.first_cited

    @computed_field  # type: ignore[prop-decorator]
    @property
    def end(self) -> str | None:
        return self.tenure.last_cited


class OtherSuperior(BaseModel):
    """Another unit the level below also hung from at the date, by the same kind of relation."""

    unit: Entity
    relation: str = Field(description="command or member, to the level below.")
    relation_as_of: AsOf
    citations: list[Citation] = []


class ChainLevel(BaseModel):
    """One level of a chain of command: the unit, how it hangs below the previous, who led it."""

    unit: Entity
    depth: int
    relation: str | None = Field(None, description="command or member, to the level below.")
    relation_as_of: AsOf | None = None
    citations: list[Citation] = Field(
        [], description="Evidence for the relation to the level below."
    )
    commanders: list[Commander] = []
    posted: list[Commander] = Field(
        [], description="Everyone on record as posted to the unit then, in any role."
    )
    gap: bool = Field(description="True when nobody is on record commanding this level then.")
    also_under: list[OtherSuperior] = Field(
        [],
        description="Other units the level below hung from at the date by the same kind of "
        "relation: the sources disagree or overlap, and the chain climbs through this unit only.",
    )
    ambiguity: list[str] = Field(
        [], description="What the sources disagree or overlap on at this level, in words."
    )


class Chain(BaseModel):
    """A unit's superiors as they stood at a date, up to the top or the depth limit."""

    unit: Entity
    at: DateValue
    levels: list[ChainLevel]
    truncated: bool = False

    @computed_field  # type: ignore[prop-decorator]
    @property
    def gaps(self) -> list[Entity]:
        """The levels where nobody is on record commanding at that date."""
        return [level.unit for level in self.levels if level.gap]


class SearchHit(BaseModel):
    """One record whose name or an alias matches; what tells namesakes apart comes along."""

    id: str
    type: str
    name: str
    aliases: list[str] = []
    score: float
    place_kind: str | None = None
    start: str | None = None  # an event's start, an organization's first citation
    end: str | None = None
    place: str | None = None  # the enclosing place of a place, or where an event happened


class Attribution(BaseModel):
    """An event attributed to an actor, according to a source: a claim, never a fact."""

    id: str
    event: Entity
    actor: Entity
    role: str
    claimed_by: Entity | None = None
    confidence: str | None = None
    credibility: str | None = None
    hedge: str | None = None
    citations: list[Citation]


class CasualtyEstimate(BaseModel):
    id: str
    killed: int | None = None
    children: int | None = None
    women: int | None = None
    wounded: int | None = None
    named: int | None = None
    kind: str | None = None
    as_of: str | None = None
    scope: str | None = None
    claimed_by: Entity | None = None
    citations: list[Citation]


class Casualties(BaseModel):
    """Every figure side by side; the range is over whole-event counts (no `scope`)."""

    event: Entity
    estimates: list[CasualtyEstimate]
    low: int | None
    high: int | None


class Sanction(BaseModel):
    id: str
    entity: Entity
    authority: Entity | None = None
    program: str | None = None
    listing_date: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    reason: str | None = None
    citations: list[Citation]


class EventSummary(BaseModel):
    id: str
    name: str
    kinds: list[str]
    start: str | None = None
    end: str | None = None
    place: Entity | None = None
    max_killed: int | None = None  # the highest whole-event count: `Casualties.high`


class EventPage(BaseModel):
    items: list[EventSummary]
    total: int
    limit: int
    offset: int


class Accountability(BaseModel):
    """Who is alleged to have done it, their chains then, who is linked, who is sanctioned."""

    event: EventSummary
    attributions: list[Attribution]
    chains: list[Chain]
    linked_persons: list[Attribution]
    sanctions: list[Sanction]


class Posting(BaseModel):
    id: str
    organization: Entity
    role: str | None = None
    title: str | None = None
    rank: str | None = None
    tenure: Interval
    citations: list[Citation]


class ExposedEvent(BaseModel):
    """An event attributed to a unit while the person commanded it (or a unit under it)."""

    event: EventSummary
    unit: Entity
    via: list[Entity] = Field(description="The units from the commanded one down to `unit`.")
    as_of: AsOf
    attribution: Attribution


class Exposure(BaseModel):
    person: Entity
    timeline: list[Posting]
    commanded_units: list[Entity]
    command_exposure: list[ExposedEvent]
    direct_links: list[Attribution]
    sanctions: list[Sanction]


class PathStep(BaseModel):
    """A node on a path; claims carry the citations that make the link."""

    node: Entity
    relationship: str | None = Field(None, description="The relationship to the next node.")
    citations: list[Citation] = []


class Path(BaseModel):
    steps: list[PathStep]


class SourceClaim(BaseModel):
    record: Entity
    locator: str | None = None
    quote: str | None = None


class SourceClaims(BaseModel):
    """One page of the records citing a source, sorted by record within the page."""

    source: Entity
    claims: list[SourceClaim]
    total: int | None = Field(
        None,
        description="How many records cite the source, given on the last page; null while "
        "more follow (counting a source cited a hundred thousand times would read them all).",
    )
    limit: int
    offset: int
    more: bool = Field(False, description="Whether more records come after this page.")
    next_offset: int | None = Field(
        None, description="The `offset` that asks for the next page; null on the last page."
    )


class GapReason(BaseModel):
    """Why one event puts a lead on the list, in words."""

    event: Entity
    dates: str | None = Field(None, description="The event's dates; null when it has none.")
    reasons: list[str] = Field(
        description="Each link from the lead to the event, in words: the attribution and who "
        "makes it, a command post or a unit in the chain of command at the event's dates, and "
        "how certain that is."
    )


class Gap(BaseModel):
    """A lead, not a finding: a person or unit that the graph's sources link to an attributed
    event and that no sanction in the graph names."""

    entity: Entity
    events: list[str] = Field(description="Every event that puts it on the list (ids).")
    reasons: list[GapReason] = Field(
        description="Why it is listed, event by event, oldest first, for its first 100 "
        "events; any others are in `events` and counted in `reasons_not_shown`."
    )
    reasons_not_shown: int = Field(
        0, description="Events in `events` whose reasons are left out to bound the answer."
    )


class StatRow(BaseModel):
    key: str
    label: str | None = None
    events: int
    killed: int


class Stats(BaseModel):
    group_by: str
    source: str | None = None
    rows: list[StatRow]


class Link(BaseModel):
    relationship: str
    target: Entity


class TimelineEntry(BaseModel):
    """A dated claim naming a record: when, what kind, and its evidence."""

    date: str | None
    claim: Entity
    what: str | None = None
    event: str | None = Field(None, description="The event the claim is about, if any.")
    citations: list[Citation] = []


class EntityDetail(BaseModel):
    """Any record: its facts, their citations, what it links to, and the claims about it."""

    entity: Entity
    facts: dict[str, str | int | bool | list[str] | None]
    citations: list[Citation]
    links: list[Link]
    claims: list[Entity] = Field(
        description="One page of the claims (attributions, postings, counts…) naming it."
    )
    timeline: list[TimelineEntry] = Field(
        [],
        description="This page's claims naming it (a place's: and events there), oldest first; "
        "undated ones last.",
    )
    offset: int = Field(0, description="How many claims naming it come before this page.")
    limit: int = Field(100, description="At most this many claims (a place's: and events).")
    more: bool = Field(False, description="Whether more claims come after this page.")
    next_offset: int | None = Field(
        None, description="The `offset` that asks for the next page; null on the last page."
    )


class UnitPost(BaseModel):
    """Someone posted to a unit in a role, for a cited interval."""

    person: Entity
    role: str | None = None
    title: str | None = None
    rank: str | None = None
    tenure: Interval
    citations: list[Citation]


class UnitLink(BaseModel):
    """A unit above or below another by a relation of its kind, for a cited interval."""

    unit: Entity
    relation: str
    tenure: Interval
    citations: list[Citation]


class UnitProfile(BaseModel):
    """A unit over time, as WhoWasInCommand shows one: its commanders, everyone else posted
    to it, the units above and below it, and the latest date its evidence covers."""

    unit: Entity
    commanders: list[UnitPost]
    others_posted: list[UnitPost]
    superiors: list[UnitLink]
    subordinates: list[UnitLink]
    latest: str | None = Field(
        None,
        description="The latest date a posting, relation or attributed event of the unit "
        "is cited for: the date its page shows the chain at unless asked for another.",
    )


class Commanders(BaseModel):
    unit: Entity
    at: DateValue
    commanders: list[Commander]


class SearchResults(BaseModel):
    results: list[SearchHit]


class SanctionList(BaseModel):
    sanctions: list[Sanction]


class GapList(BaseModel):
    """The accountability gap, a page at a time, with what it is and what it covers."""

    notice: str = Field(description="What the list is: leads for investigation, not findings.")
    gaps: list[Gap]
    total: int
    limit: int
    offset: int
    events: int = Field(description="The attributed events read: every one the viewer may see.")
    truncated: bool = Field(description="True when a bound was reached: `truncated_because`.")
    truncated_because: list[str] = Field(
        [], description="Each bound reached, in words, and what may be missing because of it."
    )


class PathList(BaseModel):
    paths: list[Path]
