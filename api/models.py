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
