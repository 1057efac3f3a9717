"""Response models of the API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Neo4jPublic(BaseModel):
    """The Neo4j server behind the API."""

    reachable: bool
    version: str
    edition: str


class HealthPublic(BaseModel):
    """GET /health when the graph answers."""

    status: Literal["ok"] = "ok"
    neo4j: Neo4jPublic
    counts: dict[str, int] = Field(description="Node count per ontology label.")


class ErrorPublic(BaseModel):
    """Every error response: what went wrong and what to do."""

    status: Literal["error", "unavailable"] = "error"
    error: str


# What every route may answer (declared once on the app): any request with a bad token gets
# 401, and every route reads the graph, so 503 while Neo4j is down.
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {
        "model": ErrorPublic,
        "description": "A malformed Authorization header, or an unknown token.",
    },
    503: {"model": ErrorPublic, "description": "Neo4j is not reachable."},
}


def not_found(what: str) -> dict[int | str, dict[str, object]]:
    """The 404 a route answers when WHAT (the record its path names) is not in the graph."""
    return {404: {"model": ErrorPublic, "description": f"No {what} has that id."}}
