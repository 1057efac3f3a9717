"""Opening drivers and running the graph's reads and writes over Bolt.

Ready for a cluster (docs/scale.md): every read and write that may be retried is a managed
transaction (`execute_query`, `execute_read`, `execute_write`), which the driver retries on
transient errors and leader changes; every session shares the driver's bookmark manager, so a
read follows the writes made before it through the same driver, on whichever member serves it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import neo4j
from neo4j import (
    AsyncDriver,
    AsyncGraphDatabase,
    Driver,
    GraphDatabase,
    RoutingControl,
    Session,
)
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired

from graph.db import queries
from graph.db.settings import Settings
from graph.errors import (
    CredentialsRejectedError,
    GraphUnavailableError,
    QueryError,
    SchemaMissingError,
)
from ontology.model import Ontology, load

# Short timeouts so an unreachable server is reported in seconds, not minutes.
DRIVER_OPTIONS: dict[str, Any] = {
    "connection_timeout": 5.0,
    "connection_acquisition_timeout": 10.0,
    "max_transaction_retry_time": 2.0,
    # Counting a label no node has yet is expected; its notification would only be noise.
    "notifications_min_severity": "OFF",
}
UNAVAILABLE = (ServiceUnavailable, SessionExpired, OSError)
# Neo4j's own words are kept only where they cannot quote a value: compile-time errors, which
# quote the statement at a (line, column) position, and codes whose text names only parameters
# or limits. Others (a date that does not parse, a bad LIMIT, a constraint broken) can quote a
# parameter value, and parameters can hold restricted names.
_POSITIONED = re.compile(r"\(line \d+, column \d+ \(offset: \d+\)\)")
_VALUE_FREE_CODES = frozenset(
    {
        "Neo.ClientError.Statement.ParameterMissing",
        "Neo.ClientError.Statement.AccessMode",
        "Neo.ClientError.Transaction.TransactionTimedOut",
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
        "Neo.TransientError.Transaction.Terminated",
        "Neo.TransientError.General.MemoryPoolOutOfMemoryError",
        "Neo.TransientError.General.OutOfMemoryError",
    }
)


def _auth(settings: Settings) -> tuple[str, str]:
    if settings.neo4j_password is None:
        raise CredentialsRejectedError(
            f"No Neo4j password: run `silsila db start` (it records one in "
            f"{settings.connection_file}) or set SILSILA_NEO4J_PASSWORD."
        )
    return settings.neo4j_user, settings.neo4j_password.get_secret_value()


def unavailable(settings: Settings, error: Exception) -> GraphUnavailableError:
    """The error to raise when Bolt does not answer; names the URI, never the password."""
    return GraphUnavailableError(
        f"Neo4j is not reachable at {settings.bolt_uri} ({type(error).__name__}). "
        "Start it with `silsila db start`."
    )


def rejected(settings: Settings, error: AuthError) -> CredentialsRejectedError:
    """The error to raise when Neo4j refuses the credentials."""
    return CredentialsRejectedError(
        f"Neo4j at {settings.bolt_uri} refused the credentials for user "
        f"{settings.neo4j_user!r} ({error.code}). Check {settings.connection_file} "
        "or SILSILA_NEO4J_PASSWORD."
    )


# How Neo4j says our name index does not exist (a database nothing was loaded into).
_NO_SUCH_INDEX = f"There is no such fulltext schema index: {queries.NAME_SEARCH_INDEX}"


@contextmanager
def translated_errors(settings: Settings) -> Iterator[None]:
    """Turn the driver's errors into the graph package's own, keeping the cause."""
    try:
        yield
    except AuthError as e:
        raise rejected(settings, e) from e
    except UNAVAILABLE as e:
        raise unavailable(settings, e) from e
    except Neo4jError as e:
        if _NO_SUCH_INDEX in (e.message or ""):
            raise SchemaMissingError(
                "The graph has no name index yet: load records first (`silsila load`)."
            ) from e
        raise QueryError(f"Neo4j refused a statement: {described(e)}") from e


def described(error: Neo4jError) -> str:
    """`code: message`, or the code alone when Neo4j's message could quote a value."""
    if value_free(error):
        return f"{error.code}: {error.message}"
    return f"{error.code} (Neo4j's message is withheld: it can quote parameter values)"


def value_free(error: Neo4jError) -> bool:
    """Whether Neo4j's message for `error` is of a kind that never quotes a value."""
    return error.code in _VALUE_FREE_CODES or bool(_POSITIONED.search(error.message or ""))


@contextmanager
def connect(settings: Settings) -> Iterator[Driver]:
    """A driver for the configured Neo4j, closed on exit."""
    driver = GraphDatabase.driver(settings.bolt_uri, auth=_auth(settings), **DRIVER_OPTIONS)
    try:
        yield driver
    finally:
        driver.close()


