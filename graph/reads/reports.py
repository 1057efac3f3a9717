"""A report's own summary beside what its incident paragraphs add up to; both stay."""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import Driver

from graph.db import queries, store
from graph.db.settings import Settings

MEASURES = ("massacres", "killed", "children", "women")
MAX_FIGURES = 1000
# The category SNHR gives its grand totals; any other category is not computable.
ALL_PARTIES = "all parties"


@dataclass(frozen=True)
class FigureComparison:
    """One measure of one summary figure: what the report says, what its incidents sum to."""

    figure: str
    table: str
    measure: str
    reported: int
    computed: int | None
    party: str | None = None
    governorate: str | None = None
    category: str | None = None

    @property
    def agrees(self) -> bool:
        return self.reported == self.computed


def compare_report(
    driver: Driver, settings: Settings, source_id: str, public: bool = False
) -> list[FigureComparison]:
    """Every summary figure of the report, measure by measure, against its incidents (those
    the public may see, when PUBLIC; the local user's own tools see all).

    A figure qualified by a free-text category (e.g. "areas under the control of ISIS") is
    not computable from the graph and is left out rather than guessed.
    """
    rows = store.read(
        driver,
        settings,
        queries.REPORT_FIGURES_VS_INCIDENTS,
        source=source_id,
        limit=MAX_FIGURES,
        public=public,
    )
    comparisons = []
    for row in rows:
        category = row["category"]
        if category and not str(category).startswith(ALL_PARTIES):
            continue
        for measure in MEASURES:
            reported = row["reported"][measure]
            if reported is None:
                continue
            comparisons.append(
                FigureComparison(
                    figure=row["figure"],
                    table=row["table"],
                    measure=measure,
                    reported=reported,
                    computed=row["computed"][measure],
                    party=row["party"],
                    governorate=row["governorate"],
                    category=row["category"],
                )
            )
    return comparisons
