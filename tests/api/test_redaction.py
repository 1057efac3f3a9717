"""Redaction by construction: every GET route, read from the app itself, asked about every record
id of the default dataset, reveals no restricted identity and no claim about or by one to the
public, and answers for a withheld id exactly as for a missing one.

A route added later is covered without editing this file, unless it takes a parameter this file
does not know: then the test fails and says which, so nobody forgets to say what it carries.
"""

from __future__ import annotations

import asyncio
import html
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response
from starlette.routing import Route

from api.app import create_app
from api.security import Role, TokenStore, tokens_path
from graph.db.settings import Settings
from graph.db.store import connect
from tests.api.conftest import app_routes
from tests.conftest import default_records

# What each id-carrying parameter takes: record labels, or ANY for every record.
ANY = "*"
ID_PARAMS: dict[str, tuple[str, ...]] = {
    "entity_id": (ANY,),
    "node_id": (ANY,),
    "subject_id": ("Person", "Event"),  # case files are of persons and events
    "from_id": (ANY,),
    "to_id": (ANY,),
    "unit_id": ("Organization",),
    "event_id": ("Event",),
    "person_id": ("Person",),
    "source_id": ("Source",),
    "source": ("Source",),
    "place": ("Place",),
    "perpetrator": ("Person", "Organization"),
    "place_id": ("Place",),  # the event list's picked record, beside the name typed
    "perpetrator_id": ("Person", "Organization"),
    "entity": ("Person", "Organization"),
    "q": (),  # text, not ids: searched for each restricted name and alias, and their words
}
# Parameters that carry no record id: the value sent where the route requires one, else None.
OTHER_PARAMS: dict[str, str | None] = {
    "at": "2012-08-20",
    **dict.fromkeys(
        [
            *("limit", "offset", "depth", "max_depth", "max_hops", "format", "group_by", "type"),
            *("min_killed", "include_subordinates", "from", "to", "listed_from", "listed_to"),
            *("authority", "program", "name"),  # /static/{name} serves files, not records
            "sort",  # an event list's order: one of a closed list
            "next",  # /ui/sign-in's page to go back to, only echoed in its form
        ]
    ),
}
BUSY_RETRIES = 20
# Requests in flight at once: enough to keep Neo4j and the app's one event loop busy.
IN_FLIGHT = 3
MISSING = "person:no-such-record-0000"
# Where a route takes two ids, the other one: a place every path can reach.
OTHER_END = "place:syria"


@dataclass(frozen=True)
class Secrets:
    """What the public must never see: restricted persons' ids, names and aliases, and the ids
    and quotes of the claims about or by them."""

    withheld_ids: list[str]
    names: list[str]
    words: list[str]

    def found_in(self, text: str) -> list[str]:
        return [w for w in self.words if w in text]


@pytest.fixture(scope="module")
def client(dataset_client: TestClient) -> TestClient:
    return dataset_client


@pytest.fixture(scope="module")
def secrets(dataset_client: TestClient, settings: Settings) -> Secrets:
    withheld_claim = "(c:Claim)--(:Person {restricted: true})"
    with connect(settings) as driver:
        persons = driver.execute_query(
            "MATCH (p:Person {restricted: true}) "
            "RETURN p.id AS id, p.name AS name, coalesce(p.aliases, []) AS aliases"
        ).records
        claims = driver.execute_query(
            f"MATCH {withheld_claim} WITH DISTINCT c OPTIONAL MATCH (c)-[:CITED_IN]->(q) "
            "RETURN c.id AS id, collect(q.quote) AS quotes"
        ).records
        # A record the public may see can quote the same sentence as its own evidence (an
        # event cites "a young girl shot dead by sniper fire", as the witness's statement does).
        public_quotes = driver.execute_query(
            "MATCH (v)-[:CITED_IN]->(q:Citation) WHERE NOT coalesce(v.restricted, false) "
            f"AND NOT EXISTS {{ MATCH {withheld_claim} WHERE c = v }} "
            "RETURN collect(q.quote) AS quotes"
        ).records[0]["quotes"]
    withheld = [r["id"] for r in persons] + [r["id"] for r in claims]
    names = [r["name"] for r in persons] + [a for r in persons for a in r["aliases"]]
    quotes = {q for r in claims for q in r["quotes"] if q}
    quotes = {q for q in quotes if not any(q in public for public in public_quotes)}
    words = [*names, *withheld, *quotes]
    return Secrets(sorted(withheld), sorted(set(names)), sorted(set(words)))


def get_routes(app: FastAPI) -> list[Route]:
    """Every GET route of the app, through the routers it includes."""
    routes = app_routes(app.routes)
    return [r for r in routes if isinstance(r, Route) and "GET" in (r.methods or ())]


