"""The investigative endpoints on the default dataset in the real Neo4j."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from api.security import Role, TokenStore, tokens_path
from graph.asof import Certainty, PartialDate
from graph.db import kept
from graph.db.reader import Reader
from graph.db.settings import Settings
from graph.reads import events, models
from graph.render import tables

AFID = "org:air-force-intelligence-directorate"
DARAYYA = "event:darayya-massacre-2012"


@pytest.fixture
def client(dataset_client: TestClient) -> TestClient:
    return dataset_client


def get(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_head_of_air_force_intelligence_on_2024_06_01(client: TestClient) -> None:
    body = get(client, f"/units/{AFID}/commanders", at="2024-06-01")
    (head,) = body["commanders"]
    assert head["person"]["id"] == "person:qahtan-khalil"
    assert head["role"] == "head"
    assert head["certainty"] == "possible"  # named in January 2024; nothing cited later
    assert head["start"] == "2024-01"
    assert head["citations"][0]["quote"] == "Khalil was named head of SAFI in January 2024."


@pytest.mark.parametrize("at", ["2012-08-20", "2023-12-31"])
def test_nobody_is_head_of_the_directorate_before_2024(client: TestClient, at: str) -> None:
    assert get(client, f"/units/{AFID}/commanders", at=at)["commanders"] == []
    chain = get(client, f"/units/{AFID}/chain", at=at)
    assert [g["id"] for g in chain["gaps"]] == [AFID]


def test_chain_climbs_membership_and_names_its_evidence(client: TestClient) -> None:
    chain = get(client, "/units/org:15th-division/chain", at="2011-12-19")
    units = [level["unit"]["id"] for level in chain["levels"]]
    assert units == ["org:15th-division", "org:syrian-government-forces"]
    upper = chain["levels"][1]
    assert upper["relation"] == "member"
    assert upper["citations"], "the relation carries its evidence"
    assert "org:15th-division" in [g["id"] for g in chain["gaps"]]


def test_events_in_idlib_in_december_2011(client: TestClient) -> None:
    body = get(
        client, "/events", place="place:idlib-governorate", **{"from": "2011-12", "to": "2011-12"}
    )
    ids = {e["id"] for e in body["items"]}
    assert body["total"] == len(body["items"]) >= 4
    assert "event:jabal-al-zawiya-massacres-2011" in ids
    assert all(e["start"] is None or e["start"].startswith("2011") for e in body["items"])


def test_every_darayya_estimate_with_its_source(client: TestClient) -> None:
    body = get(client, f"/events/{DARAYYA}/casualties")
    killed = sorted(e["killed"] for e in body["estimates"] if e["killed"] is not None)
    assert {270, 320, 700} <= set(killed)
    assert all(e["citations"] for e in body["estimates"])
    assert (body["low"], body["high"]) == (200, 700)


def test_who_is_linked_to_darayya_and_under_which_sanctions(client: TestClient) -> None:
    body = get(client, f"/events/{DARAYYA}/accountability")
    perpetrators = {a["actor"]["id"] for a in body["attributions"] if a["role"] == "perpetrator"}
    assert {"org:syrian-government-forces", "org:shabiha"} <= perpetrators
    assert [p["actor"]["id"] for p in body["linked_persons"]] == ["person:qahtan-khalil"]
    assert all(a["citations"] for a in body["attributions"])
    (sanction,) = body["sanctions"]
    assert sanction["entity"]["id"] == "person:qahtan-khalil"
    assert sanction["program"] == "Specially Designated Nationals"
    assert sanction["listing_date"] == "2021"


def test_snhr_2016_table_by_party(client: TestClient) -> None:
    body = get(client, "/stats/events", group_by="party", source="source:003_25bd39c06e840184")
    table = {row["key"]: row["events"] for row in body["rows"]}
    assert table["org:syrian-government-forces"] == 26
    assert table["org:russian-forces"] == 20
    assert table["org:isis"] == 2
    assert table["org:armed-opposition-factions"] == 1


def test_search_tolerates_transliteration_and_script(client: TestClient) -> None:
    for text in ("Darayya", "Daraya", "داريا"):
        ids = [r["id"] for r in get(client, "/search", q=text)["results"]]
        assert "place:darayya" in ids, text
    ids = [r["id"] for r in get(client, "/search", q="Deir ez-Zor")["results"]]
    assert "place:deir-ez-zour-city" in ids
    only = get(client, "/search", q="Darayya", type="Event")["results"]
    assert only
    assert all(r["type"] == "Event" for r in only)


def test_person_exposure_separates_direct_links(client: TestClient) -> None:
    body = get(client, "/persons/person:qahtan-khalil/exposure")
    assert [p["role"] for p in body["timeline"]] == ["officer", "head"]
    assert [a["event"]["id"] for a in body["direct_links"]] == [DARAYYA]
    assert body["command_exposure"] == []  # head only from 2024; no later attributed events
    assert [s["id"] for s in body["sanctions"]] == ["sanction:qahtan-khalil-us-sdn-2021"]


def test_paths_sources_sanctions_and_gaps(client: TestClient) -> None:
    paths = get(client, "/paths", **{"from": "person:qahtan-khalil", "to": AFID, "max_hops": 2})
    postings = sorted(p["steps"][1]["node"]["id"] for p in paths["paths"])
    assert postings == [
        "posting:qahtan-khalil-safi-head-2024",
        "posting:qahtan-khalil-safi-officer",
    ]
    for path in paths["paths"]:
        assert [s["node"]["type"] for s in path["steps"]] == ["Person", "Posting", "Organization"]
        assert path["steps"][1]["citations"]
    claims = get(client, "/sources/source:000_a4a2605803ffedf8/claims", limit=5)
    assert (claims["more"], claims["next_offset"], claims["total"]) == (True, 5, None)
    assert len(claims["claims"]) == 5
    assert get(client, "/sanctions", authority="United States")["sanctions"]
    assert get(client, "/sanctions", program="no such program")["sanctions"] == []
    gap_ids = {g["entity"]["id"] for g in get(client, "/gaps/unsanctioned")["gaps"]}
    assert "org:syrian-government-forces" in gap_ids
    assert "person:qahtan-khalil" not in gap_ids


def test_a_sources_pages_hold_every_record_citing_it_once_and_the_last_counts_them(
    client: TestClient,
) -> None:
    path = "/sources/source:000_a4a2605803ffedf8/claims"
    whole = get(client, path, limit=1000)
    assert (whole["more"], whole["next_offset"]) == (False, None)
    paged: list[tuple[str, str | None]] = []
    offset: int | None = 0
    while offset is not None:
        page = get(client, path, limit=7, offset=offset)
        paged += [(c["record"]["id"], c["locator"]) for c in page["claims"]]
        offset = page["next_offset"]
    assert page["total"] == len(paged) == whole["total"] > 50
    assert sorted(paged) == sorted((c["record"]["id"], c["locator"]) for c in whole["claims"])
    assert get(client, path, limit=7, offset=10_000)["total"] is None


def test_paths_never_cross_a_claimant(client: TestClient) -> None:
    """SNHR claims every attribution of its reports: a hub that says only "SNHR said so"."""
    event = "event:massacre-2016-09-05-al-sukkari"
    paths = get(client, "/paths", **{"from": "org:snhr", "to": event, "max_hops": 2})["paths"]
    steps = [s["relationship"] for p in paths for s in p["steps"]]
    assert "CLAIMED_BY" not in steps


def test_the_gap_says_it_holds_leads_and_why_each_is_listed(client: TestClient) -> None:
    body = get(client, "/gaps/unsanctioned")
    assert body["notice"].startswith("Leads for investigation, not findings")
    assert "not proof that none exists" in body["notice"]
    assert body["truncated"] is False
    assert body["truncated_because"] == []
    assert body["events"] > 100  # every attributed event of the dataset
    for gap in body["gaps"]:
        assert len(gap["reasons"]) == len(gap["events"])
        for why in gap["reasons"]:
            assert why["event"]["id"] in gap["events"]
            assert why["event"]["name"]
            assert why["reasons"]
    said = [text for g in body["gaps"] for why in g["reasons"] for text in why["reasons"]]
    assert any(text.startswith("attributed as perpetrator of ") for text in said)
    assert any(" was in the chain of command of " in text for text in said)
    assert any(text.startswith("head of ") and " at the event's dates (" in text for text in said)


def test_the_gap_pages_hold_every_lead_exactly_once(client: TestClient) -> None:
    whole = get(client, "/gaps/unsanctioned", limit=1000)
    assert whole["total"] == len(whole["gaps"]) > 10
    seen: list[str] = []
    for offset in range(0, whole["total"], 7):
        page = get(client, "/gaps/unsanctioned", limit=7, offset=offset)
        assert (page["total"], page["limit"], page["offset"]) == (whole["total"], 7, offset)
        assert page["notice"] == whole["notice"]
        seen += [g["entity"]["id"] for g in page["gaps"]]
    assert seen == [g["entity"]["id"] for g in whole["gaps"]]
    assert len(set(seen)) == len(seen)
    past = get(client, "/gaps/unsanctioned", offset=whole["total"])
    assert (past["gaps"], past["total"]) == ([], whole["total"])


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/units/org:nowhere/chain", {"at": "2012"}),
        ("/entities/person:nobody", {}),
        ("/events/event:nothing/casualties", {}),
        ("/persons/person:nobody/exposure", {}),
    ],
)
def test_unknown_ids_are_404_with_a_message(client: TestClient, path: str, params: Any) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 404
    assert "No " in response.json()["error"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (f"/units/{AFID}/chain", {"at": "2012", "max_depth": 7}),
        (f"/units/{AFID}/chain", {"at": "August 2012"}),
        ("/events", {"limit": 1001}),
        ("/paths", {"from": "a", "to": "b", "max_hops": 9}),
        ("/stats/events", {"group_by": "colour"}),
        ("/gaps/unsanctioned", {"limit": 0}),
        ("/gaps/unsanctioned", {"offset": -1}),
        ("/search", {"q": "..."}),
        (f"/units/{AFID}/commanders", {"at": "2012-02-30"}),
        (f"/persons/{AFID}/exposure", {}),
    ],
)
def test_out_of_range_parameters_are_422(client: TestClient, path: str, params: Any) -> None:
    assert client.get(path, params=params).status_code == 422


FORMS = "YYYY, YYYY-MM or YYYY-MM-DD"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (f"/units/{AFID}/chain", {"at": "August 2012"}),
        (f"/units/{AFID}/commanders", {"at": "2012-02-30"}),
        ("/events", {"from": "2011-13"}),
        ("/events", {"to": "20/12/2011"}),
        ("/sanctions", {"listed_from": "2021-1"}),
        ("/sanctions", {"listed_to": "soon"}),
        (f"/views/units/{AFID}/chain", {"at": "2012-8-20"}),
    ],
)
def test_a_bad_date_is_422_naming_the_accepted_forms(
    client: TestClient, path: str, params: Any
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "error"
    (name,) = params
    assert body["error"].startswith(f"{name}: {params[name]!r}")
    assert FORMS in body["error"]


@pytest.mark.parametrize("at", ["August 2012", "2012-13"])
def test_a_bad_date_on_a_page_is_an_error_page(client: TestClient, at: str) -> None:
    response = client.get(f"/ui/entities/{AFID}", params={"at": at})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert FORMS in response.text
    assert "Back to search" in response.text


def test_a_page_draws_the_chain_at_the_date_asked(client: TestClient) -> None:
    page = client.get(f"/ui/entities/{AFID}", params={"at": "2024-06"})
    assert page.status_code == 200, page.text
    assert "/chain?at=2024-06" in page.text
    assert 'value="2024-06-01"' in page.text
    # Without a date, the latest its evidence covers (its head, cited from January 2024).
    default = client.get(f"/ui/entities/{AFID}")
    assert "/chain?at=2024-01-31" in default.text
    assert "the latest date this unit" in default.text


def test_events_take_a_year_or_a_month_as_from_and_to(client: TestClient) -> None:
    place = "place:idlib-governorate"
    year = get(client, "/events", place=place, **{"from": "2011", "to": "2011"})
    month = get(client, "/events", place=place, **{"from": "2011-12", "to": "2011-12"})
    day = get(client, "/events", place=place, **{"from": "2011-12-01", "to": "2011-12-31"})
    assert month["items"]
    assert month == day
    assert {e["id"] for e in month["items"]} <= {e["id"] for e in year["items"]}
    assert all(e["start"] is None or e["start"].startswith("2011") for e in year["items"])
    assert get(client, "/events", place=place, **{"from": "2031"})["items"] == []


def test_sanctions_by_listing_year_or_month(client: TestClient) -> None:
    def listed(**dates: str) -> set[str]:
        return {s["id"] for s in get(client, "/sanctions", **dates)["sanctions"]}

    khalil = "sanction:qahtan-khalil-us-sdn-2021"  # listed in 2021, date known to the year
    assert khalil in listed(listed_from="2021", listed_to="2021")
    assert khalil in listed(listed_from="2021-06", listed_to="2021-06-30")
    assert khalil not in listed(listed_to="2020-12")
    assert khalil not in listed(listed_from="2022")


@pytest.mark.parametrize("at", ["2012", "2012-08", "2012-08-20"])
def test_a_chain_says_its_date_as_it_was_asked(client: TestClient, at: str) -> None:
    chain = get(client, f"/units/{AFID}/chain", at=at)
    assert chain["at"] == at
    assert get(client, f"/units/{AFID}/commanders", at=at)["at"] == at
    certainties = [c["certainty"] for level in chain["levels"] for c in level["posted"]]
    assert set(certainties) <= {"certain", "possible"}


def test_a_chain_model_carries_the_date_and_writes_its_text() -> None:
    unit = models.Entity(id=AFID, type="Organization")
    chain = models.Chain(unit=unit, at=PartialDate.parse("2012-08"), levels=[])
    assert chain.at == PartialDate.parse("2012-08")
    assert chain.model_dump(mode="json")["at"] == "2012-08"
    assert models.Chain.model_validate_json(chain.model_dump_json()) == chain
    as_of = models.AsOf(certainty=Certainty.POSSIBLE, reason="why")
    assert as_of.certainty is Certainty.POSSIBLE
    assert as_of.model_dump(mode="json") == {"certainty": "possible", "reason": "why"}


def test_the_chains_of_an_event_are_dated_by_its_days(client: TestClient) -> None:
    body = get(client, f"/events/{DARAYYA}/accountability")
    start = body["event"]["start"]
    assert body["chains"]
    assert all(chain["at"] == start for chain in body["chains"])
    relations = [lv["relation_as_of"] for ch in body["chains"] for lv in ch["levels"][1:]]
    assert all(r["certainty"] in ("certain", "possible") for r in relations)
    assert all(isinstance(r["reason"], str) for r in relations)


def test_the_openapi_schema_documents_the_date_forms_once_per_parameter(
    client: TestClient,
) -> None:
    schema = client.get("/openapi.json").json()
    params = {p["name"]: p for p in schema["paths"]["/events"]["get"]["parameters"]}
    for name in ("from", "to"):
        assert FORMS in params[name]["description"]
        assert params[name]["required"] is False
    (at,) = [
        p
        for p in schema["paths"]["/units/{unit_id}/chain"]["get"]["parameters"]
        if p["name"] == "at"
    ]
    assert at["required"] is True
    assert schema["components"]["schemas"]["Chain"]["properties"]["at"]["type"] == "string"
    assert schema["components"]["schemas"]["Certainty"]["enum"] == ["certain", "possible", "no"]


def test_an_investigator_sees_what_the_public_does_not(
    client: TestClient, settings: Settings
) -> None:
    """Guard: the redaction sweep (test_redaction.py) would pass vacuously if nothing were
    restricted."""
    _, token = TokenStore(tokens_path(settings)).create(Role.investigator)
    headers = {"Authorization": f"Bearer {token}"}
    path = "/casefiles/event:qoqfin-artillery-massacre-2023-11-25"
    seen = client.get(path, params={"format": "json"}, headers=headers)
    assert seen.status_code == 200
    assert "Observer Abu Amin 80" in seen.text
    claims = client.get(
        "/sources/source:001_b419b2e21b5aac12/claims", params={"limit": 1000}, headers=headers
    )
    assert "Observer Abu Amin 80" in claims.text


def test_a_place_has_a_dated_timeline_of_what_happened_there(client: TestClient) -> None:
    body = get(client, "/entities/place:darayya")
    timeline = [(t["date"], t["claim"]["id"]) for t in body["timeline"]]
    assert ("2012-08-20", DARAYYA) in timeline
    dates = [d for d, _ in timeline]
    dated = [d for d in dates if d is not None]
    assert dated == sorted(dated)
    assert dates.index(None) > dates.index("2012-08-20")  # undated entries come last


def test_the_claims_naming_a_record_come_a_page_at_a_time(client: TestClient) -> None:
    """Pages of 7 claims, walked by next_offset, hold what one page of 1000 holds, once each."""
    hub = "org:syrian-government-forces"
    whole = get(client, f"/entities/{hub}", limit=1000)
    assert whole["more"] is False
    assert whole["next_offset"] is None
    assert len(whole["claims"]) > 21, "enough claims for several pages"
    seen: list[str] = []
    offset: int | None = 0
    while offset is not None:
        page = get(client, f"/entities/{hub}", limit=7, offset=offset)
        assert page["offset"] == offset
        assert page["limit"] == 7
        assert len({c["id"] for c in page["claims"]}) <= 7
        seen += dict.fromkeys(c["id"] for c in page["claims"])
        offset = page["next_offset"]
        assert page["more"] is (offset is not None)
    assert len(seen) == len(set(seen))
    assert set(seen) == {c["id"] for c in whole["claims"]}
    assert get(client, f"/entities/{hub}")["limit"] == 100  # the default page
    assert client.get(f"/entities/{hub}", params={"limit": 1001}).status_code == 422


def test_a_records_page_links_to_its_next_claims_in_words(client: TestClient) -> None:
    hub = "org:syrian-government-forces"
    total = len({c["id"] for c in get(client, f"/entities/{hub}", limit=1000)["claims"]})
    assert total > 100, "more claims than one page of the record's page shows"
    first = client.get(f"/ui/entities/{hub}", params={"at": "2012-08-20"}).text
    (next_url,) = re.findall(r'href="([^"]+)" rel="next">Next claims</a>', first)
    assert html.unescape(next_url) == f"/ui/entities/{hub}?at=2012-08-20&offset=100#timeline"
    assert f"Claims 1{DASH}100" in first
    assert "Previous claims" not in first
    second = client.get(html.unescape(next_url).split("#")[0]).text
    assert f"Claims 101{DASH}{min(total, 200)}" in second
    assert "Previous claims" in second
    assert "offset" not in re.sub(r'href="[^"]*"', "", second), "no code words on the page"


DASH = "\N{EN DASH}"
IDLIB_DECEMBER_2011 = {"place": "place:idlib-governorate", "from": "2011-12", "to": "2011-12"}


def csv_of(client: TestClient, path: str, **params: Any) -> tuple[Any, list[list[str]]]:
    response = client.get(path, params={**params, "format": "csv"})
    assert response.status_code == 200, response.text
    return response, list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def test_the_event_list_downloads_as_csv_with_its_filters(client: TestClient) -> None:
    listed = get(client, "/events", **IDLIB_DECEMBER_2011, sort="-killed")
    response, (header, *rows) = csv_of(client, "/events", **IDLIB_DECEMBER_2011, sort="-killed")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="events.csv"'
    assert tuple(header) == tables.EVENT_HEADER
    assert len(rows) == listed["total"] >= 4
    assert [r[0] for r in rows] == [e["id"] for e in listed["items"]]  # same filter, same order
    zawiya = next(r for r in rows if r[0] == "event:jabal-al-zawiya-massacres-2011")
    assert zawiya[7] == zawiya[8] == ""  # no whole-event figure: only a part's count
    attributions = {r[0]: r[9] for r in rows}
    assert any("perpetrator" in cell for cell in attributions.values())


def test_the_csv_of_a_list_holds_every_event_a_page_at_a_time(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(events, "LIST_PAGE", 7)  # many round trips over the dataset's events
    listed = get(client, "/events", limit=1000)
    _, (_, *rows) = csv_of(client, "/events")
    assert len(rows) == listed["total"] > 7 * 10
    assert [r[0] for r in rows] == [e["id"] for e in listed["items"]]


def test_a_report_table_downloads_as_csv(client: TestClient) -> None:
    params = {"group_by": "party", "source": "source:003_25bd39c06e840184"}
    table = get(client, "/stats/events", **params)
    response, (header, *rows) = csv_of(client, "/stats/events", **params)
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert tuple(header) == tables.STATS_HEADER
    assert rows == [
        [r["key"], r["label"] or "", str(r["events"]), str(r["killed"])] for r in table["rows"]
    ]


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_csv_cells_a_spreadsheet_would_run_are_text(text: str) -> None:
    (row,) = list(csv.reader(io.StringIO(tables.lines([[text, "plain", 5]]))))
    assert row == ["'" + text, "plain", "5"]


@pytest.mark.parametrize("sort", ["date", "-date", "name", "-name", "place", "killed", "-killed"])
def test_events_sort_in_the_statement(client: TestClient, sort: str) -> None:
    items = get(client, "/events", limit=1000, sort=sort)["items"]
    key = sort.lstrip("-")
    if key == "killed":
        values = [e["max_killed"] for e in items if e["max_killed"] is not None]
        assert items[len(values) :] == [e for e in items if e["max_killed"] is None]  # last
    elif key == "place":
        values = [e["place"]["name"] for e in items if e["place"]]
    elif key == "name":
        values = [e["name"] for e in items]
    else:
        values = [e["start"] for e in items if e["start"]]
    assert values == sorted(values, reverse=sort.startswith("-"))
    assert len(set(values)) > 5


@pytest.mark.parametrize("sort", ["date", "-name", "place", "-killed"])
def test_events_walked_page_by_page_are_the_one_long_page_with_the_same_tolls(
    client: TestClient, sort: str
) -> None:
    """A page is cut before its tolls and places are read (where the order does not need
    them): small pages still join up into the long one, each event with its toll and place."""
    whole = get(client, "/events", limit=1000, sort=sort, min_killed=1)["items"]
    walked: list[dict[str, object]] = []
    while len(walked) < len(whole):
        page = get(client, "/events", limit=7, offset=len(walked), sort=sort, min_killed=1)
        assert page["items"], len(walked)
        walked += page["items"]
    assert walked == whole
    assert len(whole) > 20
    assert all(isinstance(e["max_killed"], int) and e["max_killed"] >= 1 for e in whole)
    assert sum(1 for e in whole if e["place"]) > 10


def test_an_unknown_sort_is_422(client: TestClient) -> None:
    response = client.get("/events", params={"sort": "e.name; DETACH DELETE e"})
    assert response.status_code == 422


RANGE_ON_PAGE = re.compile(
    r"Range of whole-event counts: (?:<strong>(\d+) to (\d+)</strong>|(no whole-event figure))"
)


def test_every_event_shows_one_figure_in_the_list_its_page_and_its_casualties(
    client: TestClient,
) -> None:
    listed = get(client, "/events", limit=1000)
    _, (_, *rows) = csv_of(client, "/events")
    ranges = {r[0]: (r[7] or None, r[8] or None) for r in rows}
    assert listed["total"] == len(listed["items"]) == len(ranges) > 100
    seen_figures = 0
    for item in listed["items"]:
        casualties = get(client, f"/events/{item['id']}/casualties")
        page = client.get(f"/ui/entities/{item['id']}").text
        shown = RANGE_ON_PAGE.search(page)
        assert shown, item["id"]
        on_page = (None, None) if shown[3] else (int(shown[1]), int(shown[2]))
        assert item["max_killed"] == casualties["high"] == on_page[1], item["id"]
        assert (casualties["low"], casualties["high"]) == on_page, item["id"]
        low, high = ranges[item["id"]]
        assert (int(low) if low else None, int(high) if high else None) == on_page, item["id"]
        seen_figures += on_page[1] is not None
    assert seen_figures > 20  # guard: the comparison is over real figures


def test_jabal_al_zawiya_reports_no_whole_event_figure_anywhere(client: TestClient) -> None:
    zawiya = "event:jabal-al-zawiya-massacres-2011"
    listed = get(client, "/events", **IDLIB_DECEMBER_2011)["items"]
    (item,) = [e for e in listed if e["id"] == zawiya]
    casualties = get(client, f"/events/{zawiya}/casualties")
    assert any(e["scope"] and e["killed"] for e in casualties["estimates"])  # a part's count
    assert item["max_killed"] is None is casualties["high"]


def test_the_event_list_page_filters_sorts_pages_and_links_its_csv(client: TestClient) -> None:
    response = client.get("/ui/events", params={**IDLIB_DECEMBER_2011, "sort": "-killed"})
    assert response.status_code == 200, response.text
    page = response.text
    total = get(client, "/events", **IDLIB_DECEMBER_2011)["total"]
    assert f"Events 1{DASH}{total} of {total}" in page
    assert "no whole-event figure" in page
    (csv_link,) = re.findall(r'href="(/events\?[^"]*)"', page)
    query = parse_qs(urlsplit(html.unescape(csv_link)).query)
    assert query == {k: [v] for k, v in IDLIB_DECEMBER_2011.items()} | {
        "sort": ["-killed"],
        "format": ["csv"],
    }
    assert 'aria-sort="descending"' in page
    assert "None" not in page
    assert "perpetrator" in page
    everything = client.get("/ui/events").text
    assert f"Events 1{DASH}50 of" in everything
    assert 'rel="next"' in everything


@pytest.mark.parametrize(
    "params", [{"min_killed": "many"}, {"from": "December 2011"}, {"sort": "colour"}]
)
def test_a_bad_filter_on_the_event_list_is_an_error_page(
    client: TestClient, params: dict[str, str]
) -> None:
    response = client.get("/ui/events", params=params)
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("text/html")


def test_a_blank_filter_on_the_event_list_filters_nothing(client: TestClient) -> None:
    blank = {"from": "", "to": "", "place": "", "perpetrator": "", "type": "", "min_killed": ""}
    response = client.get("/ui/events", params={**blank, "source": ""})
    assert response.status_code == 200
    total = get(client, "/events")["total"]
    assert f"of {total}" in response.text


def test_the_report_table_page_links_its_csv(client: TestClient) -> None:
    response = client.get("/ui/stats", params={"group_by": "governorate"})
    assert response.status_code == 200
    assert 'href="/stats/events?group_by=governorate&amp;format=csv"' in response.text


@pytest.mark.parametrize(
    ("params", "statements"), [({}, 3), ({"perpetrator": AFID, "include_subordinates": "true"}, 4)]
)
def test_a_page_of_the_event_list_costs_a_constant_number_of_statements(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, params: dict[str, str], statements: int
) -> None:
    """The counts, the page, and the page's attributions and figures in one, however many
    events the page holds: not one statement per event. The subordinates are one statement
    more; the counts are kept, so the next ask is one statement fewer."""
    asked: list[str] = []
    rows = Reader.rows

    async def counted(self: Reader, query: str, **values: Any) -> list[dict[str, Any]]:
        asked.append(query)
        return await rows(self, query, **values)

    monkeypatch.setattr(Reader, "rows", counted)
    kept.forget()
    response = client.get("/ui/events", params=params)
    assert response.status_code == 200
    assert len(asked) == statements
    assert client.get("/ui/events", params=params).status_code == 200
    assert len(asked) == 2 * statements - 1
