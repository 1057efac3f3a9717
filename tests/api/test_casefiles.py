"""Case files on the default dataset: footnotes, the Article 28 map, formats, the audit log."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from api.security import Role, TokenStore, tokens_path
from graph.db.settings import Settings
from graph.reads.casefile import PUBLIC_NOTICE, RESTRICTED_NOTICE
from tests.conftest import cli_env, silsila

DARAYYA = "event:darayya-massacre-2012"
KHALIL = "person:qahtan-khalil"
IDLIB_ATTACK = "event:idlib-city-rocket-attack-2023-12-09"


@pytest.fixture
def client(dataset_client: TestClient) -> TestClient:
    return dataset_client


MADE = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")


def unstamped(data: bytes) -> dict[str, bytes]:
    """A zip's files with the time of making blanked: the rest is reproducible."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {
        n: MADE.sub(b"MADE", archive.read(n)) for n in archive.namelist() if n != "manifest.sha256"
    }


def casefile(client: TestClient, subject: str, fmt: str = "json") -> bytes:
    response = client.get(f"/casefiles/{subject}", params={"format": fmt})
    assert response.status_code == 200, response.text
    return response.content


def test_every_statement_is_footnoted_to_a_real_citation(client: TestClient) -> None:
    case = json.loads(casefile(client, DARAYYA))
    notes = case["footnotes"]
    statements = case["identity"] + case["timeline"] + case["sanctions"]
    statements += [s for e in case["events"] for s in e["statements"]]
    statements += [s for el in case["article_28a"] for s in el["evidence"] + el["context"]]
    assert statements
    for statement in statements:
        assert statement["notes"], statement["text"]
        for n in statement["notes"]:
            assert 1 <= n <= len(notes)
    assert all(note["quote"] and note["source"] for note in notes)
    sources = {b["source"] for b in case["bibliography"]}
    assert sources == {note["source"] for note in notes}


def test_the_article_28_map_names_its_gaps_and_says_what_it_is(client: TestClient) -> None:
    case = json.loads(casefile(client, KHALIL))
    assert "not a legal conclusion" in case["notice"]
    elements = {e["element"]: e for e in case["article_28a"]}
    assert list(elements) == [
        "28(a)(i) commander",
        "28(a)(ii) control",
        "28(a)(iii) knowledge",
        "28(a)(iv) failure",
    ]
    commander = elements["28(a)(i) commander"]
    # The 2024 appointment is context for the 2012 massacre, not evidence of a post then.
    assert not any("head of SAFI" in s["text"] for s in commander["evidence"])
    assert any("head of SAFI" in s["text"] for s in commander["context"])
    assert any("officer of Air Force Intelligence" in s["text"] for s in commander["evidence"])
    assert (commander["sources"], commander["single_source"] is not None) == (1, True)
    (promoted,) = elements["28(a)(iv) failure"]["evidence"]
    assert promoted["text"].startswith("Promoted — Qahtan Khalil: “Khalil was named head of SAFI")
    assert promoted["text"].endswith("(11 years after the event)")
    assert elements["28(a)(ii) control"]["gap"] == "No evidence in the graph."
    darayya = [e for e in case["events"] if e["event"]["id"] == DARAYYA]
    assert (darayya[0]["low"], darayya[0]["high"]) == (200, 700)


def test_markdown_and_html_carry_the_footnotes(client: TestClient) -> None:
    markdown = casefile(client, DARAYYA, "md").decode()
    assert markdown.startswith("# Case file: Darayya massacre")
    referenced = set(re.findall(r"\[\^(\d+)\](?!:)", markdown))
    defined = set(re.findall(r"^\[\^(\d+)\]:", markdown, flags=re.M))
    assert referenced == defined
    html = casefile(client, DARAYYA, "html").decode()
    assert "<bdi>مجزرة داريا</bdi>" in html or "مجزرة داريا" in html
    assert 'href="/casefiles/event:darayya-massacre-2012?format=zip"' in html
    assert "http://" not in html
    assert "https://" not in html


def test_a_persons_case_file_draws_the_chain_in_markdown_and_html(client: TestClient) -> None:
    markdown = casefile(client, KHALIL, "md").decode()
    # Drawn at the Darayya massacre, not at his 2024 appointment: nobody is on record then.
    assert "### Air Force Intelligence Directorate, as of 2012-08-20\n" in markdown
    assert "- Air Force Intelligence Directorate: gap: nobody on record\n" in markdown
    assert "as of 2024-01" not in markdown
    html = casefile(client, KHALIL, "html").decode()
    assert "<h3>Air Force Intelligence Directorate, as of 2012-08-20</h3>" in html
    assert (
        'Air Force Intelligence Directorate: <span class="gap">gap: nobody on record</span></li>'
        in html
    )
    assert '<li class="gap">No evidence in the graph.</li>' in html
    assert "<script" not in html


