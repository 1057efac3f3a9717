"""Search that forgives: spellings from the seeds, in Latin and Arabic script, find their record."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

# Spellings from the seed documents and data/default, and the record each must find first.
SPELLINGS = [
    ("Darayya", "place:darayya"),
    ("Daraya", "place:darayya"),
    ("داريا", "place:darayya"),
    ("Ma'raba", "place:maraba"),
    ("Maraba", "place:maraba"),
    ("Daraa governorate", "place:daraa-governorate"),
    ("درعا", "place:daraa-governorate"),
    ("Deir ez-Zor", "place:deir-ez-zor-governorate"),
    ("Deir Ez-Zour", "place:deir-ez-zor-governorate"),
    ("Deir al-Zour", "place:deir-ez-zor-governorate"),
    ("دير الزور", "place:deir-ez-zor-governorate"),
    ("إدلب", "place:idlib-governorate"),
    ("Idlib province", "place:idlib-governorate"),
    ("Aleppo governorate", "place:aleppo-governorate"),
    ("Halab", "place:aleppo-city"),
    ("Rif Dimashq governorate", "place:rif-dimashq-governorate"),
    ("Rif Dimashq province", "place:rif-dimashq-governorate"),
    ("Rural Damascus", "place:rif-dimashq-governorate"),
    ("ريف دمشق", "place:rif-dimashq-governorate"),
    ("Raqqa", "place:raqqa-governorate"),
    ("Ar-Raqqah", "place:raqqa-governorate"),
    ("Raqqa governorate", "place:raqqa-governorate"),
    ("Al-Raqqa city", "place:raqqa-city"),
    ("Sweida", "place:as-suwayda-governorate"),
    ("Suwayda governorate", "place:as-suwayda-governorate"),
    ("السويداء", "place:as-suwayda-governorate"),
    ("Jisr al-Shughur", "place:jisr-al-shoghour"),
    ("Jisr ash-Shughur", "place:jisr-al-shoghour"),
    ("Qahtan Khalil", "person:qahtan-khalil"),
    ("قحطان خليل", "person:qahtan-khalil"),
    ("Bashar al-Assad", "person:bashar-al-assad"),
    ("Bashar Assad", "person:bashar-al-assad"),
    ("بشار الأسد", "person:bashar-al-assad"),
    ("Ahmad al-Sharaa", "person:ahmed-al-sharaa"),
    ("أحمد الشرع", "person:ahmed-al-sharaa"),
    ("Saydnaya prison", "place:sednaya-military-prison"),
    ("Palmyra", "place:tadmur"),
    ("Jableh", "place:jableh"),
    ("Jabla", "place:jableh"),
    ("جبلة", "place:jableh"),
    ("Baniyas", "place:banias"),
    ("بانياس", "place:banias"),
    ("Hizbullah", "org:hezbollah"),
    ("Jabhat an-Nusra", "org:jabhat-al-nusra"),
    ("Jebel Zawiya", "place:jabal-al-zawiya"),
    ("جبل الزاوية", "place:jabal-al-zawiya"),
    ("Kansafra", "place:kansafra"),
    ("كنصفرة", "place:kansafra"),
    ("Shaykh Saeed", "place:aleppo-al-shaikh-saeed"),
    ("Mezzeh military airport", "place:mezze-military-airport"),
    ("المخابرات الجوية", "org:air-force-intelligence-directorate"),
]


@pytest.fixture(scope="module")
def first_hits(dataset_client: TestClient) -> dict[str, str | None]:
    """Each spelling's first hit, searched once."""
    found = {}
    for text, _ in SPELLINGS:
        results = search(dataset_client, text)
        found[text] = results[0]["id"] if results else None
    return found


def search(client: TestClient, text: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/search", params={"q": text, **params})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


@pytest.mark.parametrize(("text", "expected"), SPELLINGS)
def test_each_spelling_finds_its_record_first(
    first_hits: dict[str, str | None], text: str, expected: str
) -> None:
    assert first_hits[text] == expected


def test_the_spelling_list_is_long_and_mixes_scripts() -> None:
    arabic = [t for t, _ in SPELLINGS if any("\u0600" <= ch <= "\u06ff" for ch in t)]
    assert len(SPELLINGS) >= 30
    assert len(arabic) >= 10


def test_with_or_without_the_apostrophe_the_same_records(dataset_client: TestClient) -> None:
    found = [r["id"] for r in search(dataset_client, "Ma'raba", limit=100)]
    assert found == [r["id"] for r in search(dataset_client, "Maraba", limit=100)]
    assert "event:maraba-shooting-mahmoud-saeed-al-kafri-2023-11-10" in found


@pytest.mark.parametrize(("latin", "arabic"), [("Darayya", "داريا"), ("Jableh", "جبلة")])
def test_an_arabic_query_finds_what_its_latin_spelling_finds(
    dataset_client: TestClient, latin: str, arabic: str
) -> None:
    by_latin = [r["id"] for r in search(dataset_client, latin, limit=100)]
    by_arabic = [r["id"] for r in search(dataset_client, arabic, limit=100)]
    assert set(by_latin) <= set(by_arabic)
    assert by_arabic[: len(by_latin)][:1] == by_latin[:1]


def test_the_arabic_name_finds_the_events_named_in_latin(dataset_client: TestClient) -> None:
    found = [r["id"] for r in search(dataset_client, "داريا", limit=100)]
    assert {"event:darayya-2012-shelling", "event:darayya-2012-executions"} <= set(found[:15])


def test_a_latin_query_finds_a_record_known_by_its_arabic_alias(dataset_client: TestClient) -> None:
    found = [r["id"] for r in search(dataset_client, "Mukhabarat al-Jawiya")]
    assert found[:1] == ["org:air-force-intelligence-directorate"]


def test_namesakes_are_told_apart_and_each_record_comes_once(dataset_client: TestClient) -> None:
    results = search(dataset_client, "Daraa", limit=100)
    ids = [r["id"] for r in results]
    assert len(ids) == len(set(ids))
    daraa = {r["id"]: r for r in results if r["name"] == "Daraa"}
    city, governorate = daraa["place:daraa-city"], daraa["place:daraa-governorate"]
    assert (city["place_kind"], city["place"]) == ("city", "Daraa")
    assert (governorate["place_kind"], governorate["place"]) == ("governorate", "Syria")


def test_an_event_hit_carries_its_dates_and_place(dataset_client: TestClient) -> None:
    (hit,) = [r for r in search(dataset_client, "Darayya massacre") if r["type"] == "Event"][:1]
    assert hit["id"] == "event:darayya-massacre-2012"
    assert hit["start"] == "2012-08-20"
    assert hit["place"] == "Darayya"
