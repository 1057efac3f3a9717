"""Running a caller's own Cypher statement, read-only, with a time limit and a row cap.

This is the one place where Cypher that is not in `graph/db/queries.py` reaches Neo4j: the point of
`POST /cypher` is to let investigators ask their own questions. The statement is checked before
it runs and is run so that it cannot write even if a check were wrong:

1. one statement only (a `;` may end it, nothing may follow);
2. `EXPLAIN <statement>` must report a read (`query_type == "r"`), and its plan must call no
   procedure outside `ALLOWED_PROCEDURES`, read no CSV, run no `SHOW`/`TERMINATE` command and
   touch no other database;
3. it then runs in a READ-mode transaction (Neo4j itself refuses writes there) with a timeout,
   at most `max_rows` rows are read, and the transaction is rolled back, never committed.

Parameter values are sent only as parameters and are never logged or put in an error message.
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import neo4j
from neo4j import AsyncDriver
from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import Point
from neo4j.time import Date, DateTime, Duration, Time

from graph.db.settings import Settings
from graph.db.store import translated_errors
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
_INT64 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class ReadOnlyResult:
    """Column names, rows of JSON-safe values, and whether rows were left out at the cap."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool


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
) -> ReadOnlyResult:
    """Run a caller's statement if, and only if, it only reads; at most `max_rows` rows.

    Raises ReadOnlyViolationError when the statement would write or uses what is barred,
    InvalidStatementError (a QueryError) when it is malformed, needs a missing parameter or
    runs past `timeout_s`, and GraphUnavailableError when Neo4j does not answer.
    """
    if max_rows < 1:
        raise InvalidRequestError(f"max_rows must be at least 1, not {max_rows}")
    check_single_statement(statement)
    check_parameters(parameters)
    params = dict(parameters)
    try:
        with translated_errors(settings):
            async with driver.session(
                database=settings.neo4j_database,
                default_access_mode=neo4j.READ_ACCESS,
                fetch_size=max_rows + 1,
            ) as session:
                tx = await session.begin_transaction(timeout=timeout_s)
                try:
                    explained = await tx.run(f"EXPLAIN {statement}", params)
                    summary = await explained.consume()
                    check_plan(summary.query_type, summary.plan, settings.neo4j_database)
                    result = await tx.run(statement, params)
                    columns = list(result.keys())
                    rows: list[list[Any]] = []
                    truncated = False
                    async for record in result:
                        if len(rows) == max_rows:
                            truncated = True
                            break
                        rows.append([to_json(value) for value in record.values()])
                finally:
                    # Never commit: a read has nothing to keep, and anything else is discarded.
                    await tx.close()
    except QueryError as e:
        raise _caller_error(e, timeout_s) from e.__cause__
    return ReadOnlyResult(columns=columns, rows=rows, truncated=truncated)


def _caller_error(
    error: QueryError, timeout_s: float
) -> InvalidStatementError | ReadOnlyViolationError:
    """Name a refused statement as the caller's problem, in words saying what to change."""
    code = getattr(error.__cause__, "code", None) or ""
    if "TransactionTimedOut" in code or code.endswith("Transaction.Terminated"):
        return InvalidStatementError(
            f"The statement ran longer than {timeout_s:g} s and was stopped; "
            "narrow the MATCH, or add a LIMIT."
        )
    if code.endswith("Statement.AccessMode"):
        return ReadOnlyViolationError(
            "Neo4j refused a write: POST /cypher runs read-only statements only."
        )
    return InvalidStatementError(str(error))


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