@dataclass(frozen=True)
class IdParam:
    """A route parameter that carries record ids: its name in the URL, and whether it must be
    given (a path parameter, or a required query parameter such as /paths' `from` and `to`)."""

    alias: str
    labels: tuple[str, ...]
    in_path: bool
    required: bool


def required_others(route: Route) -> dict[str, str]:
    """Values for the parameters without ids that ROUTE requires (a date, for a chain)."""
    if not isinstance(route, APIRoute):
        return {}
    return {
        param.alias: str(OTHER_PARAMS[param.alias])
        for param, _ in _parameters(route.dependant)
        if param.alias in OTHER_PARAMS and param.field_info.is_required()
    }


def id_params(route: Route) -> list[IdParam]:
    """The route's parameters that carry record ids; fails on a parameter nobody classified."""
    if not isinstance(route, APIRoute):
        return []
    found: list[IdParam] = []
    for param, in_path in _parameters(route.dependant):
        if param.name in ID_PARAMS:
            required = param.field_info.is_required()
            found.append(IdParam(param.alias, ID_PARAMS[param.name], in_path, required))
        else:
            assert param.alias in OTHER_PARAMS, (
                f"{route.path} takes {param.alias!r}: add it to ID_PARAMS (which records it "
                "carries) or OTHER_PARAMS in tests/api/test_redaction.py"
            )
    return found


def _parameters(dependant: Dependant) -> Iterator[tuple[Any, bool]]:
    """A route's path and query parameters, its dependencies' included, each once."""
    seen: set[str] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        for param, in_path in [(p, True) for p in current.path_params] + [
            (p, False) for p in current.query_params
        ]:
            if param.alias not in seen:
                seen.add(param.alias)
                yield param, in_path
        stack.extend(current.dependencies)


@cache
def records_by_label() -> dict[str, list[tuple[str, str]]]:
    """(id, name) of every record of the default dataset, by label; ANY holds them all."""
    found: dict[str, list[tuple[str, str]]] = {ANY: []}
    for record in default_records():
        pair = (str(record.properties["id"]), str(record.properties.get("name") or ""))
        found.setdefault(record.label, []).append(pair)
        found[ANY].append(pair)
    return found


def request_for(
    route: Route, asked: IdParam, value: str, partner: str = OTHER_END
) -> tuple[str, dict[str, str]]:
    """The URL path and query asking ROUTE about VALUE through one parameter; any other id the
    route requires (the other end of a path) gets PARTNER, optional ones are left out."""
    path, query = route.path, required_others(route)
    for param in id_params(route):
        given = value if param == asked else partner if param.required else None
        if given is None:
            continue
        if param.in_path:
            path = path.replace("{" + param.alias + "}", given)
        else:
            query[param.alias] = given
    return path, query


def visible_text(response: Response) -> str:
    """What a reader of the answer sees: JSON strings, or the page text unescaped."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return "\n".join(_strings(response.json()))
    return html.unescape(response.text)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif value is not None:
        yield str(value) if not isinstance(value, str) else value


def values_for(param: IdParam, secrets: Secrets) -> list[str]:
    """Every record id the parameter takes, or for a search each restricted name and word."""
    if not param.labels:
        return sorted({w for word in secrets.names for w in [word, *word.split()] if len(w) > 3})
    records = [pair for label in param.labels for pair in records_by_label().get(label, [])]
    return sorted({record_id for record_id, _ in records})


def sweep(route: Route, secrets: Secrets) -> Iterator[tuple[str, dict[str, str]]]:
    """ROUTE with every id it takes (not the withheld ones: see the test below). A route taking
    two ids (a path's ends) gets each id once at each end."""
    params = id_params(route)
    if not params:
        yield route.path, required_others(route)
    required = [p for p in params if p.required]
    for param in [*required[:1], *[p for p in params if not p.required]]:
        values = [v for v in values_for(param, secrets) if v not in secrets.withheld_ids]
        partners = values[1:] + values[:1]
        for value, partner in zip(values, partners, strict=True):
            yield request_for(route, param, value, partner)


# The routes, read from an app built at collection (no server needed to list them), so that each
# is a test of its own and parallel workers share the sweep.
GET_PATHS = sorted({r.path for r in get_routes(create_app(Settings(_env_file=None)))})


def test_routes_are_read_from_the_app(client: TestClient, secrets: Secrets) -> None:
    """Guard: the sweep below covers the routes the app serves, ids and all."""
    routes = get_routes(client.app)  # type: ignore[arg-type]
    assert sorted({r.path for r in routes}) == GET_PATHS
    assert {"/entities/{entity_id}", "/ui/entities/{entity_id}", "/paths", "/health"} <= set(
        GET_PATHS
    )
    assert len(records_by_label()[ANY]) == len(default_records()) > 900
    requests = [request for route in routes for request in sweep(route, secrets)]
    assert len(requests) > 4 * len(default_records())


@pytest.mark.parametrize("path", GET_PATHS)
def test_no_public_answer_reveals_a_restricted_identity(
    client: TestClient, secrets: Secrets, path: str
) -> None:
    assert len(secrets.withheld_ids) >= 20  # guard: there is something to hide
    routes = [r for r in get_routes(client.app) if r.path == path]  # type: ignore[arg-type]
    requests = [request for route in routes for request in sweep(route, secrets)]
    assert requests
    answered = answers(client, requests)
    leaks = [
        leak
        for request, r in zip(requests, answered, strict=True)
        for leak in _leaks(secrets, *request, r)
    ]
    assert not leaks, leaks[:20]


def answers(client: TestClient, requests: list[tuple[str, dict[str, str]]]) -> list[Response]:
    """Each request's public answer, from an app of its own on one event loop, a few requests
    in flight: the whole ASGI stack, without a test client's hop between threads per request.
    An expensive route turns a caller away while its slots are full: asked again then."""

    async def get(http: httpx.AsyncClient, gate: asyncio.Semaphore, request: Any) -> Response:
        path, query = request
        async with gate:
            response = await http.get(path, params=query)
            for _ in range(BUSY_RETRIES):
                if response.status_code != 503 or "Retry-After" not in response.headers:
                    break
                await asyncio.sleep(0.2)
                response = await http.get(path, params=query)
            return response

    async def ask_all() -> list[Response]:
        app = create_app(client.app.state.settings)  # type: ignore[attr-defined]
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url=str(client.base_url)) as http,
        ):
            gate = asyncio.Semaphore(IN_FLIGHT)
            return await asyncio.gather(*(get(http, gate, request) for request in requests))

    return asyncio.run(ask_all())


