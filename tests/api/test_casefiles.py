"""Case files on the default dataset: footnotes, the Article 28 map, formats, the audit log."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph.db.settings import Settings
from tests.conftest import cli_env, silsila

DARAYYA = "event:darayya-massacre-2012"
KHALIL = "person:qahtan-khalil"


@pytest.fixture
def client(dataset_client: TestClient) -> TestClient:
    return dataset_client


def casefile(client: TestClient, subject: str, fmt: str = "json") -> bytes:
    response = client.get(f"/casefiles/{subject}", params={"format": fmt})
    assert response.status_code == 200, response.text
    return response.content


def test_every_statement_is_footnoted_to_a_real_citation(client: TestClient) -> None:
    case = json.loads(casefile(client, DARAYYA))
    notes = case["footnotes"]
    statements = case["identity"] + case["timeline"] + case["sanctions"]
    statements += [s for e in case["events"] for s in e["statements"]]
    statements += [s for el in case["article_28a"] for s in el["evidence"]]
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
    assert any(
        "head of Air Force Intelligence Directorate" in s["text"] for s in commander["evidence"]
    )
    assert elements["28(a)(iv) failure"]["evidence"] == []
    assert elements["28(a)(iv) failure"]["gap"] == "No evidence in the graph."
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
    assert "### Air Force Intelligence Directorate, as of 2024-01\n" in markdown
    assert "- Air Force Intelligence Directorate: Qahtan Khalil (possible)\n" in markdown
    html = casefile(client, KHALIL, "html").decode()
    assert "<h3>Air Force Intelligence Directorate, as of 2024-01</h3>" in html
    assert "Air Force Intelligence Directorate: <bdi>Qahtan Khalil</bdi> (possible)</li>" in html
    assert '<li class="gap">No evidence in the graph.</li>' in html
    assert "<script" not in html


def test_the_zip_holds_json_html_and_a_true_manifest(client: TestClient) -> None:
    archive = zipfile.ZipFile(io.BytesIO(casefile(client, DARAYYA, "zip")))
    assert sorted(archive.namelist()) == ["casefile.html", "casefile.json", "manifest.sha256"]
    manifest = archive.read("manifest.sha256").decode().splitlines()
    assert len(manifest) == 2
    for line in manifest:
        digest, name = line.split("  ")
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    assert casefile(client, DARAYYA, "zip") == casefile(client, DARAYYA, "zip")


def test_every_fetch_is_audited_without_restricted_ids(
    client: TestClient, settings: Settings
) -> None:
    casefile(client, KHALIL, "md")
    entries = [json.loads(x) for x in (settings.state_dir / "audit.jsonl").read_text().splitlines()]
    last = entries[-1]
    assert (last["action"], last["target"], last["role"]) == ("casefile", KHALIL, "public")
    assert "at" in last
    assert "observer-abu-amin" not in (settings.state_dir / "audit.jsonl").read_text()


def test_only_people_and_events_have_case_files(client: TestClient) -> None:
    assert client.get("/casefiles/place:darayya").status_code == 422
    assert client.get("/casefiles/person:nobody").status_code == 404
    assert client.get("/casefiles/person:observer-abu-amin-80").status_code == 404


def test_cli_writes_the_same_zip(client: TestClient, settings: Settings, tmp_path: Path) -> None:
    output = tmp_path / "case.zip"
    silsila(
        "casefile",
        DARAYYA,
        *("--format", "zip", "--public", "--output", str(output)),
        env=cli_env(settings),
        check=True,
    )
    assert output.read_bytes() == casefile(client, DARAYYA, "zip")
