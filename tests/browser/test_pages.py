"""Investigators' paths through the pages, in a real Chromium, with nothing fetched off-machine."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import time
import zipfile
from pathlib import Path
from urllib.parse import quote, unquote

import httpx
from playwright.sync_api import Page

from api.security import Role, TokenStore, tokens_path
from api.sessions import SESSION_COOKIE
from ontology.model import load as load_ontology
from ontology.words import vocabulary
from tests.browser.conftest import ARTIFACTS, Visit
from tests.conftest import DefaultDataset, default_records

DARAYYA = "event:darayya-massacre-2012"
AFID = "org:air-force-intelligence-directorate"


def test_search_darayya_open_the_event_and_see_attributions_and_tolls(visit: Visit) -> None:
    page = visit.open("/ui")
    page.get_by_label("Search names, places, events").fill("Darayya")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("heading", name=re.compile(r"^Event \(\d+\)$")).wait_for()
    page.get_by_role("link", name="Darayya massacre").first.click()
    page.get_by_role("heading", name="Attributions").wait_for()
    attributions = page.locator("#attributions + p + table").inner_text()
    assert "Shabiha" in attributions
    assert "Syrian Observatory for Human Rights" in page.content()
    tolls = page.locator("#casualties ~ table").first.inner_text()
    for figure in ("320", "270", "700"):
        assert figure in tolls
    assert "200 to 700" in page.locator("#casualties + p").inner_text()
    visit.shot("darayya-event")


def test_search_tells_namesakes_apart_in_either_script(visit: Visit) -> None:
    page = visit.open("/ui")
    box = page.get_by_label("Search names, places, events")
    assert box.get_attribute("dir") == "auto"
    box.fill("درعا")
    page.get_by_role("button", name="Search").click()
    places = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Place")))
    items = places.locator("li").all_inner_texts()
    assert any(i.startswith("Daraa Governorate, in Syria") for i in items), items
    assert any(i.startswith("Daraa City, in Daraa") for i in items), items
    assert page.locator("main li a bdi[dir=auto]").count() == len(page.locator("main li").all())
    page = visit.open("/ui/search?q=Darayya+massacre")
    event = page.locator("li", has=page.get_by_role("link", name="Darayya massacre", exact=True))
    assert "Event, in Darayya, 2012-08-20 to 2012-08-25" in event.inner_text()
    visit.shot("search-daraa")


def test_the_event_network_view_draws_its_nodes(visit: Visit) -> None:
    page = visit.open(f"/views/events/{DARAYYA}")
    page.wait_for_function(NETWORK_DRAWN)
    assert page.locator("#mynetwork canvas").count() == 1
    ids = page.evaluate("nodes.getIds()")
    assert {DARAYYA, "org:shabiha", "person:qahtan-khalil", "place:darayya"} <= set(ids)
    dashed = page.evaluate("edges.get().filter(e => e.dashes).length")
    assert dashed > 0  # hedged or possible links are drawn dashed
    assert any(r.endswith("/static/vis-network.min.js") for r in visit.requests)
    visit.shot("darayya-network")


# Predicates are functions: Playwright evaluates the text once (as DevTools, past the
# page's CSP) and keeps a function, but evaluates a bare expression again on every poll,
# which the CSP refuses as eval.
NETWORK_DRAWN = "() => typeof network !== 'undefined' && nodes.length > 0"
# Settled: physics off, or stabilised with the simulation stopped (vis-network says
# "stabilized" once, so a view that settled before we listen must not be waited for).
SETTLED = """() => new Promise((done) => {
  const physics = network.physics;
  const still = physics.ready && physics.stabilized && physics.viewFunction === undefined;
  if (!physics.options.enabled || still) { done(true); return; }
  network.once("stabilized", () => done(true));
  setTimeout(() => done(true), 15000);
})"""
OVERLAPS = """() => {
  const boxes = nodes.getIds().map((id) => [id, network.getBoundingBox(id)]);
  const found = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, p] = boxes[i], [b, q] = boxes[j];
      if (p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom) {
        found.push([a, b]);
      }
    }
  }
  return found;
}"""


def test_network_views_keep_labels_apart_and_a_click_opens_the_page(visit: Visit) -> None:
    khalil = "person:qahtan-khalil"
    for path in (
        "/views/units/org:abu-ali-al-lahham-group/chain?at=2023-11-10",
        f"/views/events/{DARAYYA}",
        f"/views/persons/{khalil}/exposure",
    ):
        page = visit.open(path)
        page.wait_for_function(NETWORK_DRAWN)
        page.evaluate(SETTLED)
        assert page.evaluate(OVERLAPS) == [], path
    # Chains are drawn top-down: the unit above sits higher than the unit below.
    page = visit.open("/views/units/org:abu-ali-al-lahham-group/chain?at=2023-11-10")
    page.wait_for_function(NETWORK_DRAWN)
    y = page.evaluate("network.getPositions()")
    assert y[AFID]["y"] < y["org:abu-ali-al-lahham-group"]["y"]
    visit.shot("lahham-chain-hierarchy")
    # A click on a node opens its page.
    page = visit.open(f"/views/persons/{khalil}/exposure")
    page.wait_for_function(NETWORK_DRAWN)
    page.evaluate(SETTLED)
    spot = page.evaluate(f"network.canvasToDOM(network.getPositions(['{AFID}'])['{AFID}'])")
    box = page.locator("#mynetwork canvas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])
    page.wait_for_url(lambda url: unquote(url).endswith(f"/ui/entities/{AFID}"))


def test_open_the_case_file_and_download_the_zip(visit: Visit) -> None:
    page = visit.open(f"/ui/casefiles/{DARAYYA}")
    page.get_by_text("This is an evidence map, not a legal conclusion").wait_for()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="ZIP").click()
    data = Path(download_info.value.path()).read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(data))
    for line in archive.read("manifest.sha256").decode().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    visit.shot("darayya-casefile")


def test_change_the_date_on_a_unit_page_and_the_chain_changes(visit: Visit) -> None:
    page = visit.open(f"/ui/entities/{AFID}?at=2012-08-20")
    chain = page.locator("#chain ~ table").first
    assert "Gap: nobody on record" in chain.inner_text()
    assert "Qahtan Khalil" not in chain.inner_text()
    page.get_by_label("As of").fill("2024-06-01")
    page.get_by_role("button", name="Show the chain then").click()
    page.wait_for_url("**at=2024-06-01")
    chain = page.locator("#chain ~ table").first
    assert "Qahtan Khalil" in chain.inner_text()
    assert "possible" in chain.inner_text()
    visit.shot("afid-chain-2024")


def test_a_unit_page_shows_it_over_time_and_defaults_to_its_latest_evidence(
    visit: Visit,
) -> None:
    page = visit.open(f"/ui/entities/{AFID}")
    assert (
        "the latest date this unit's evidence covers"
        in page.locator("#chain ~ p").first.inner_text()
    )
    commanders = page.locator("#commanders + table").inner_text()
    assert all(word in commanders for word in ("Qahtan Khalil", "2024-01")), commanders
    posted = page.locator("#posted + table").inner_text()
    assert all(word in posted for word in ("officer", "2012-08", "2021")), posted
    below = page.locator("#subordinates + table").inner_text()
    assert all(word in below for word in ("Abu Ali al-Lahham", "affiliation")), below
    listed = page.locator("#events ~ table").first.inner_text()
    assert "Mahmoud Saeed al-Kafri" in listed
    page.get_by_label("To").fill("2020")
    page.get_by_role("button", name="Show these events").click()
    page.wait_for_url("**to=2020**")
    assert "Mahmoud Saeed al-Kafri" not in page.locator("#events ~ table").first.inner_text()
    visit.open(f"/ui/entities/{AFID}")
    visit.shot("afid-unit-page")


PAGES = [
    "/ui/search?q=Abu+Amin",
    "/ui/search?q=Observer",
    "/ui/entities/event:qoqfin-artillery-massacre-2023-11-25",
    "/ui/entities/person:observer-abu-amin-80",
    "/ui/casefiles/event:qoqfin-artillery-massacre-2023-11-25",
    "/ui/entities/source:001_b419b2e21b5aac12",
    "/ui/entities/place:al-ftatra-site",
    "/views/events/event:qoqfin-artillery-massacre-2023-11-25",
    "/views/neighbourhood/event:qoqfin-artillery-massacre-2023-11-25?depth=2",
]


def test_the_public_never_sees_a_restricted_identity(visit: Visit) -> None:
    for path in PAGES:
        page = visit.open(path)
        text = page.content()
        assert "Observer Abu Amin 80" not in text, path
    visit.shot("public-redacted")


def test_the_policy_blocks_a_script_the_page_did_not_bring(visit: Visit) -> None:
    """What an injected script would meet: Chromium refuses to run it and reports why."""
    for path in ("/ui", f"/views/events/{DARAYYA}"):
        page = visit.open(path)
        with page.expect_console_message(lambda m: "Content Security Policy" in m.text) as report:
            ran = page.evaluate(
                """() => {
                    const script = document.createElement("script");
                    script.textContent = "window.injected = true";
                    document.head.appendChild(script);
                    return window.injected === true;
                }"""
            )
        assert ran is False, path
        assert "script-src" in report.value.text
        visit.blocked.clear()  # expected here; any other report fails the test


def test_the_api_documentation_works_offline(visit: Visit) -> None:
    """/docs draws Swagger UI from this server's own copy, and it reads the OpenAPI document."""
    page = visit.open("/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Silsila" in page.locator(".swagger-ui .info .title").inner_text()
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/units/{unit_id}/chain" in " ".join(paths)
    assert any(r.endswith("/static/swagger-ui-bundle.js") for r in visit.requests)
    visit.shot("api-docs")


def test_sign_in_see_the_role_on_every_page_and_sign_out(
    visit: Visit, shared_dataset: DefaultDataset
) -> None:
    _, token = TokenStore(tokens_path(shared_dataset.settings)).create(Role.investigator)
    page = visit.open("/ui/search?q=Abu+Amin")
    assert "Public view" in page.locator("#viewer").inner_text()
    assert "Observer Abu Amin 80" not in page.content()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Token").fill(token + "x")
    page.get_by_role("button", name="Sign in").click()
    assert "not one this server knows" in page.locator("main").inner_text()
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/ui/search?q=Abu+Amin")  # back where the visitor was
    banner = page.locator("#viewer")
    assert "Signed in as investigator" in banner.inner_text()
    assert "Observer Abu Amin 80" in page.content()  # the role's view, from the cookie alone
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("header").screenshot(path=str(ARTIFACTS / "signed-in-banner.png"))
    [session] = [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Strict"
    assert 0 < session["expires"] - time.time() <= 8 * 3600
    assert token not in session["value"]
    for path in ("/ui", f"/ui/entities/{AFID}", "/ui/nothing"):
        assert "Signed in as investigator" in visit.open(path).locator("#viewer").inner_text()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/ui")
    assert "Public view" in page.locator("#viewer").inner_text()
    assert all(c["name"] != SESSION_COOKIE for c in page.context.cookies())
    assert "Observer Abu Amin 80" not in visit.open("/ui/search?q=Abu+Amin").content()
    assert not [r for r in visit.requests if token in r], "the token went into a URL"


def _first_shown_of_each_kind() -> dict[str, list[str]]:
    """Ids of the default dataset by record type, and by kind for events, organisations and
    places: each kind's page is one page type."""
    kinds: dict[str, list[str]] = {}
    for record in default_records():
        if record.properties.get("restricted"):
            continue
        kind = next(
            (
                str(record.properties[k])
                for k in ("event_kind", "org_kind", "place_kind")
                if k in record.properties
            ),
            "",
        )
        kinds.setdefault(f"{record.label} {kind}".strip(), []).append(record.id)
    return kinds


def _codes() -> tuple[set[str], set[str]]:
    """The ontology's codes (allowed and kind values): those with an underscore, never to be
    seen in a page's text; and single-word ones with words of their own (`member`), never to be
    a table cell or list item by themselves."""
    ontology = load_ontology()
    codes = {v for p in ontology.properties for v in p.allowed}
    codes |= {c.kind_value for c in ontology.classes if c.kind_value}
    joined = {c for c in codes if "_" in c}
    worded = {
        code
        for values in vocabulary().values.values()
        for code, shown in values.items()
        if shown != code and re.fullmatch(r"[a-z]+", code)
    }
    return joined, worded


def _internals_shown(page: Page, ids: set[str], joined: set[str], worded: set[str]) -> list[str]:
    text = page.locator("body").inner_text()
    found = [f"id {i}" for i in ids if i in text]
    found += [f"code {c}" for c in joined if re.search(rf"(?<![\w-]){c}(?![\w-])", text)]
    cells = {t.strip() for t in page.locator("td, th, li, h1 small").all_inner_texts()}
    found += [f"code {c} as a cell" for c in worded & cells]
    found += [f"{w!r}" for w in re.findall(r"\bNone\b", text)]
    found += [p for p in ("is a Organization", "not cited", "the source itself") if p in text]
    return found


def test_every_page_type_speaks_in_words_not_codes_ids_or_none(visit: Visit) -> None:
    ids = {r.id for r in default_records() if r.id}
    joined, worded = _codes()
    assert {"bodies_found", "at_least", "killing_by_gunfire"} <= joined
    assert "member" in worded
    pages = [
        "/ui",
        "/ui/search?q=Darayya",
        "/ui/sign-in",
        "/ui/nothing",
        f"/ui/entities/{AFID}?at=25-08-2012",
        "/ui/entities/person:nobody",
    ]
    shown: dict[str, list[str]] = {}
    for kind, candidates in sorted(_first_shown_of_each_kind().items()):
        for record_id in candidates[:5]:  # the first the public may see, if any
            response = visit.page.goto(f"{visit.base}/ui/entities/{quote(record_id)}")
            assert response is not None
            if response.status == 200:
                shown[f"{kind} ({record_id})"] = _internals_shown(visit.page, ids, joined, worded)
                break
    for path in pages:
        response = visit.page.goto(visit.base + path)
        assert response is not None
        assert response.headers["content-type"].startswith("text/html"), path
        shown[path] = _internals_shown(visit.page, ids, joined, worded)
    assert "YYYY-MM-DD" in visit.open(f"/ui/entities/{AFID}?at=25-08-2012").inner_text("main")
    assert len([k for k in shown if not k.startswith("/")]) >= 40  # record types and kinds
    assert {k: v for k, v in shown.items() if v} == {}


def test_list_idlib_events_of_december_2011_sort_them_and_download_the_csv(visit: Visit) -> None:
    page = visit.open("/ui/events")
    page.get_by_label("From").fill("2011-12")
    page.get_by_label("To", exact=True).fill("2011-12")
    page.get_by_label("Place (everything inside it too)").fill("place:idlib-governorate")
    page.get_by_role("button", name="Show events").click()
    page.wait_for_url("**place=place%3Aidlib-governorate**")
    summary = page.get_by_role("navigation", name="Pages of events").inner_text()
    total = int(re.search(r"of (\d+)", summary)[1])  # type: ignore[index]
    assert total >= 4
    table = page.locator("#events")
    assert "Jabal al-Zawiya" in table.inner_text()
    assert "no whole-event figure" in table.inner_text()
    page.get_by_role("link", name="Event", exact=True).click()
    page.wait_for_url("**sort=name**")
    heading = page.locator("#events th[aria-sort='ascending']")
    assert heading.inner_text().startswith("Event")
    names = page.locator("#events tbody tr td:nth-child(2)").all_inner_texts()
    assert names == sorted(names)
    assert len(names) == total
    page.get_by_role("link", name="Event", exact=True).click()  # again: the other way
    page.wait_for_url("**sort=-name**")
    assert page.locator("#events tbody tr td:nth-child(2)").all_inner_texts() == names[::-1]
    visit.shot("event-list-idlib-2011-12")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as CSV").click()
    download = download_info.value
    assert download.suggested_filename == "events.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0][:2] == ["id", "name"]
    assert len(rows) - 1 == total
    assert any(r[0] == "event:jabal-al-zawiya-massacres-2011" for r in rows)


def _offered(page: Page, field: str, text: str) -> list[tuple[str, str]]:
    """Type TEXT in a filter and wait for the names its picker offers, each with what it is."""
    box = page.locator(f"input[name={field}]")
    with page.expect_response(lambda r: "/search?" in r.url and r.status == 200):
        box.fill(text)
    page.locator(f"#{field}-names[data-offered-for='{text}']").wait_for(state="attached")
    options = page.locator(f"#{field}-names option")
    return [(str(o.get_attribute("value")), str(o.get_attribute("label"))) for o in options.all()]


def test_type_a_name_in_the_event_filters_pick_it_and_get_the_filtered_list(
    visit: Visit,
) -> None:
    ids = {r.id for r in default_records() if r.id}
    joined, worded = _codes()
    page = visit.open("/ui/events")
    for label in ("Perpetrator", "Place (everything inside it too)"):
        assert page.get_by_label(label).get_attribute("dir") == "auto"
    offered = _offered(page, "perpetrator", "Air Force Intelligence")
    assert ("Air Force Intelligence Directorate", "Organization") in offered, offered
    assert not [o for o in offered if re.search(r"\w:\w|_|None", " ".join(o))], offered
    page.get_by_label("Perpetrator").fill("Air Force Intelligence Directorate")  # as picked
    page.get_by_label("With subordinate units").check()
    page.get_by_role("button", name="Show events").click()
    page.wait_for_url("**perpetrator=Air+Force+Intelligence+Directorate**")
    below = {"perpetrator": AFID, "include_subordinates": "true"}
    total = httpx.get(f"{visit.base}/events", params=below).json()["total"]
    assert total > 0
    summary = page.get_by_role("navigation", name="Pages of events").inner_text()
    assert f"of {total}" in summary
    assert page.get_by_label("Perpetrator").input_value() == "Air Force Intelligence Directorate"
    assert page.locator("input[name=perpetrator_id]").input_value() == AFID
    assert _internals_shown(page, ids, joined, worded) == []
    # A name several places answer to: a page asks which, in words.
    page.get_by_label("Perpetrator").fill("")
    page.get_by_label("With subordinate units").uncheck()
    page.get_by_label("From").fill("2011-12")
    page.get_by_label("To", exact=True).fill("2011-12")
    offered = _offered(page, "place", "Idlib")
    # Namesakes: the governorate and the city are both "Idlib", told apart by what they are.
    assert ("Idlib", "Governorate, in Syria") in offered, offered
    assert [w for n, w in offered if n == "Idlib" and w.startswith("City")], offered
    page.get_by_label("Place (everything inside it too)").fill("Idlib")  # as picked
    page.get_by_role("button", name="Show events").click()
    page.get_by_role("heading", name="Which place do you mean by “Idlib”?").wait_for()
    choices = page.locator("#choices li").all_inner_texts()
    assert [c for c in choices if c.startswith("Idlib Governorate, in Syria")], choices
    assert [c for c in choices if c.startswith("Idlib City")], choices
    assert _internals_shown(page, ids, joined, worded) == []
    visit.shot("event-list-which-idlib")
    governorate = page.locator("#choices li", has_text="Idlib Governorate, in Syria")
    governorate.get_by_role("link", name="Idlib", exact=True).click()
    page.wait_for_url("**place_id=place:idlib-governorate**")
    expected = httpx.get(
        f"{visit.base}/events",
        params={"place": "place:idlib-governorate", "from": "2011-12", "to": "2011-12"},
    ).json()["total"]
    assert expected >= 4
    summary = page.get_by_role("navigation", name="Pages of events").inner_text()
    assert f"of {expected}" in summary
    assert "Jabal al-Zawiya" in page.locator("#events").inner_text()
    assert page.get_by_label("Place (everything inside it too)").input_value() == "Idlib"
    page.get_by_role("button", name="Show events").click()  # sent again: the same place
    page.wait_for_url("**place=Idlib&place_id=place%3Aidlib-governorate**")
    assert f"of {expected}" in page.get_by_role("navigation", name="Pages of events").inner_text()
    visit.shot("event-list-picked-idlib")
    # A name nobody has, and a restricted identity, which the public is never offered.
    page.get_by_label("Place (everything inside it too)").fill("Qzxwv")
    page.get_by_role("button", name="Show events").click()
    alert = page.get_by_role("alert").inner_text()
    assert "No place on record is called “Qzxwv”" in alert
    assert page.locator("#events").count() == 0
    offered = _offered(page, "perpetrator", "Observer Abu Amin")
    assert not [name for name in offered if "Observer" in name], offered
    page.get_by_label("Perpetrator").fill("Observer Abu Amin 80")
    page.get_by_label("Place (everything inside it too)").fill("")
    page.get_by_role("button", name="Show events").click()
    assert "No perpetrator on record is called" in page.get_by_role("alert").inner_text()


def _settled(page: Page) -> None:
    page.wait_for_function(NETWORK_DRAWN)
    page.evaluate(SETTLED)


def test_a_click_in_the_neighbourhood_view_adds_that_nodes_neighbours_in_place(
    visit: Visit, shared_dataset: DefaultDataset
) -> None:
    # What a click adds is read as the page is: a restricted identity only for a role.
    _, token = TokenStore(tokens_path(shared_dataset.settings)).create(Role.investigator)
    data = f"{visit.base}/views/neighbourhood/event:qoqfin-artillery-massacre-2023-11-25/data"
    signed_in = httpx.get(data, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert "Observer Abu Amin 80" in signed_in.text
    public = httpx.get(data, timeout=60)
    assert public.status_code == 200
    assert public.json()["nodes"]
    assert "Observer Abu Amin 80" not in public.text
    page = visit.open("/views/neighbourhood/place:darayya")
    _settled(page)
    before = set(page.evaluate("nodes.getIds()"))
    edges_before = page.evaluate("edges.length")
    assert DARAYYA in before
    assert "org:shabiha" not in before
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    spot = page.evaluate(f"network.canvasToDOM(network.getPositions(['{DARAYYA}'])['{DARAYYA}'])")
    box = page.locator("#mynetwork canvas").bounding_box()
    assert box is not None
    with page.expect_response(lambda r: r.url.endswith("/data") and r.status == 200) as answer:
        page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])
    assert unquote(answer.value.url).endswith(f"/views/neighbourhood/{DARAYYA}/data")
    page.wait_for_function(f"() => nodes.length > {len(before)}")
    after = set(page.evaluate("nodes.getIds()"))
    assert before < after
    assert {"org:shabiha", "person:qahtan-khalil"} & after
    assert page.evaluate("edges.length") > edges_before
    status = page.locator("#grown").inner_text()
    assert re.fullmatch(r"Added \d+ records? linked to Darayya massacre\.( .*)?", status), status
    assert navigations == []  # the view grew; nothing reloaded
    assert unquote(page.url).endswith("/views/neighbourhood/place:darayya")
    page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])  # again: nothing to add twice
    assert len(set(page.evaluate("nodes.getIds()"))) == len(after)
    visit.shot("neighbourhood-grown-in-place")


