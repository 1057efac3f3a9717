"""POST /cypher: an investigator's own read-only Cypher statement, with a time limit and caps on
rows and bytes."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.audit import AuditDep
from api.deps import DriverDep, SettingsDep
from api.limits import CYPHER_BUSY, CypherSlot
from api.models import ErrorPublic
from api.security import InvestigatorDep
from graph.db.readonly import run_read_only, statement_digest
from graph.errors import ReadOnlyViolationError

router = APIRouter(tags=["cypher"])

MAX_STATEMENT_LENGTH = 10_000
TIMEOUT_S = 10.0
MAX_ROWS = 1000
MAX_BYTES = 10 * 1024**2  # of rows, as JSON


class CypherRequest(BaseModel):
    """One read-only Cypher statement; every value goes in `parameters`, referenced as $name."""

    statement: str = Field(
        min_length=1,
        max_length=MAX_STATEMENT_LENGTH,
        examples=["MATCH (p:Person) WHERE p.name CONTAINS $name RETURN p LIMIT 10"],
    )
    parameters: dict[str, Any] = Field(default_factory=dict, examples=[{"name": "Hassan"}])


class CypherResult(BaseModel):
    """Columns, then rows in column order; `truncated` when rows past a cap were left out, and
    `truncated_by` naming the cap."""

    columns: list[str]
    rows: list[list[Any]] = Field(
        description="Nodes as {id, labels, properties}, relationships as {id, type, start, end, "
        "properties}, paths as {nodes, relationships}, dates and times as ISO 8601 text."
    )
    truncated: bool = Field(
        description=f"True when rows were left out: the statement had more than {MAX_ROWS:,} "
        f"rows, or its rows came to more than {MAX_BYTES // 1024**2} MiB of JSON."
    )
    truncated_by: Literal["rows", "bytes"] | None = Field(
        default=None,
        description=f'"rows" when the {MAX_ROWS:,}-row cap left rows out, "bytes" when the '
        f"{MAX_BYTES // 1024**2} MiB cap did (the rows kept are those before the one that would "
        "have passed it, possibly none); null when nothing was left out.",
    )


@router.post(
    "/cypher",
    response_model=CypherResult,
    responses={
        400: {
            "model": ErrorPublic,
            "description": f"The statement is malformed, ran past {TIMEOUT_S:g} s, or needed "
            "more memory than Neo4j gives one statement.",
        },
        401: {"model": ErrorPublic, "description": "No token, or an unknown one."},
        403: {"model": ErrorPublic, "description": "Not a read, or a barred procedure/clause."},
        **CYPHER_BUSY,
    },
    dependencies=[CypherSlot],
)
async def post_cypher(
    body: CypherRequest,
    caller: InvestigatorDep,
    audit: AuditDep,
    driver: DriverDep,
    settings: SettingsDep,
) -> CypherResult:
    """Run one read-only statement (investigator or admin token).

    Writes, LOAD CSV, SHOW/TERMINATE commands and procedures other than db.labels,
    db.relationshipTypes, db.propertyKeys, db.index.fulltext.queryNodes, dbms.components and
    db.schema.visualization are refused with 403.

    Bounds: at most 1,000 rows and 10 MiB of rows as JSON; past either cap the answer is a 200
    with the rows before it, `truncated: true` and `truncated_by` "rows" or "bytes". 10 s at
    most for the whole run (plan, execution, reading and converting rows): a slower statement is
    stopped with 400. A statement that needs more memory than Neo4j gives one transaction is
    stopped with 400 too. Error messages never quote a parameter's value. Each call is audited
    by the statement's sha256, never by its parameters.
    """
    outcome = "error"
    try:
        result = await run_read_only(
            driver, settings, body.statement, body.parameters, TIMEOUT_S, MAX_ROWS, MAX_BYTES
        )
        outcome = "ok"
    except ReadOnlyViolationError:
        outcome = "refused"
        raise
    finally:
        audit.record(caller, "cypher", statement_digest(body.statement), outcome=outcome)
    return CypherResult(
        columns=result.columns,
        rows=result.rows,
        truncated=result.truncated,
        truncated_by=result.truncated_by,
    )
