"""The public role's reads withhold any quote naming a restricted person, with the names read
once per graph version (a person restricted after a read is withheld from the next one) and
page after page (none is left out past a page's limit). A request's statements share one read
transaction, which a dropped connection or a failed statement does not leave broken."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph.db import queries, reader
from graph.db.reader import Reader
from graph.db.settings import Settings
from graph.db.store import connect
from graph.errors import QueryError
from loaders import pipeline
from loaders.records import read_paths
from ontology.model import load as load_ontology
from ontology.terms import Prop
from tests.graph.reads.counting import run

SOURCE = "source:reader-report"
QUOTE = "Hassan Nadir was questioned by Karim Zahed at the checkpoint"


def load(settings: Settings, folder: Path, name: str, records: list[dict[str, Any]]) -> None:
    path = folder / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    pipeline.load(settings, load_ontology(), read_paths([path]))


def person(person_id: str, name: str, quote: str, **extra: Any) -> dict[str, Any]:
    cite = [{"source": SOURCE, "locator": "p. 2", "quote": quote}]
    return {"type": "Person", "id": person_id, "name": name, "citations": cite, **extra}


def public_quotes(settings: Settings) -> dict[str, str]:
    """What a new public reader (one request's) is told each record citing SOURCE quotes."""

    async def read(reader: Reader) -> dict[str, str]:
        rows = await reader.rows(queries.SOURCE_CLAIMS, source=SOURCE, offset=0, limit=10)
        return {row["record"]["id"]: row["quote"] for row in rows}

    return run(settings, read)


def test_a_person_restricted_after_a_public_read_is_withheld_from_the_next(
    driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    source = {"type": "Source", "id": SOURCE, "name": "Reader report", "kind": "report"}
    load(settings, tmp_path, "first", [source, person("person:nadir", "Hassan Nadir", QUOTE)])
    assert public_quotes(settings) == {"person:nadir": QUOTE}

    witness = person("person:zahed", "Karim Zahed", "Karim Zahed spoke", restricted=True)
    load(settings, tmp_path, "second", [witness])

    assert public_quotes(settings) == {"person:nadir": queries.WITHHELD}


def test_every_restricted_name_is_withheld_however_many_pages_they_take(
    driver: Driver, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "MAX_HIDDEN_NAMES", 1)  # one witness a round trip
    witnesses = [("person:zahed", "Karim Zahed"), ("person:sabbagh", "Lina Sabbagh")]
    quotes = {
        f"person:named-{n}": f"Nadir spoke to {name} at the checkpoint"
        for n, (_, name) in enumerate(witnesses)
    }
    load(
        settings,
        tmp_path,
        "witnesses",
        [
            {"type": "Source", "id": SOURCE, "name": "Reader report", "kind": "report"},
            *(person(i, name, f"{name} spoke", restricted=True) for i, name in witnesses),
            *(person(i, f"Hassan Nadir {i[-1]}", quote) for i, quote in quotes.items()),
        ],
    )

    assert public_quotes(settings) == dict.fromkeys(quotes, queries.WITHHELD)


# The transaction and the Bolt connection a statement runs in, as Neo4j lists them.
OWN_TRANSACTION = (
    "SHOW TRANSACTIONS YIELD transactionId, connectionId, currentQuery "
    "WHERE currentQuery STARTS WITH 'SHOW TRANSACTIONS' "
    "RETURN transactionId AS transaction, connectionId AS connection"
)


async def own_transaction(reader: Reader) -> dict[str, str]:
    (row,) = await reader.rows(OWN_TRANSACTION)
    return row


def test_a_requests_statements_share_one_read_transaction(settings: Settings) -> None:
    async def read(reader: Reader) -> tuple[list[str], list[str]]:
        apart = [(await own_transaction(reader))["transaction"] for _ in range(2)]
        async with reader.one_transaction():
            together = [(await own_transaction(reader))["transaction"] for _ in range(2)]
        return apart, together

    apart, together = run(settings, read)
    assert apart[0] != apart[1]
    assert together[0] == together[1]
    assert together[0] not in apart


def test_a_failed_statement_leaves_the_next_one_a_new_transaction(settings: Settings) -> None:
    async def read(reader: Reader) -> tuple[str, str]:
        async with reader.one_transaction():
            before = (await own_transaction(reader))["transaction"]
            with pytest.raises(QueryError, match="ArithmeticError"):
                await reader.rows("RETURN 1 / 0 AS never")
            return before, (await own_transaction(reader))["transaction"]

    before, after = run(settings, read)
    assert before != after


def test_a_statement_whose_connection_dropped_is_tried_again_on_another(
    settings: Settings,
) -> None:
    """As a managed transaction would be: the request's transaction is lost with its
    connection, and the statement runs again in a new one."""

    async def read(reader: Reader) -> tuple[dict[str, str], dict[str, str]]:
        async with reader.one_transaction():
            before = await own_transaction(reader)
            with connect(settings) as other:
                other.execute_query("CALL dbms.killConnection($id)", {"id": before["connection"]})
            return before, await own_transaction(reader)

    before, after = run(settings, read)
    assert after["connection"] != before["connection"]
    assert after["transaction"] != before["transaction"]


def test_rows_come_back_as_the_drivers_own_conversion_gives_them(
    default_dataset: Driver, settings: Settings
) -> None:
    """`reader.plain` skips `Record.data()`'s checks, not its answer: nested maps and lists,
    nodes, relationships, paths, dates and nulls come back the same."""
    statement = """
    MATCH path = (a)-[r]->(b) WITH a, r, b, path LIMIT 3
    RETURN a, r, path, [a, {inner: [b, date('2012-08-01'), null]}] AS nested,
           {n: 1, f: 0.5, t: true, s: 'x', d: datetime('2012-08-01T10:00:00Z')} AS scalars
    """
    records = default_dataset.execute_query(statement, database_=settings.neo4j_database).records
    assert len(records) == 3
    for record in records:
        assert reader.plain(record) == record.data()
        assert isinstance(reader.plain(record)["a"], dict)  # a node: its properties


def test_a_text_is_withheld_exactly_when_it_contains_a_restricted_name(
    settings: Settings,
) -> None:
    """Texts that `queries.redacted` wraps for the public role come back withheld exactly when
    looking for every name in them would find one, whatever the names' lengths and scripts and
    wherever a name stands, and never for a text holding only part of one; other roles get
    every text as it is."""
    rng = random.Random(14)
    letters = "abcdefghij ABCDE -'" + "محمدعليحسن" + "😀\U0001d538"
    names = {"".join(rng.choices(letters, k=rng.randint(1, 12))) for _ in range(400)}
    names |= {"Karim Zahed", "Zahed", "Abu Ali", "علي", "K", "😀", "Ali 😀"}
    listed = sorted(names)
    texts = []
    for _ in range(1500):
        text = "".join(rng.choices(letters, k=rng.randint(0, 40)))
        name = rng.choice(listed)
        cut = rng.choice([name, name[:-1], name[1:]])  # whole, or a part that may not do
        at = rng.randint(0, len(text))
        texts.append(text[:at] + cut + text[at:])
    texts += listed + [name[:-1] for name in listed]
    statement = (
        "UNWIND $texts AS t WITH {quote: t} AS q RETURN "
        + queries.redacted("q", Prop.QUOTE)
        + " AS shown"
    )

    def shown(public: bool) -> list[str]:
        with connect(settings) as driver:
            found = driver.execute_query(
                statement, texts=texts, public=public, database_=settings.neo4j_database
            )
        restricted = reader.RestrictedNames(names)
        return [reader.plain(record, restricted)["shown"] for record in found.records]

    expected = [queries.WITHHELD if any(n in t for n in names) else t for t in texts]
    assert shown(public=True) == expected
    assert 0 < expected.count(queries.WITHHELD) < len(texts)
    assert shown(public=False) == texts
