"""SNHR's September 2016 summary beside the sum of its 49 incident paragraphs."""

from __future__ import annotations

from neo4j import Driver

from graph.db.settings import Settings
from graph.reads.reports import compare_report

SNHR_2016 = "source:003_25bd39c06e840184"


def test_snhr_2016_tables_are_reproduced_and_discrepancies_listed(
    default_dataset: Driver, settings: Settings
) -> None:
    rows = compare_report(default_dataset, settings, SNHR_2016)
    massacres = {
        (r.party or r.governorate or r.category): (r.reported, r.computed)
        for r in rows
        if r.measure == "massacres"
    }
    assert massacres == {
        "all parties (no less than)": (49, 49),
        "org:syrian-government-forces": (26, 26),
        "org:russian-forces": (20, 20),
        "org:isis": (2, 2),
        "org:armed-opposition-factions": (1, 1),
        "place:aleppo-governorate": (24, 24),
        "place:idlib-governorate": (8, 8),
        "place:deir-ez-zor-governorate": (7, 7),
        "place:rif-dimashq-governorate": (5, 5),
        "place:hama-governorate": (3, 3),
        "place:daraa-governorate": (1, 1),
        "place:raqqa-governorate": (1, 1),
    }
    # The report's summary and its own paragraphs disagree; both are kept and listed.
    discrepancies = {
        ((r.party or r.category), r.measure): (r.reported, r.computed) for r in rows if not r.agrees
    }
    assert discrepancies == {
        ("all parties", "killed"): (498, 500),
        ("all parties", "children"): (161, 159),
        ("all parties", "women"): (64, 66),
        ("org:syrian-government-forces", "children"): (65, 63),
        ("org:syrian-government-forces", "women"): (25, 27),
        ("org:russian-forces", "killed"): (257, 259),
    }