def open_async_driver(settings: Settings) -> AsyncDriver:
    """The API's one async driver; the caller closes it."""
    return AsyncGraphDatabase.driver(settings.bolt_uri, auth=_auth(settings), **DRIVER_OPTIONS)


def session(driver: Driver, settings: Settings, **options: Any) -> Session:
    """A session on the configured database that reads after, and is read after, every other
    transaction of DRIVER: sessions and `execute_query` share the driver's bookmark manager."""
    return driver.session(
        database=settings.neo4j_database,
        bookmark_manager=driver.execute_query_bookmark_manager,
        **options,
    )


@dataclass(frozen=True)
class ServerInfo:
    """What Neo4j says about itself."""

    version: str
    edition: str


def read(driver: Driver, settings: Settings, query: str, **params: Any) -> list[neo4j.Record]:
    """Run a read with READ routing, translating driver errors into the graph's own."""
    with translated_errors(settings):
        result = driver.execute_query(
            query, params, database_=settings.neo4j_database, routing_=RoutingControl.READ
        )
    return list(result.records)


def server_info(settings: Settings) -> ServerInfo:
    """Neo4j's version and edition; raises GraphUnavailableError when Bolt does not answer.

    An auto-commit read, not execute_query: a probe must fail at once, not retry.
    """
    with (
        connect(settings) as driver,
        translated_errors(settings),
        driver.session(
            database=settings.neo4j_database, default_access_mode=neo4j.READ_ACCESS
        ) as session,
    ):
        record = session.run(queries.SERVER_VERSION).single(strict=True)
    return ServerInfo(version=record["version"], edition=record["edition"])


def server_version(settings: Settings) -> str:
    """Neo4j's version string."""
    return server_info(settings).version


def apply_schema(driver: Driver, settings: Settings, ontology: Ontology) -> list[str]:
    """Create those of the ontology's constraints and indexes that are missing (one read when
    none is: every load and import starts here); returns the statements run."""
    with translated_errors(settings):
        existing = {
            record["name"]
            for show in queries.SCHEMA_NAMES
            for record in driver.execute_query(show, database_=settings.neo4j_database).records
        }
        statements = [
            statement
            for name, statement in queries.named_schema(ontology).items()
            if name not in existing
        ]
        for statement in statements:
            driver.execute_query(statement, database_=settings.neo4j_database)
    return statements


def node_count(driver: Driver, settings: Settings) -> int:
    """How many nodes the database holds (from the count store: no scan)."""
    return int(read(driver, settings, queries.NODE_COUNT)[0]["nodes"])


def await_indexes(driver: Driver, settings: Settings, seconds: int) -> None:
    """Wait until every index is online (a bulk import creates them over a full store)."""
    with translated_errors(settings):
        driver.execute_query(
            queries.AWAIT_INDEXES, seconds=seconds, database_=settings.neo4j_database
        )


def counts_by_label(driver: Driver, settings: Settings, labels: Sequence[str]) -> dict[str, int]:
    """Node count for each label."""
    record = read(driver, settings, queries.count_by_label(labels))[0]
    counts: Mapping[str, int] = record["counts"]
    return dict(counts)


def delete_all(driver: Driver, settings: Settings) -> None:
    """Empty the database (keeps constraints and indexes).

    Auto-commit, so not retried: `CALL {} IN TRANSACTIONS` cannot run in a managed
    transaction. Deleting again after a failure is safe."""
    with translated_errors(settings), session(driver, settings) as emptying:
        for statement in queries.DELETE_ALL:
            emptying.run(statement).consume()


def labels_of_ids(driver: Driver, settings: Settings, ids: Sequence[str]) -> dict[str, set[str]]:
    """The labels of the graph's nodes with these ids (absent ids are left out)."""
    query = queries.labels_of_ids(load().root_labels)
    records = read(driver, settings, query, ids=list(ids), limit=len(ids))
    return {r["id"]: set(r["labels"]) for r in records}


def cited_sources_by_label(
    driver: Driver, settings: Settings, ids_by_label: Mapping[str, Sequence[str]]
) -> dict[str, set[str]]:
    """For those ids already in the graph under the label they are listed with, the ids of the
    sources each one cites: one read transaction, one index lookup per label."""

    def cited(tx: neo4j.ManagedTransaction) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for label, ids in sorted(ids_by_label.items()):
            for record in tx.run(queries.cited_sources_of(label), ids=list(ids)):
                found[record["id"]] = set(record["sources"])
        return found

    if not any(ids_by_label.values()):
        return {}
    with translated_errors(settings), session(driver, settings) as reading:
        return reading.execute_read(cited)
