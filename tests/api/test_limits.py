"""Slots for expensive answers: when they are all taken, a limited route answers 503 with
Retry-After at once instead of queueing, and the fast routes still answer."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi.testclient import TestClient

from api import limits
from api.security import Role, TokenStore, tokens_path
from graph.db.settings import Settings

AFID = "org:air-force-intelligence-directorate"
KHALIL = "person:qahtan-khalil"
LIMITED: dict[str, dict[str, Any]] = {
    "/gaps/unsanctioned": {},
    "/paths": {"from": KHALIL, "to": AFID, "max_hops": 2},
    "/views/events/{event_id}": {},
    "/views/units/{unit_id}/chain": {"at": "2024-06-01"},
    "/views/neighbourhood/{node_id}": {},
    "/views/persons/{person_id}/exposure": {},
    "/casefiles/{subject_id}": {"format": "json"},
}
IDS = {"event_id": "event:darayya-massacre-2012", "unit_id": AFID, "node_id": "place:darayya"}
IDS |= {"person_id": KHALIL, "subject_id": KHALIL}
FAST: dict[str, dict[str, Any]] = {
    "/health": {},
    "/search": {"q": "Darayya"},
    f"/units/{AFID}/chain": {"at": "2024-06-01"},
    "/events/event:darayya-massacre-2012/accountability": {},
}


def url(template: str) -> str:
    return template.format(**IDS)


def one_slot(client: TestClient) -> limits.Slots:
    """Give the app one expensive slot that nobody waits for."""
    slots = limits.Slots(replace(limits.EXPENSIVE, slots=1, wait=0.0))
    setattr(client.app.state, limits.SLOTS_STATE, {limits.EXPENSIVE.name: slots})  # type: ignore[attr-defined]
    return slots


def test_a_full_house_answers_503_with_retry_after_and_fast_routes_still_answer(
    dataset_client: TestClient, settings: Settings
) -> None:
    slots = one_slot(dataset_client)
    _, token = TokenStore(tokens_path(settings)).create(Role.investigator)
    investigator = {"Authorization": f"Bearer {token}"}
    portal = dataset_client.portal
    assert portal is not None
    with portal.wrap_async_context_manager(slots.taken()):  # the one slot, held
        for path, params in LIMITED.items():
            for headers in ({}, investigator):
                busy = dataset_client.get(url(path), params=params, headers=headers)
                assert busy.status_code == 503, path
                assert busy.headers["Retry-After"] == "1"
                body = busy.json()
                assert body["status"] == "unavailable"
                assert "busy" in body["error"]
        for path, params in FAST.items():
            assert dataset_client.get(path, params=params).status_code == 200, path
    for path, params in LIMITED.items():
        assert dataset_client.get(url(path), params=params).status_code == 200, path


def test_every_answer_gives_its_slot_back(dataset_client: TestClient) -> None:
    one_slot(dataset_client)
    failing: dict[str, dict[str, Any]] = {
        "/views/events/event:nothing": {},
        "/casefiles/person:nobody": {},
        "/paths": {"from": "a", "to": "b", "max_hops": 9},
        "/views/units/org:nowhere/chain": {"at": "2012-02-30"},
    }
    for path, params in failing.items():
        status = dataset_client.get(path, params=params).status_code
        assert status in (404, 422), path
    for _ in range(3):  # more requests than slots, one after another
        for path, params in LIMITED.items():
            assert dataset_client.get(url(path), params=params).status_code == 200, path


def test_the_limited_routes_are_the_expensive_ones_and_document_their_503(
    dataset_client: TestClient,
) -> None:
    document = dataset_client.get("/openapi.json").json()
    documented = {
        path: operation["responses"]["503"]
        for path, item in document["paths"].items()
        for operation in item.values()
        if "busy" in operation["responses"].get("503", {}).get("description", "")
    }
    assert set(documented) == {*LIMITED, "/cypher"}
    for busy in documented.values():
        assert busy["headers"]["Retry-After"]["schema"] == {"type": "integer"}
        assert busy["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorPublic")


def test_cypher_statements_take_slots_of_their_own(
    dataset_client: TestClient, settings: Settings
) -> None:
    cypher = limits.Slots(replace(limits.CYPHER, slots=1, wait=0.0))
    setattr(dataset_client.app.state, limits.SLOTS_STATE, {limits.CYPHER.name: cypher})  # type: ignore[attr-defined]
    _, token = TokenStore(tokens_path(settings)).create(Role.investigator)
    investigator = {"Authorization": f"Bearer {token}"}
    statement = {"statement": "MATCH (e:Event) RETURN count(e) AS events"}
    portal = dataset_client.portal
    assert portal is not None
    with portal.wrap_async_context_manager(cypher.taken()):  # the one slot, held
        busy = dataset_client.post("/cypher", json=statement, headers=investigator)
        assert busy.status_code == 503
        assert busy.headers["Retry-After"] == "1"
        view = url("/views/events/{event_id}")
        assert dataset_client.get(view).status_code == 200  # the views' slots are apart
    answer = dataset_client.post("/cypher", json=statement, headers=investigator)
    assert answer.status_code == 200
    assert answer.json()["rows"][0][0] > 100