def test_a_chain_standing_the_same_at_several_dates_is_drawn_once_saying_when(
    client: TestClient,
) -> None:
    unit = "org:syrian-government-forces"
    chains = json.loads(casefile(client, unit))["chains"]
    markdown = casefile(client, unit, "md").decode()
    drawn = [
        line for line in markdown.splitlines() if line.startswith("### ") and ", as of " in line
    ]
    assert len(drawn) == len(chains)
    # Commanders only: the others posted there, at every date, are for /units/{id}/chain.
    assert all(
        "posted" not in level and "commanders" in level for c in chains for level in c["levels"]
    )
    shared = next(c for c in chains if c["also_at"])
    dates = ", ".join(shared["also_at"])
    heading = f", as of {shared['at']} (standing the same on {len(shared['also_at'])} other "
    assert any(heading in line and line.endswith(f" of the case: {dates})") for line in drawn)


def test_the_zip_holds_json_html_and_a_true_manifest(client: TestClient) -> None:
    archive = zipfile.ZipFile(io.BytesIO(casefile(client, DARAYYA, "zip")))
    assert sorted(archive.namelist()) == ["casefile.html", "casefile.json", "manifest.sha256"]
    manifest = archive.read("manifest.sha256").decode().splitlines()
    assert len(manifest) == 2
    for line in manifest:
        digest, name = line.split("  ")
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    assert unstamped(casefile(client, DARAYYA, "zip")) == unstamped(
        casefile(client, DARAYYA, "zip")
    )


def test_every_fetch_is_audited_without_restricted_ids(
    client: TestClient, settings: Settings
) -> None:
    casefile(client, KHALIL, "md")
    entries = [json.loads(x) for x in (settings.state_dir / "audit.jsonl").read_text().splitlines()]
    last = entries[-1]
    assert (last["action"], last["target"], last["role"]) == ("casefile", KHALIL, "public")
    assert "at" in last
    assert "observer-abu-amin" not in (settings.state_dir / "audit.jsonl").read_text()


def test_only_people_units_and_events_have_case_files(client: TestClient) -> None:
    place = client.get("/casefiles/place:darayya")
    assert place.status_code == 422
    assert "made for a person, a unit or an event" in place.text
    unit = client.get("/casefiles/org:air-force-intelligence-directorate")
    assert unit.status_code == 200
    assert unit.json()["kind"] == "unit"
    assert client.get("/casefiles/person:nobody").status_code == 404
    assert client.get("/casefiles/person:observer-abu-amin-80").status_code == 404


def test_cli_writes_the_same_zip(client: TestClient, settings: Settings, tmp_path: Path) -> None:
    output = tmp_path / "case.zip"
    silsila(
        "casefile",
        DARAYYA,
        *("--format", "zip", "--output", str(output)),
        env=cli_env(settings),
        check=True,
    )
    assert unstamped(output.read_bytes()) == unstamped(casefile(client, DARAYYA, "zip"))


def test_the_cli_makes_the_public_version_unless_asked_for_the_restricted_one(
    settings: Settings,
) -> None:
    made = [
        json.loads(
            silsila("casefile", KHALIL, "--format", "json", *flag, env=cli_env(settings)).stdout
        )
        for flag in ((), ("--restricted",))
    ]
    assert [m["access"] for m in made] == ["public", "restricted"]
    assert made[1]["access_notice"].startswith("RESTRICTED")


def investigator(client: TestClient, settings: Settings) -> dict[str, str]:
    _, token = TokenStore(tokens_path(settings)).create(Role.investigator)
    return {"Authorization": f"Bearer {token}"}


def test_footnote_markers_are_separated_and_link_to_their_notes(client: TestClient) -> None:
    html = casefile(client, KHALIL, "html").decode()
    markers = re.findall(r'<sup class="fn">(.*?)</sup>', html)
    assert any(len(re.findall(r"<a ", m)) > 1 for m in markers)  # several notes on one statement
    for marker in markers:
        assert re.fullmatch(r'(<a href="#fn-(\d+)">\[\2\]</a>)+', marker), marker
    linked = {int(n) for n in re.findall(r'href="#fn-(\d+)"', html)}
    notes = {int(n) for n in re.findall(r'<li id="fn-(\d+)">', html)}
    assert linked <= notes
    markdown = casefile(client, KHALIL, "md").decode()
    assert re.search(r"\[\^\d+\],\[\^\d+\]", markdown)
    assert not re.search(r"\[\^\d+\]\[\^", markdown)  # never run together


