"""The notebook facade on the default dataset in the real Neo4j: synchronous answers from the
async reads, as DataFrames or models, inside a running event loop too, and closed cleanly."""

from __future__ import annotations

import asyncio
import html
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from graph.db.settings import Settings
from graph.errors import GraphUnavailableError, NotFoundError
from notebooks.facade import NOBODY, Silsila, default_settings, view
from tests.conftest import DefaultDataset, free_port

DARAYYA = "event:darayya-massacre-2012"
AFID = "org:air-force-intelligence-directorate"
DIVISION = "org:15th-division"
KHALIL = "person:qahtan-khalil"
SNHR_2016 = "source:003_25bd39c06e840184"
ARTICLE = "source:000_a4a2605803ffedf8"
EXTERNAL = re.compile(r"""(?:src|href)=["']https?://""")


@pytest.fixture(scope="module")
def silsila(shared_dataset: DefaultDataset) -> Iterator[Silsila]:
    """The shared default dataset: every test here only reads."""
    with Silsila(shared_dataset.ensure()) as facade:
        yield facade


def loop_threads() -> int:
    return sum(t.name == "silsila-notebook" for t in threading.enumerate())


def test_casualties_sit_side_by_side_never_averaged(silsila: Silsila) -> None:
    table = silsila.casualties(DARAYYA)
    assert str(table["killed"].dtype) == "Int64"  # 320, never 320.0
    by_killed = {
        int(k): row for k, row in table.dropna(subset=["killed"]).set_index("killed").iterrows()
    }
    assert {320, 270, 700} <= set(by_killed)
    assert by_killed[320]["claimed_by"] == "Syrian Observatory for Human Rights"
    assert by_killed[700]["claimed_by"] == "Syrian British Consortium"
    assert bool(by_killed[270]["whole_event"]) is False  # the four-day count has a scope
    assert "four-day" in by_killed[270]["scope"]
    assert table["source"].str.len().gt(0).all()
    assert table["evidence"].str.contains("“").all()
    estimates = silsila.casualty_estimates(DARAYYA)
    assert (estimates.low, estimates.high) == (200, 700)
    assert sorted(table[table["whole_event"]]["killed"]) == [200, 320, 700]


def test_attributions_say_who_claims_what(silsila: Silsila) -> None:
    table = silsila.attributions(DARAYYA)
    coi = table[table["claimed_by"] == "Independent International Commission of Inquiry"]
    assert list(coi["actor_id"]) == ["org:syrian-government-forces"]
    assert list(coi["hedge"]) == ["reasonable grounds to believe"]
    commander = table[table["role"] == "commander"]
    assert list(commander["actor_id"]) == [KHALIL]
    assert set(table["role"]) == {"perpetrator", "commander", "participant"}
    account = silsila.accountability(DARAYYA)
    assert [s.entity.id for s in account.sanctions] == [KHALIL]
    # The source names Khalil and "other SAFI officers", not the Directorate, as taking part.
    assert "org:syrian-government-forces" in {c.unit.id for c in account.chains}
    assert AFID not in {c.unit.id for c in account.chains}


def test_the_public_role_hides_restricted_witnesses(settings: Settings, silsila: Silsila) -> None:
    witness = "Unnamed Darayya resident"
    whole = silsila.attributions(DARAYYA)
    by_witness = set(whole[whole["claimed_by"] == witness]["id"])
    assert by_witness
    with Silsila(settings, public=True) as public:
        seen = public.attributions(DARAYYA)
    # A claim by a witness is withheld whole, not shown with its claimant blanked out.
    assert len(seen) > 0
    assert set(seen["id"]) <= set(whole["id"]) - by_witness
    assert "[restricted identity]" not in set(seen["claimed_by"].dropna())


def test_commanders_of_the_directorate_change_with_the_date(silsila: Silsila) -> None:
    dates = ["2012-08-20", "2023-12-31", "2024-01-15", "2024-06-01"]
    table = silsila.commanders_over_time(AFID, dates)
    assert list(table["at"]) == dates
    assert list(table["certainty"]) == ["no", "no", "possible", "possible"]
    assert list(table["reason"][:2]) == [NOBODY, NOBODY]
    assert table["person"][:2].isna().all()
    assert list(table["person"][2:]) == ["Qahtan Khalil", "Qahtan Khalil"]
    assert "no later citation" in table["reason"][3]
    nobody = silsila.commanders(AFID, "2012-08-20")
    assert nobody.empty
    assert {"person", "certainty", "reason"} <= set(nobody.columns)
    assert list(silsila.commanders(AFID, "2024-06-01")["person_id"]) == [KHALIL]


def test_career_says_why_a_post_did_or_did_not_hold(silsila: Silsila) -> None:
    at = silsila.career(KHALIL, at="2023-12-31").set_index("role")
    assert at.loc["head", "certainty"] == "no"
    assert at.loc["head", "reason"] == "it began in 2024-01, after 2023-12-31"
    assert at.loc["officer", "certainty"] == "possible"
    undated = silsila.career(KHALIL)
    assert "certainty" not in undated.columns
    assert list(undated["role"]) == ["officer", "head"]


def test_chain_levels_and_gaps(silsila: Silsila) -> None:
    chain = silsila.chain(DIVISION, "2011-12-19")
    assert list(chain["unit_id"]) == [DIVISION, "org:syrian-government-forces"]
    assert list(chain["gap"]) == [True, False]
    assert chain["relation"][1] == "member"
    assert chain["relation_certainty"][1] == "possible"
    assert "Bashar al-Assad" in chain["commanders"][1]
    model = silsila.chain_of_command(AFID, "2012-08-20")
    assert [g.id for g in model.gaps] == [AFID]


