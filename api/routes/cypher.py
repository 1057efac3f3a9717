"""POST /cypher: an investigator's own read-only Cypher statement, with a time limit and row cap."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.audit import AuditDep
from api.deps import DriverDep, SettingsDep
from api.models import ErrorPublic
from api.security import InvestigatorDep
from graph.db.readonly import run_read_only, statement_digest
from graph.errors import ReadOnlyViolationError

router = APIRouter(tags=["cypher"])

MAX_STATEMENT_LENGTH = 10_000
TIMEOUT_S = 10.0
MAX_ROWS = 1000


class CypherRequest(BaseModel):
    """One read-only Cypher statement; every value goes in `parameters`, referenced as $name."""

    statement: str = Field(
        min_length=1,
        max_length=MAX_STATEMENT_LENGTH,
        examples=["MATCH (p:Person) WHERE p.name CONTAINS $name RETURN p LIMIT 10"],
    )
    parameters: dict[str, Any] = Field(default_factory=dict, examples=[{"name": "Hassan"}])


class CypherResult(BaseModel):
    """Columns, then rows in column order; `truncated` when rows past the cap were left out."""

    columns: list[str]
    rows: list[list[Any]] = Field(
        description="Nodes as {id, labels, properties}, relationships as {id, type, start, end, "
        "properties}, paths as {nodes, relationships}, dates and times as ISO 8601 text."
    )
    truncated: bool = Field(description=f"True when the statement had more than {MAX_ROWS} rows.")


@router.post(
    "/cypher",
    response_model=CypherResult,
    responses={
        400: {"model": ErrorPublic, "description": "The statement is malformed or too slow."},
        401: {"model": ErrorPublic, "description": "No token, or an unknown one."},
        403: {"model": ErrorPublic, "description": "Not a read, or a barred procedure/clause."},
        503: {"model": ErrorPublic, "description": "Neo4j is not reachable."},
    },
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
    db.schema.visualization are refused with 403. At most 1000 rows; 10 s at most. Each call is
    audited by the statement's sha256, never by its parameters.
    """
    outcome = "error"
    try:
        result = await run_read_only(
            driver, settings, body.statement, body.parameters, TIMEOUT_S, MAX_ROWS
        )
        outcome = "ok"
    except ReadOnlyViolationError:
        outcome = "refused"
        raise
    finally:
        audit.record(caller, "cypher", statement_digest(body.statement), outcome=outcome)
    return CypherResult(columns=result.columns, rows=result.rows, truncated=result.truncated)