def test_notes_name_their_sources_and_the_bibliography_cites_them(client: TestClient) -> None:
    case = json.loads(casefile(client, KHALIL))
    html = casefile(client, KHALIL, "html").decode()
    markdown = casefile(client, KHALIL, "md").decode()
    for page in (re.sub("</?bdi>", "", html), markdown):
        assert "source:0" not in page  # names, never ids
        assert "Darayya massacre (encyclopedia article), " in page
        assert "F reliability cannot be judged" in page.replace("</dt><dd>", " ").replace("**", "")
        assert "6 truth cannot be judged" in page.replace("</dt><dd>", " ").replace("**", "")
    assert {n["source_name"] for n in case["footnotes"]} == {
        "Darayya massacre (encyclopedia article)",
        "General knowledge (not from the seed documents)",
    }
    assert (
        "“Darayya massacre” (encyclopedia article, undated), file 000_a4a2605803ffedf8.txt, "
        "retrieval date not recorded"
    ) in markdown
    attack = json.loads(casefile(client, IDLIB_ATTACK))
    markdown = casefile(client, IDLIB_ATTACK, "md").decode()
    entries = {b["source"]: b for b in attack["bibliography"]}
    snhr = entries["source:001_b419b2e21b5aac12"]
    assert (snhr["publisher"], snhr["published"]) == (
        "The Syrian Network for Human Rights (SNHR)",
        "2024-01-01",
    )
    assert (
        "The Syrian Network for Human Rights (SNHR), “1,032 Deaths, Including 181 Children and "
        "150 Women as well as 57 Deaths due to Torture, Documented in 2023” (report, 2024-01-01), "
        "file 001_b419b2e21b5aac12.txt, retrieval date not recorded. Reliability F; "
    ) in markdown


def test_every_case_file_states_when_from_what_and_for_whom(
    client: TestClient, settings: Settings
) -> None:
    first, second = (json.loads(casefile(client, KHALIL)) for _ in range(2))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", first["made"])
    assert re.fullmatch(r"sha256:[0-9a-f]{16}", first["dataset_version"])
    assert second["dataset_version"] == first["dataset_version"]  # the same data
    assert (first["access"], first["access_notice"]) == ("public", PUBLIC_NOTICE)
    response = client.get(f"/casefiles/{KHALIL}", params={"format": "zip"})
    assert 'filename="casefile-person_qahtan-khalil.zip"' in response.headers["content-disposition"]
    markdown = casefile(client, KHALIL, "md").decode()
    assert f"- Dataset version: `{first['dataset_version']}`\n" in markdown
    assert "RESTRICTED" not in markdown
    assert "RESTRICTED" not in casefile(client, KHALIL, "html").decode()


def test_an_element_resting_on_one_source_is_flagged_on_the_page(client: TestClient) -> None:
    case = json.loads(casefile(client, KHALIL))
    warned = [e["single_source"] for e in case["article_28a"] if e["single_source"]]
    assert warned
    html = casefile(client, KHALIL, "html").decode()
    markdown = casefile(client, KHALIL, "md").decode()
    for warning in warned:
        assert f"> **Warning:** {warning}\n" in markdown
        assert f'<p class="warning" role="note">{escape(warning)}</p>' in html


def test_the_investigators_case_file_says_restricted_everywhere(
    client: TestClient, settings: Settings
) -> None:
    headers = investigator(client, settings)

    def fetch(fmt: str) -> httpx.Response:
        response = client.get(f"/casefiles/{KHALIL}", params={"format": fmt}, headers=headers)
        assert response.status_code == 200, response.text
        return response

    case = fetch("json").json()
    assert (case["access"], case["access_notice"]) == ("restricted", RESTRICTED_NOTICE)
    assert case["dataset_version"] == json.loads(casefile(client, KHALIL))["dataset_version"]
    for fmt in ("md", "zip"):
        disposition = fetch(fmt).headers["content-disposition"]
        assert f'filename="casefile-person_qahtan-khalil-RESTRICTED.{fmt}"' in disposition
    assert fetch("md").text.startswith("**RESTRICTED: the investigator's version.")
    html = fetch("html").text
    assert html.count('<p class="restricted"') == 2
    archive = zipfile.ZipFile(io.BytesIO(fetch("zip").content))
    assert json.loads(archive.read("casefile.json"))["access"] == "restricted"
    assert b'<p class="restricted" role="alert">RESTRICTED' in archive.read("casefile.html")
