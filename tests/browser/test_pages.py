"""Investigators' paths through the pages, in a real Chromium, with nothing fetched off-machine."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

from tests.browser.conftest import Visit

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


def test_the_event_network_view_draws_its_nodes(visit: Visit) -> None:
    page = visit.open(f"/views/events/{DARAYYA}")
    page.wait_for_function("typeof network !== 'undefined' && nodes.length > 0")
    assert page.locator("#mynetwork canvas").count() == 1
    ids = page.evaluate("nodes.getIds()")
    assert {DARAYYA, "org:shabiha", "person:qahtan-khalil", "place:darayya"} <= set(ids)
    dashed = page.evaluate("edges.get().filter(e => e.dashes).length")
    assert dashed > 0  # hedged or possible links are drawn dashed
    assert any(r.endswith("/static/vis-network.min.js") for r in visit.requests)
    visit.shot("darayya-network")


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