def _leaks(secrets: Secrets, path: str, query: dict[str, str], response: Response) -> list[str]:
    if response.status_code >= 500:
        return [f"{path} {query}: {response.status_code}"]
    text = visible_text(response)
    for asked in query.values():  # a page may repeat what it was asked (a search box)
        text = text.replace(asked, "")
    return [f"{path} {query}: {word!r}" for word in secrets.found_in(text)]


def test_a_withheld_id_answers_exactly_like_a_missing_one(
    client: TestClient, secrets: Secrets
) -> None:
    asked = [
        (route, param, value)
        for route in get_routes(client.app)  # type: ignore[arg-type]
        for param in id_params(route)
        if param.alias != "q"  # a search takes names; restricted names are swept above
        for value in [MISSING, *secrets.withheld_ids]
    ]
    answered = answers(client, [request_for(route, param, value) for route, param, value in asked])
    missing: dict[tuple[str, str], str] = {}
    differ: list[str] = []
    for (route, param, value), response in zip(asked, answered, strict=True):
        answer = f"{response.status_code} {json.dumps(response.text)}"
        if value == MISSING:
            missing[route.path, param.alias] = answer
        elif answer != missing[route.path, param.alias].replace(MISSING, value):
            differ.append(f"{route.path} {param}={value}")
    assert not differ, differ[:20]


def test_an_investigator_sees_the_withheld_records(
    client: TestClient, settings: Settings, secrets: Secrets
) -> None:
    """Guard: the sweeps above would pass vacuously if the withheld ids were simply missing."""
    _, token = TokenStore(tokens_path(settings)).create(Role.investigator)
    headers = {"Authorization": f"Bearer {token}"}
    for withheld in secrets.withheld_ids:
        assert client.get(f"/entities/{withheld}", headers=headers).status_code == 200


def test_every_case_file_format_withholds_them(
    client: TestClient, settings: Settings, secrets: Secrets
) -> None:
    """The sweep asks for JSON case files; the other formats render the same case anew."""
    with connect(settings) as driver:
        subjects = driver.execute_query(
            "MATCH (:Person {restricted: true})--(:Claim)--(s) WHERE s:Event OR s:Person "
            "AND NOT coalesce(s.restricted, false) RETURN DISTINCT s.id AS id"
        ).records
    assert len(subjects) >= 5
    leaks: list[str] = []
    for subject in [r["id"] for r in subjects]:
        for fmt in ("md", "html", "zip"):
            response = client.get(f"/casefiles/{subject}", params={"format": fmt})
            assert response.status_code == 200, (subject, fmt)
            text = _zip_text(response.content) if fmt == "zip" else visible_text(response)
            leaks += [f"{subject} {fmt}: {w!r}" for w in secrets.found_in(text)]
    assert not leaks, leaks[:20]


def _zip_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "\n".join(html.unescape(archive.read(n).decode()) for n in archive.namelist())