TOOLTIP_INSIDE = """() => {
  const tip = document.querySelector("div.vis-tooltip");
  return tip !== null && tip.style.visibility !== "hidden" && tip.textContent.length > 0;
}"""


def test_a_tooltip_near_the_right_edge_stays_inside_the_framed_view(visit: Visit) -> None:
    visit.page.set_viewport_size({"width": 1100, "height": 900})
    page = visit.open("/ui/entities/place:darayya")
    iframe = page.locator("iframe.view")
    iframe.scroll_into_view_if_needed()
    frame = page.frame_locator("iframe.view")
    view = next(f for f in page.frames if "/views/neighbourhood/" in f.url)
    view.wait_for_function(NETWORK_DRAWN)
    view.evaluate(SETTLED)
    # The longest tooltip's node, put 10 pixels from the view's right edge.
    node = view.evaluate(
        "nodes.get().sort((a, b) => b.title.length - a.title.length"
        " || (a.id < b.id ? -1 : 1))[0].id"
    )
    spot = view.evaluate(
        f"""() => {{
          network.setOptions({{physics: false}});
          const box = document.getElementById("mynetwork").getBoundingClientRect();
          const at = {{x: box.width - 10, y: box.height / 2}};
          network.moveNode({node!r}, network.DOMtoCanvas(at).x, network.DOMtoCanvas(at).y);
          network.redraw();
          return network.canvasToDOM(network.getPositions([{node!r}])[{node!r}]);
        }}"""
    )
    canvas = frame.locator("#mynetwork canvas").bounding_box()
    outer = iframe.bounding_box()
    assert canvas is not None
    assert outer is not None
    page.mouse.move(canvas["x"] + spot["x"] - 30, canvas["y"] + spot["y"])
    page.mouse.move(canvas["x"] + spot["x"], canvas["y"] + spot["y"], steps=5)
    view.wait_for_function(TOOLTIP_INSIDE)
    tip = frame.locator("div.vis-tooltip").bounding_box()
    assert tip is not None
    assert tip["width"] > 0
    assert canvas["x"] + spot["x"] > outer["x"] + outer["width"] - 40  # hovered at the edge
    size = page.viewport_size
    assert size is not None
    for container in (outer, {"x": 0, "y": 0, **size}):
        assert tip["x"] >= container["x"], (tip, container)
        assert tip["y"] >= container["y"], (tip, container)
        assert tip["x"] + tip["width"] <= container["x"] + container["width"], (tip, container)
        assert tip["y"] + tip["height"] <= container["y"] + container["height"], (tip, container)
    visit.shot("tooltip-inside-frame")
