"""Running a caller's own Cypher statement, read-only, with a time limit and caps on rows and bytes.

This is the one place where Cypher that is not in `graph/db/queries.py` reaches Neo4j: the point of
`POST /cypher` is to let investigators ask their own questions. The statement is checked before
it runs and is run so that it cannot write even if a check were wrong:

1. one statement only (a `;` may end it, nothing may follow);
2. `EXPLAIN <statement>` must report a read (`query_type == "r"`), and its plan must call no
   procedure outside `ALLOWED_PROCEDURES`, read no CSV, run no `SHOW`/`TERMINATE` command and
   touch no other database;
3. it then runs in a READ-mode transaction (Neo4j itself refuses writes there) and is rolled
   back, never committed.

Bounds: one deadline covers the whole run (EXPLAIN, the statement, streaming the rows and
turning them into JSON), and the transaction carries the same timeout so Neo4j stops too. Rows
are read a few at a time and kept until `max_rows` rows or `max_bytes` bytes of JSON; past a cap
the rest is dropped. Neo4j's own memory caps (`graph/db/runtime.py`) stop a statement whose
operators (collect, ORDER BY, DISTINCT, …) outgrow them.

Parameter values are sent only as parameters and are never logged or put in an error message:
Neo4j's message is passed on only when it cannot quote one (`store.value_free`) and quotes none.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import neo4j
from neo4j import AsyncDriver, AsyncResult
from neo4j.exceptions import Neo4jError
from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import Point
from neo4j.time import Date, DateTime, Duration, Time

from graph.db.settings import Settings
from graph.db.store import translated_errors, value_free
from graph.errors import (
    InvalidRequestError,
    InvalidStatementError,
    QueryError,
    ReadOnlyViolationError,
)

# Procedures a caller may CALL: schema look-ups, the full-text name search, the server version.
ALLOWED_PROCEDURES = frozenset(
    {
        "db.labels",
        "db.relationshipTypes",
        "db.propertyKeys",
        "db.index.fulltext.queryNodes",
        "dbms.components",
        "db.schema.visualization",
    }
)
# Neo4j reports a statement calling these DBMS-mode procedures as "s", not "r"; they only read.
_DBMS_READ_PROCEDURES = frozenset({"dbms.components"})
# Plan operators that read outside the graph or administer the server, though Neo4j calls them
# reads: LOAD CSV (local files, any URL), SHOW … (settings, other callers' transactions and their
# parameters) and TERMINATE TRANSACTIONS.
_BARRED_OPERATORS = ("LoadCSV",)
_BARRED_OPERATOR_PREFIXES = ("Show", "Terminate")

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_ROWS = 1000
DEFAULT_MAX_BYTES = 10 * 1024**2
# Records asked of Neo4j per round trip: past a cap at most this many more are read and dropped,
# and Neo4j never queues hundreds of large records for one caller (it ran out of direct memory
# doing so with 1,001 records of 512 KiB).
FETCH_SIZE = 50
_INT64 = (-(2**63), 2**63 - 1)
# How a withheld Neo4j message is put in words, by the last part of its code.
_HINTS = {
    "SyntaxError": "a value could not be read, such as text that is not a date",
    "TypeError": "a value has a type the statement cannot use there",
    "ArgumentError": "a function or clause was given an argument it cannot take",
    "ArithmeticError": "arithmetic failed, such as a division by zero",
    "SemanticError": "the statement cannot run as written, such as with an invalid pattern",
    "ProcedureCallFailed": "a procedure failed, such as for an index that does not exist",
    "ExecutionFailed": "an expression could not be evaluated, such as with a negative index",
}

Cap = Literal["rows", "bytes"]


@dataclass(frozen=True)
class ReadOnlyResult:
    """Column names, rows of JSON-safe values, and whether (and at which cap) rows were left out."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    truncated_by: Cap | None = None


