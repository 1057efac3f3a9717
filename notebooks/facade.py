"""A synchronous facade over the graph's async reads, for analysts working in notebooks.

Jupyter already runs an event loop in the kernel's main thread, so neither `asyncio.run` nor
`run_until_complete` can be used there. The facade owns an event loop in a background thread,
opens its async driver on that loop, and waits for each answer. Every answer comes from a
`graph/` function (there is no Cypher here): tables as pandas DataFrames, nested answers as
the Pydantic models the API returns.

    with Silsila() as s:
        s.casualties("event:darayya-massacre-2012")
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import pandas as pd  # type: ignore[import-untyped]
from IPython.display import HTML
from neo4j import AsyncDriver

from graph.asof import PartialDate, holds_at
from graph.db import queries, store
from graph.db.reader import Reader
from graph.db.settings import CONNECTION_FILE, Settings
from graph.errors import ConnectionClosedError
from graph.reads import (
    casefile,
    command,
    entities,
    events,
    explore,
    exposure,
    gaps,
    models,
    reports,
    sanctions,
    search,
    views,
)
from graph.reads.rows import interval
from graph.render import network_html

T = TypeVar("T")

NOBODY = "No command post (commander or head) on record holds at this date."
VIEW_HEIGHT = 820  # the drawing (640px) with its title and legend above it


def default_settings(start: Path | None = None) -> Settings:
    """Settings as the CLI reads them, but found from a notebook's folder too.

    Settings look for `.silsila/connection.json` in the working directory, while a notebook
    runs in `notebooks/`. Unless a password or a state folder is configured, the nearest
    folder above that holds a connection file is used, so the notebook finds the password
    `silsila db start` recorded.
    """
    settings = Settings()
    if settings.neo4j_password is not None or "state_dir" in settings.model_fields_set:
        return settings
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        state = folder / ".silsila"
        if (state / CONNECTION_FILE).is_file():
            return Settings(state_dir=state)
    return settings


class _Loop:
    """An event loop of our own in a daemon thread; callers block on each coroutine."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="silsila-notebook", daemon=True
        )
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()  # an interrupted cell stops its read too
            raise

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


async def _open(settings: Settings) -> AsyncDriver:
    """The driver, opened on the facade's loop and checked, so a bad connection fails first."""
    driver = store.open_async_driver(settings)
    try:
        with store.translated_errors(settings):
            await driver.verify_connectivity()
    except BaseException:
        await driver.close()
        raise
    return driver


def view(network: views.Network, height: int = VIEW_HEIGHT) -> HTML:
    """A network drawn inline: `network_html.inline` in a sandboxed iframe (`embed`), so two
    views in one notebook do not share element ids and nothing is fetched.

    The div keeps IPython from warning that a bare iframe should be an `IFrame`.
    """
    return HTML(f"<div>{network_html.embed(network, height)}</div>")  # type: ignore[no-untyped-call]


def _sources(citations: list[models.Citation]) -> str:
    """The documents that say so, each once."""
    return " | ".join(dict.fromkeys(c.source_name or c.source for c in citations))


def _evidence(citations: list[models.Citation]) -> str:
    """Where each document says so, and its words."""
    return " | ".join(f"[{c.locator or 'no locator'}] “{c.quote or ''}”" for c in citations)


def _name(entity: models.Entity | None) -> str | None:
    return None if entity is None else entity.name or entity.id


def _date(text: str | None) -> PartialDate | None:
    """An analyst's date (YYYY, YYYY-MM or YYYY-MM-DD), parsed as the API parses it."""
    return None if text is None else PartialDate.parse(text)


def _certainty(as_of: models.AsOf | None) -> str | None:
    """A certainty as the word a table shows: certain, possible or no."""
    return None if as_of is None else as_of.certainty.value


def _table(rows: Iterable[dict[str, Any]], columns: str) -> pd.DataFrame:
    """A DataFrame with COLUMNS (space-separated) even when empty, so "nobody on record"
    still reads as a table with its headings. Counts become nullable integers: a missing
    figure shows as <NA>, never as 0 or as a float."""
    return pd.DataFrame(list(rows), columns=columns.split()).convert_dtypes()


