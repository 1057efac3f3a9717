"""Case files are read in a few statements, however many events they hold."""

from __future__ import annotations

from neo4j import Driver

from graph.db.settings import Settings
from graph.reads import casefile
from tests.graph.reads.counting import CountingReader, run

ASSAD = "person:bashar-al-assad"
SHARAA = "person:ahmed-al-sharaa"
KHALIL = "person:qahtan-khalil"


def statements_for(settings: Settings, subject: str) -> tuple[int, int, int]:
    """(events in the case file, dates its chains are drawn at, statements it took to build)."""

    async def build(reader: CountingReader) -> tuple[int, int, int]:
        case = await casefile.build(reader, subject)
        return len(case.events), _dates(case), reader.statements

    return run(settings, build)


def _dates(case: casefile.CaseFile) -> int:
    return sum(1 + len(chain.also_at) for chain in case.chains)


def case_file(settings: Settings, subject: str) -> casefile.CaseFile:
    async def build(reader: CountingReader) -> casefile.CaseFile:
        return await casefile.build(reader, subject)

    return run(settings, build)


def test_a_persons_case_file_takes_as_many_statements_for_many_events_as_for_one(
    default_dataset: Driver, settings: Settings
) -> None:
    statements_for(settings, KHALIL)  # the first case file also hashes the dataset, once
    many_events, _, many = statements_for(settings, ASSAD)
    one_event, _, one = statements_for(settings, SHARAA)
    assert many_events >= 50
    assert one_event == 1
    # One statement reads every event's figures: the count does not follow the number of
    # events (it took two statements per event, 169 for this file before).
    assert many == one, (many, one)


def test_the_chains_of_a_persons_posts_are_read_in_one_statement(
    default_dataset: Driver, settings: Settings
) -> None:
    events, one_chain, statements = statements_for(settings, KHALIL)
    other_events, two_chains, other = statements_for(settings, SHARAA)
    assert (events, other_events) == (1, 1)
    assert (one_chain, two_chains) == (1, 2)
    assert statements == other


def test_a_units_case_file_takes_as_many_statements_for_many_events_as_for_one(
    default_dataset: Driver, settings: Settings
) -> None:
    statements_for(settings, KHALIL)  # the first case file also hashes the dataset, once
    many_events, many_chains, many = statements_for(settings, "org:syrian-government-forces")
    one_event, one_chain, one = statements_for(settings, "org:15th-division")
    assert many_events >= 20
    assert (one_event, one_chain) == (1, 1)
    assert many_chains >= 20, "the acting unit's chain at each dated event's dates"
    assert many == one, (many, one)


def test_a_chain_that_stood_the_same_at_several_dates_is_drawn_once_with_them_all(
    default_dataset: Driver, settings: Settings
) -> None:
    case = case_file(settings, "org:syrian-government-forces")
    drawn = [chain.model_dump_json(exclude={"at", "also_at"}) for chain in case.chains]
    assert len(set(drawn)) == len(drawn), "no chain is drawn twice"
    assert len(drawn) < _dates(case), "the acts under the unit share chains"
    shared = next(chain for chain in case.chains if chain.also_at)
    dates = [shared.at, *shared.also_at]
    assert len(set(dates)) == len(dates)