def test_events_stats_and_the_report_comparison(silsila: Silsila) -> None:
    incidents = silsila.events(source=SNHR_2016, limit=1000)
    assert len(incidents) == 49
    assert incidents["start"].str.startswith("2016-09").all()
    idlib = silsila.events(place="place:idlib-governorate", date_from="2011-12", date_to="2011-12")
    assert "event:jabal-al-zawiya-massacres-2011" in set(idlib["id"])
    by_party = dict(
        zip(*silsila.stats("party", SNHR_2016)[["key", "events"]].T.values, strict=True)
    )
    assert by_party["org:syrian-government-forces"] == 26
    assert by_party["org:russian-forces"] == 20
    report = silsila.compare_report(SNHR_2016)
    disagree = report[~report["agrees"]]
    totals = disagree[disagree["category"] == "all parties"]
    assert set(zip(totals["measure"], totals["reported"], totals["computed"], strict=True)) == {
        ("killed", 498, 500),
        ("children", 161, 159),
        ("women", 64, 66),
    }
    assert report[report["measure"] == "massacres"]["agrees"].all()


def test_sanctions_and_the_unsanctioned(silsila: Silsila) -> None:
    sanctions = silsila.sanctions()
    assert list(sanctions["entity_id"]) == [KHALIL]
    assert list(sanctions["program"]) == ["Specially Designated Nationals"]
    assert silsila.sanctions(authority="org:united-states")["entity_id"].tolist() == [KHALIL]
    assert silsila.sanctions(entity=AFID).empty
    gaps = silsila.gaps()
    assert AFID in set(gaps["id"])
    assert KHALIL not in set(gaps["id"])
    assert gaps.set_index("id").loc[AFID, "events"] >= 1


def test_search_sources_and_bibliography(silsila: Silsila) -> None:
    for text in ("Daraya", "داريا"):
        assert "place:darayya" in set(silsila.search(text)["id"]), text
    bibliography = silsila.bibliography(DARAYYA).set_index("source")
    assert bibliography.loc[ARTICLE, "reliability"] == "F"
    assert bibliography.loc[ARTICLE, "citations"] > 10
    claims = silsila.source_claims(ARTICLE, limit=1000)
    assert DARAYYA in set(claims["record_id"])
    assert claims["quote"].notna().all()
    assert silsila.entity(AFID).entity.name == "Air Force Intelligence Directorate"
    with pytest.raises(NotFoundError):
        silsila.casualties("event:no-such-event")


def test_views_draw_inline_and_offline(silsila: Silsila) -> None:
    network = silsila.event_view(DARAYYA)
    assert {DARAYYA, "org:syrian-government-forces", KHALIL} <= set(network.nodes)
    shown = silsila.view(network).data
    assert shown.startswith("<div><iframe")
    assert 'sandbox="allow-scripts"' in shown
    (srcdoc,) = re.findall(r'srcdoc="([^"]*)"', shown)
    page = html.unescape(srcdoc)
    assert "new vis.Network(container" in page
    assert not EXTERNAL.search(page)
    assert view(network, height=300).data.count("height:300px") == 1
    assert KHALIL in silsila.chain_view(AFID, "2024-06-01").nodes
    assert "place:darayya" in silsila.neighbourhood_view(DARAYYA, depth=1).nodes
    exposure = silsila.exposure_view(KHALIL)
    assert {KHALIL, AFID, DARAYYA} <= set(exposure.nodes)


def test_answers_come_back_inside_a_running_event_loop(silsila: Silsila) -> None:
    """A Jupyter kernel runs cells while its own loop is running in the main thread."""

    async def cell() -> pd.DataFrame:
        asyncio.get_running_loop()  # there is one, as in Jupyter
        return silsila.stats("governorate", SNHR_2016)

    table = asyncio.run(cell())
    assert table.set_index("key").loc["place:aleppo-governorate", "events"] == 24


def test_close_releases_the_loop_and_later_calls_say_so(settings: Settings) -> None:
    before = loop_threads()
    with Silsila(settings) as facade:
        assert loop_threads() == before + 1
        assert not facade.stats("party").empty
    assert loop_threads() == before
    with pytest.raises(RuntimeError, match="closed"):
        facade.stats("party")
    facade.close()  # closing twice is harmless


def test_an_unreachable_database_fails_at_once(tmp_path: Path) -> None:
    before = loop_threads()
    nowhere = Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=tmp_path,
        neo4j_bolt_port=free_port(),
        neo4j_password="not-used",  # type: ignore[arg-type]
    )
    with pytest.raises(GraphUnavailableError, match="silsila db start"):
        Silsila(nowhere)
    assert loop_threads() == before


def test_default_settings_find_the_project_from_the_notebooks_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / ".silsila"
    state.mkdir()
    recorded = {"neo4j_user": "neo4j", "neo4j_password": "recorded", "neo4j_bolt_port": 7999}
    (state / "connection.json").write_text(json.dumps(recorded), encoding="utf-8")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    monkeypatch.chdir(notebooks)
    found = default_settings()
    assert found.state_dir == state
    assert found.neo4j_bolt_port == 7999
    assert found.neo4j_password is not None
    assert found.neo4j_password.get_secret_value() == "recorded"
    # A state folder set explicitly wins over the search.
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("SILSILA_STATE_DIR", str(elsewhere))
    assert default_settings().state_dir == elsewhere
    assert default_settings().neo4j_password is None