class Silsila:
    """The graph for an analyst: one async driver on a loop of its own, answers in the
    caller's thread. `public=True` reads as the API's public role (restricted identities
    filtered inside every query); the default reads as an investigator."""

    def __init__(self, settings: Settings | None = None, public: bool = False) -> None:
        self.settings = settings if settings is not None else default_settings()
        self.public = public
        self._loop = _Loop()
        try:
            self._driver = self._loop.run(_open(self.settings))
        except BaseException:
            self._loop.close()
            raise
        self._reader = Reader(self._driver, self.settings, public=public)
        self._closed = False

    def close(self) -> None:
        """Close the driver and stop the loop; later calls raise."""
        if self._closed:
            return
        self._closed = True
        try:
            self._loop.run(self._driver.close())
        finally:
            self._loop.close()

    def __enter__(self) -> Silsila:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._closed:
            coro.close()
            raise ConnectionClosedError(
                "This Silsila connection is closed; open another with Silsila()."
            )
        return self._loop.run(coro)

    # Finding things

    def search(self, text: str, types: list[str] | None = None, limit: int = 20) -> pd.DataFrame:
        """Names and aliases, Latin and Arabic script, tolerant of transliteration."""
        hits = self._run(search.find_by_name(self._reader, text, types or [], limit))
        return _table(
            (
                {
                    "id": h.id,
                    "type": h.type,
                    "name": h.name,
                    "aliases": ", ".join(h.aliases),
                    "score": h.score,
                }
                for h in hits
            ),
            "id type name aliases score",
        )

    def entity(self, node_id: str) -> models.EntityDetail:
        """Any record: its facts, their citations, its links and the claims naming it."""
        return self._run(entities.entity_detail(self._reader, node_id))

    def source_claims(self, source_id: str, limit: int = 100) -> pd.DataFrame:
        """What one source asserts: each record it is cited for, with locator and quote."""
        found = self._run(explore.source_claims(self._reader, source_id, limit))
        return _table(
            (
                {
                    "record": _name(c.record),
                    "type": c.record.type,
                    "locator": c.locator,
                    "quote": c.quote,
                    "record_id": c.record.id,
                }
                for c in found.claims
            ),
            "record type locator quote record_id",
        )

    def bibliography(self, subject_id: str) -> pd.DataFrame:
        """The sources a person's or event's case file cites, with how often and their grade."""
        case = self._run(casefile.build(self._reader, subject_id))
        return _table(
            (b.model_dump() for b in case.bibliography),
            "source name reliability citations",
        )

    # Events

    def events(
        self,
        *,
        date_from: str | None = None,
        date_to: str | None = None,
        place: str | None = None,
        perpetrator: str | None = None,
        include_subordinates: bool = False,
        kind: str | None = None,
        min_killed: int | None = None,
        source: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> pd.DataFrame:
        """Events matching every filter given, oldest first (the API's `GET /events`)."""
        where = events.EventFilter(
            _date(date_from),
            _date(date_to),
            place,
            perpetrator,
            include_subordinates,
            kind,
            min_killed,
            source,
        )
        page = self._run(events.events(self._reader, where, limit, offset))
        return _table(
            (
                {
                    "id": e.id,
                    "name": e.name,
                    "kinds": ", ".join(e.kinds),
                    "start": e.start,
                    "end": e.end,
                    "place": _name(e.place),
                    "max_killed": e.max_killed,
                }
                for e in page.items
            ),
            "id name kinds start end place max_killed",
        )

    def casualty_estimates(self, event_id: str) -> models.Casualties:
        """Every figure for the event and the range over whole-event counts."""
        return self._run(events.casualty_estimates(self._reader, event_id))

    def casualties(self, event_id: str) -> pd.DataFrame:
        """Every figure side by side, one row each, never averaged; `whole_event` marks the
        counts the range (`casualty_estimates(...).low/high`) is taken over."""
        found = self.casualty_estimates(event_id)
        return _table(
            (
                {
                    "claimed_by": _name(e.claimed_by),
                    "killed": e.killed,
                    "children": e.children,
                    "women": e.women,
                    "wounded": e.wounded,
                    "named": e.named,
                    "kind": e.kind,
                    "as_of": e.as_of,
                    "scope": e.scope,
                    "whole_event": e.killed is not None and e.scope is None,
                    "source": _sources(e.citations),
                    "evidence": _evidence(e.citations),
                    "id": e.id,
                }
                for e in found.estimates
            ),
            "claimed_by killed children women wounded named kind as_of scope whole_event"
            " source evidence id",
        )

    def accountability(self, event_id: str) -> models.Accountability:
        """Attributions, each attributed unit's chain at the event's dates, linked persons,
        and sanctions on anyone who appears."""
        return self._run(events.event_accountability(self._reader, event_id))

    def attributions(self, event_id: str) -> pd.DataFrame:
        """Who is alleged to have done what, and who says so: each row is a claim."""
        found = self._run(events.attributions_of(self._reader, event_id))
        return _table(
            (
                {
                    "actor": _name(a.actor),
                    "actor_type": a.actor.type,
                    "role": a.role,
                    "claimed_by": _name(a.claimed_by),
                    "confidence": a.confidence,
                    "hedge": a.hedge,
                    "source": _sources(a.citations),
                    "evidence": _evidence(a.citations),
                    "actor_id": a.actor.id,
                    "id": a.id,
                }
                for a in found
            ),
            "actor actor_type role claimed_by confidence hedge source evidence actor_id id",
        )

    def stats(self, group_by: str = "party", source: str | None = None) -> pd.DataFrame:
        """Events and whole-event death tolls by party, governorate or month, optionally only
        the events one source describes."""
        found = self._run(events.event_stats(self._reader, group_by, source))
        return _table((r.model_dump() for r in found.rows), "key label events killed")

    def compare_report(self, source_id: str) -> pd.DataFrame:
        """A report's own summary figures beside what its incidents add up to; `agrees` is
        False where they differ. Both stay in the graph; this only sets them side by side."""
        with store.connect(self.settings) as driver:
            found = reports.compare_report(driver, self.settings, source_id)
        return _table(
            (
                {
                    "table": f.table,
                    "party": f.party,
                    "governorate": f.governorate,
                    "category": f.category,
                    "measure": f.measure,
                    "reported": f.reported,
                    "computed": f.computed,
                    "agrees": f.agrees,
                    "figure": f.figure,
                }
                for f in found
            ),
            "table party governorate category measure reported computed agrees figure",
        )

    # Command at a date

    def commanders(self, unit_id: str, at: str) -> pd.DataFrame:
        """Who held a command post (commander or head) in the unit at AT, certain ones first;
        an empty table means nobody on record."""
        found = self._run(command.commanders_at(self._reader, unit_id, PartialDate.parse(at)))
        return _table((_commander_row(c) for c in found), COMMANDER_COLUMNS)

    def commanders_over_time(self, unit_id: str, dates: Iterable[str]) -> pd.DataFrame:
        """`commanders` at each date, one table; a date with nobody on record gets a row
        saying so, so the dates without an answer stay visible."""
        rows: list[dict[str, Any]] = []
        for at in dates:
            found = self._run(command.commanders_at(self._reader, unit_id, PartialDate.parse(at)))
            if not found:
                rows.append({"at": at, "certainty": "no", "reason": NOBODY})
            rows += [{"at": at, **_commander_row(c)} for c in found]
        return _table(rows, f"at {COMMANDER_COLUMNS}")

    def career(self, person_id: str, at: str | None = None) -> pd.DataFrame:
        """A person's postings with their cited dates; with AT, whether each held then and
        why (the same rule the commanders and chains use)."""
        found = self._run(exposure.person_exposure(self._reader, person_id))
        when = PartialDate.parse(at) if at else None
        rows = []
        for p in found.timeline:
            row: dict[str, Any] = {
                "organization": _name(p.organization),
                "role": p.role,
                "title": p.title,
                "first_cited": p.tenure.first_cited,
                "last_cited": p.tenure.last_cited,
                "first_cited_is_start": p.tenure.first_cited_is_start,
                "open_ended": p.tenure.open_ended,
            }
            if when is not None:
                answer = holds_at(interval(p.tenure.model_dump()), when)
                row |= {"certainty": answer.certainty.value, "reason": answer.reason}
            row |= {"source": _sources(p.citations), "evidence": _evidence(p.citations)}
            rows.append(row)
        columns = "organization role title first_cited last_cited first_cited_is_start open_ended"
        columns += " certainty reason" if when is not None else ""
        return _table(rows, f"{columns} source evidence")

    def chain_of_command(self, unit_id: str, at: str) -> models.Chain:
        """The unit and its superiors as they stood at AT (the API's model)."""
        return self._run(command.chain_of_command(self._reader, unit_id, PartialDate.parse(at)))

    def chain(self, unit_id: str, at: str, max_depth: int = queries.MAX_DEPTH) -> pd.DataFrame:
        """One row per level, from the unit upward: how it hangs below the previous level at
        AT, and who commanded it then; `gap` marks a level with nobody on record, `also_under`
        the other superiors that held then too, `ambiguity` what the sources disagree on."""
        found = self._run(
            command.chain_of_command(self._reader, unit_id, PartialDate.parse(at), max_depth)
        )
        return _table(
            (
                {
                    "depth": level.depth,
                    "unit": _name(level.unit),
                    "relation": level.relation,
                    "relation_certainty": _certainty(level.relation_as_of),
                    "relation_reason": level.relation_as_of and level.relation_as_of.reason,
                    "commanders": "; ".join(
                        f"{_name(c.person)} ({c.role}, {c.certainty})" for c in level.commanders
                    ),
                    "gap": level.gap,
                    "also_under": "; ".join(
                        f"{_name(o.unit)} ({o.relation_as_of.certainty.value})"
                        for o in level.also_under
                    ),
                    "ambiguity": " ".join(level.ambiguity),
                    "source": _sources(level.citations),
                    "unit_id": level.unit.id,
                }
                for level in found.levels
            ),
            "depth unit relation relation_certainty relation_reason commanders gap also_under "
            "ambiguity source unit_id",
        )

    # Sanctions and the accountability gap

    def sanctions(
        self,
        entity: str | None = None,
        authority: str | None = None,
        program: str | None = None,
    ) -> pd.DataFrame:
        """Sanctions, by who is sanctioned, which authority (id or name) and program."""
        found = self._run(
            sanctions.sanctions(
                self._reader,
                entities=[entity] if entity else None,
                authority=authority,
                program=program,
            )
        )
        return _table(
            (
                {
                    "entity": _name(s.entity),
                    "entity_type": s.entity.type,
                    "authority": _name(s.authority),
                    "program": s.program,
                    "listing_date": s.listing_date,
                    "start_date": s.start_date,
                    "end_date": s.end_date,
                    "reason": s.reason,
                    "source": _sources(s.citations),
                    "evidence": _evidence(s.citations),
                    "entity_id": s.entity.id,
                    "id": s.id,
                }
                for s in found
            ),
            "entity entity_type authority program listing_date start_date end_date reason"
            " source evidence entity_id id",
        )

    def gaps(self) -> pd.DataFrame:
        """Leads, not findings: the people and units that the graph's sources link to
        attributed events and that no sanction in the graph names, with why (`gaps.NOTICE`)."""
        found = self._run(gaps.unsanctioned_whole(self._reader))
        return _table(
            (
                {
                    "name": _name(g.entity),
                    "type": g.entity.type,
                    "events": len(g.events),
                    "why": " | ".join(f"{r.event.name}: {'; '.join(r.reasons)}" for r in g.reasons),
                    "event_ids": ", ".join(g.events),
                    "id": g.entity.id,
                }
                for g in found.gaps
            ),
            "name type events why event_ids id",
        )

    # Network views

    def event_view(self, event_id: str, limit: int = 200) -> views.Network:
        """An event, who is alleged to have done it (per source), their chains, its place."""
        return self._run(views.event_view(self._reader, event_id, limit))

    def chain_view(self, unit_id: str, at: str) -> views.Network:
        """A unit's chain of command at a date, commanders beside each level."""
        return self._run(views.chain_view(self._reader, unit_id, PartialDate.parse(at)))

    def neighbourhood_view(self, node_id: str, depth: int = 1, limit: int = 100) -> views.Network:
        """A record and what lies within DEPTH links of it."""
        return self._run(views.neighbourhood(self._reader, node_id, depth, limit))

    def exposure_view(self, person_id: str) -> views.Network:
        """A person's postings, the events under their command, direct links, sanctions."""
        return self._run(views.exposure_view(self._reader, person_id))

    def view(self, network: views.Network, height: int = VIEW_HEIGHT) -> HTML:
        """The network drawn inline in the notebook (see the module-level `view`)."""
        return view(network, height)


COMMANDER_COLUMNS = (
    "person role title rank first_cited last_cited certainty reason source evidence person_id"
)


def _commander_row(c: models.Commander) -> dict[str, Any]:
    return {
        "person": _name(c.person),
        "role": c.role,
        "title": c.title,
        "rank": c.rank,
        "first_cited": c.tenure.first_cited,
        "last_cited": c.tenure.last_cited,
        "certainty": _certainty(c.as_of),
        "reason": c.as_of.reason,
        "source": _sources(c.citations),
        "evidence": _evidence(c.citations),
        "person_id": c.person.id,
    }


def connect(settings: Settings | None = None, public: bool = False) -> Silsila:
    """`Silsila(settings, public)`: the default settings are the CLI's (environment, `.env`,
    then `.silsila/connection.json`, looked for from the notebook's folder upward)."""
    return Silsila(settings, public)