def statement_digest(statement: str) -> str:
    """The sha256 (hex) of a statement: how the audit log names it without quoting it."""
    return hashlib.sha256(statement.encode("utf-8")).hexdigest()


async def run_read_only(
    driver: AsyncDriver,
    settings: Settings,
    statement: str,
    parameters: Mapping[str, Any],
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ReadOnlyResult:
    """Run a caller's statement if, and only if, it only reads; at most `max_rows` rows and
    `max_bytes` bytes of rows as JSON, all within `timeout_s`.

    Raises ReadOnlyViolationError when the statement would write or uses what is barred,
    InvalidStatementError (a QueryError) when it is malformed, needs a missing parameter, runs
    past `timeout_s` or outgrows Neo4j's memory caps, and GraphUnavailableError when Neo4j does
    not answer.
    """
    if max_rows < 1 or max_bytes < 1:
        raise InvalidRequestError(
            f"Caps must be at least 1, not {max_rows} rows, {max_bytes} bytes"
        )
    check_single_statement(statement)
    check_parameters(parameters)
    params = dict(parameters)
    try:
        # The deadline outside the translation: its TimeoutError is an OSError, which the
        # translation would take for Neo4j being unreachable.
        async with asyncio.timeout(timeout_s):
            with translated_errors(settings):
                return await _run(
                    driver, settings, statement, params, timeout_s, max_rows, max_bytes
                )
    except TimeoutError as e:
        raise _too_slow(timeout_s) from e
    except QueryError as e:
        raise _caller_error(e, timeout_s, params) from e.__cause__


async def _run(
    driver: AsyncDriver,
    settings: Settings,
    statement: str,
    params: dict[str, Any],
    timeout_s: float,
    max_rows: int,
    max_bytes: int,
) -> ReadOnlyResult:
    async with (
        driver.session(
            database=settings.neo4j_database,
            default_access_mode=neo4j.READ_ACCESS,
            fetch_size=FETCH_SIZE,
        ) as session,
        # Left by an error, the transaction rolls back; cancelled at the deadline, the driver
        # drops its connection, which ends the transaction in Neo4j.
        await session.begin_transaction(timeout=timeout_s) as tx,
    ):
        explained = await tx.run(f"EXPLAIN {statement}", params)
        summary = await explained.consume()
        check_plan(summary.query_type, summary.plan, settings.neo4j_database)
        answer = await _rows(await tx.run(statement, params), max_rows, max_bytes)
        # Never commit: a read has nothing to keep, and anything else is discarded.
        await tx.rollback()
    return answer


async def _rows(result: AsyncResult, max_rows: int, max_bytes: int) -> ReadOnlyResult:
    """Rows as JSON-safe values until a cap; their JSON is counted as it would be sent."""
    columns = list(result.keys())
    rows: list[list[Any]] = []
    size = 0
    async for record in result:
        if len(rows) == max_rows:
            return ReadOnlyResult(columns, rows, truncated=True, truncated_by="rows")
        row = [to_json(value) for value in record.values()]
        size += json_size(row, max_bytes - size) + 1  # and the comma after it
        if size > max_bytes:
            return ReadOnlyResult(columns, rows, truncated=True, truncated_by="bytes")
        rows.append(row)
    return ReadOnlyResult(columns, rows, truncated=False)


def json_size(value: Any, limit: int) -> int:
    """Bytes of `value` as compact UTF-8 JSON, as the API writes it; or, when its text alone
    is longer than `limit`, a number past `limit`, found without writing a copy of it."""
    if _text_length(value) > limit:
        return limit + 1
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return len(text.encode("utf-8"))


def _text_length(value: Any) -> int:
    """Characters in the strings of `value`: fewer than the bytes of its JSON."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return sum(_text_length(v) for v in value)
    if isinstance(value, dict):
        return sum(len(k) + _text_length(v) for k, v in value.items())
    return 0


def _too_slow(timeout_s: float) -> InvalidStatementError:
    return InvalidStatementError(
        f"The statement ran longer than {timeout_s:g} s and was stopped; "
        "narrow the MATCH, or add a LIMIT."
    )


def _caller_error(
    error: QueryError, timeout_s: float, parameters: Mapping[str, Any]
) -> InvalidStatementError | ReadOnlyViolationError:
    """Name a refused statement as the caller's problem, in words saying what to change and
    never quoting a parameter's value."""
    code = getattr(error.__cause__, "code", None) or ""
    if "TransactionTimedOut" in code or code.endswith("Transaction.Terminated"):
        return _too_slow(timeout_s)
    if code.endswith("OutOfMemoryError"):
        return InvalidStatementError(
            "The statement needed more memory than Neo4j gives one statement and was stopped; "
            "return less: aggregate (count(), min(), …), or add a LIMIT."
        )
    if code.endswith("Statement.AccessMode"):
        return ReadOnlyViolationError(
            "Neo4j refused a write: POST /cypher runs read-only statements only."
        )
    message = str(error)
    cause = error.__cause__
    if not (isinstance(cause, Neo4jError) and value_free(cause)) or _quotes_a_value(
        message, parameters
    ):
        hint = _HINTS.get(code.rsplit(".", 1)[-1], "Neo4j could not run it")
        message = (
            f"Neo4j refused the statement ({code or 'no code'}): {hint}. Its own message is "
            "withheld because it can quote parameter values."
        )
    return InvalidStatementError(message)


def _quotes_a_value(message: str, parameters: Mapping[str, Any]) -> bool:
    """Whether `message` holds any parameter's value (or a map key inside one) as text."""
    return any(text in message for text in _value_texts(parameters.values()))


def _value_texts(values: Iterable[Any]) -> Iterator[str]:
    for value in values:
        if isinstance(value, dict):
            yield from _value_texts(value.keys())
            yield from _value_texts(value.values())
        elif isinstance(value, list | tuple):
            yield from _value_texts(value)
        elif isinstance(value, str):
            if value:
                yield value
                yield json.dumps(value, ensure_ascii=False)[1:-1]  # as Neo4j escapes it
        elif isinstance(value, int | float) and not isinstance(value, bool):
            yield str(value)


def check_single_statement(statement: str) -> None:
    """Refuse text holding more than one statement (a single trailing `;` is allowed).

    Semicolons inside string literals, back-ticked names and comments do not count.
    """
    semicolons = 0
    code_after = False
    for kind, _ in _lex(statement):
        if kind == ";":
            semicolons += 1
            code_after = False
        elif kind == "code" and semicolons:
            code_after = True
    if semicolons > 1 or code_after:
        raise InvalidStatementError(
            "Send one statement at a time: POST /cypher runs a single Cypher statement."
        )


def _lex(text: str) -> Iterator[tuple[str, str]]:
    """Yield ("code" | ";" | "comment" | "space", text) pieces; enough to find real `;`s."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            yield "code", text[i : j + 1]
            i = j + 1
        elif c == "`":
            j = text.find("`", i + 1)
            j = n if j == -1 else j
            yield "code", text[i : j + 1]
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j == -1 else j
            yield "comment", text[i:j]
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j == -1 else j + 2
            yield "comment", text[i:j]
            i = j
        elif c == ";":
            yield ";", c
            i += 1
        else:
            yield ("space" if c.isspace() else "code"), c
            i += 1


def check_parameters(parameters: Mapping[str, Any]) -> None:
    """Refuse values Bolt cannot carry; the message names the parameter, never its value."""
    for name, value in parameters.items():
        if not isinstance(name, str):
            raise InvalidStatementError("Parameter names must be strings.")
        if not _sendable(value):
            raise InvalidStatementError(
                f"Parameter ${name} holds a value Neo4j cannot take: use JSON values, "
                "with integers between -2^63 and 2^63-1."
            )


def _sendable(value: Any) -> bool:
    if value is None or isinstance(value, bool | float | str):
        return True
    if isinstance(value, int):
        return _INT64[0] <= value <= _INT64[1]
    if isinstance(value, list | tuple):
        return all(_sendable(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _sendable(v) for k, v in value.items())
    return False


def check_plan(query_type: str | None, plan: Mapping[str, Any] | None, database: str) -> None:
    """Refuse a plan that writes, calls a procedure not allowed, or reads/acts outside the graph.

    `query_type` and `plan` are those of the statement's EXPLAIN summary (`summary.plan`: nested
    dicts with `operatorType` such as "ProcedureCall@neo4j", `args` with `Details` such as
    "db.labels() :: (label :: STRING)", and `children`).
    """
    if plan is None:
        raise ReadOnlyViolationError("Neo4j gave no plan for the statement; it was not run.")
    procedures: set[str] = set()
    for operator, args in _operators(plan):
        name, _, db = operator.partition("@")
        if db and db != database:
            raise ReadOnlyViolationError(
                f"The statement reaches the {db!r} database; only {database!r} can be queried."
            )
        if name == "ProcedureCall":
            procedure = _procedure_name(args)
            if procedure not in ALLOWED_PROCEDURES:
                raise ReadOnlyViolationError(
                    f"Procedure {procedure or '(unknown)'} is not allowed here; the allowed ones "
                    f"are {', '.join(sorted(ALLOWED_PROCEDURES))}."
                )
            procedures.add(procedure)
        elif name in _BARRED_OPERATORS or name.startswith(_BARRED_OPERATOR_PREFIXES):
            raise ReadOnlyViolationError(
                f"{_operator_words(name)} is not allowed here: POST /cypher only reads the graph."
            )
    dbms_read = query_type == "s" and bool(procedures & _DBMS_READ_PROCEDURES)
    if query_type != "r" and not dbms_read:
        kind = {"w": "writes", "rw": "reads and writes", "s": "changes the schema or server"}
        raise ReadOnlyViolationError(
            f"The statement {kind.get(query_type or '', 'is not a read')}; POST /cypher runs "
            "read-only statements only (MATCH … RETURN, and the allowed procedures)."
        )


def _operators(plan: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every operator in a plan tree, as (operatorType, args)."""
    yield str(plan.get("operatorType", "")), plan.get("args") or {}
    for child in plan.get("children") or ():
        yield from _operators(child)


def _procedure_name(args: Mapping[str, Any]) -> str:
    """`db.labels` from a ProcedureCall's Details, `db.labels() :: (label :: STRING)`."""
    details = str(args.get("Details", ""))
    name, paren, _ = details.partition("(")
    return name.strip() if paren else ""


def _operator_words(name: str) -> str:
    if name == "LoadCSV":
        return "LOAD CSV"
    if name.startswith("Show"):
        return "A SHOW command"
    return "A TERMINATE command"


def to_json(value: Any) -> Any:
    """A value from Neo4j as JSON: nodes, relationships and paths as objects, time as ISO text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, Node):
        return _node(value)
    if isinstance(value, Relationship):
        return _relationship(value)
    if isinstance(value, Path):
        return {
            "nodes": [_node(n) for n in value.nodes],
            "relationships": [_relationship(r) for r in value.relationships],
        }
    if isinstance(value, Date | DateTime | Time | Duration):
        return value.iso_format()
    if isinstance(value, Point):
        return {"srid": value.srid, "coordinates": [float(c) for c in value]}
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return str(value)


def _node(node: Node) -> dict[str, Any]:
    return {
        "id": node.element_id,
        "labels": sorted(node.labels),
        "properties": {k: to_json(v) for k, v in node.items()},
    }


def _relationship(rel: Relationship) -> dict[str, Any]:
    return {
        "id": rel.element_id,
        "type": rel.type,
        "start": rel.start_node.element_id if rel.start_node is not None else None,
        "end": rel.end_node.element_id if rel.end_node is not None else None,
        "properties": {k: to_json(v) for k, v in rel.items()},
    }
