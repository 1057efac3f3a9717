"""The HTTP surface as docs/security.md and docs/api.md describe it, on the real app over the
default dataset: security headers on every answer, a bad token refused on every path, one
error shape, and an OpenAPI document that says what the handlers send."""

from __future__ import annotations

import base64
import hashlib
import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response

from api.app import create_app
from api.security import Role, TokenStore, tokens_path
from graph.asof import DATE_PATTERN
from tests.api.conftest import app_routes
from tests.conftest import DefaultDataset

pytestmark = pytest.mark.usefixtures("default_dataset")  # reads only, with the other readers

DARAYYA = "event:darayya-massacre-2012"
AFID = "org:air-force-intelligence-directorate"
BASE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
INLINE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
INLINE_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.I | re.S)


@dataclass(frozen=True)
class Api:
    client: TestClient
    investigator: str


@pytest.fixture(scope="module")
def api(shared_dataset: DefaultDataset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The app with a state folder of its own and an investigator token."""
    state = tmp_path_factory.mktemp("surface-state")
    settings = shared_dataset.ensure().model_copy(update={"state_dir": state})
    _, token = TokenStore(tokens_path(settings)).create(Role.investigator)
    with TestClient(create_app(settings)) as client:
        yield Api(client, token)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def policy(response: Response) -> dict[str, list[str]]:
    directives = (d.split() for d in response.headers["Content-Security-Policy"].split(";"))
    return {name: sources for name, *sources in directives}


def sha256_source(block: str) -> str:
    digest = base64.b64encode(hashlib.sha256(block.encode("utf-8")).digest()).decode()
    return f"'sha256-{digest}'"


# What a browser may ask for: JSON, pages, assets, documents, and each kind of error.
EVERY_KIND = [
    ("GET", "/health"),
    ("GET", f"/entities/{AFID}"),
    ("GET", "/ui"),
    ("GET", "/ui/search?q=Darayya"),
    ("GET", f"/ui/entities/{DARAYYA}"),
    ("GET", f"/ui/casefiles/{DARAYYA}"),
    ("GET", f"/casefiles/{DARAYYA}?format=html"),
    ("GET", f"/casefiles/{DARAYYA}?format=zip"),
    ("GET", f"/views/events/{DARAYYA}"),
    ("GET", "/views/events/event:nothing"),
    ("GET", "/static/silsila.css"),
    ("GET", "/static/vis-network.min.js"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/no/such/route"),
    ("GET", "/ui/no/such/page"),
    ("GET", "/entities/person:nobody"),
    ("GET", "/ui/entities/person:nobody"),
    ("GET", "/events?limit=0"),
    ("DELETE", "/health"),
    ("POST", "/cypher"),
]


@pytest.mark.parametrize(("method", "path"), EVERY_KIND)
def test_every_answer_carries_the_security_headers(api: Api, method: str, path: str) -> None:
    response = api.client.request(method, path)
    # The network views alone may be framed, and only by this server's own pages (/ui).
    view = path.startswith("/views/") and response.status_code == 200
    assert response.headers["X-Frame-Options"] == ("SAMEORIGIN" if view else "DENY")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    directives = policy(response)
    assert directives["frame-ancestors"] == (["'self'"] if view else ["'none'"])
    assert directives["default-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    every_source = {s for sources in directives.values() for s in sources}
    assert not every_source & {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"}


def test_a_failure_of_ours_is_a_500_in_the_one_shape_with_the_headers(
    shared_dataset: DefaultDataset, tmp_path_factory: pytest.TempPathFactory
) -> None:
    settings = shared_dataset.settings.model_copy(
        update={"state_dir": tmp_path_factory.mktemp("boom")}
    )
    app = create_app(settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("/secret/server/path")  # not a Silsila error: a bug of ours

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.json()["status"] == "error"
    assert "/secret/server/path" not in response.text
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Security-Policy"] == BASE_POLICY


@pytest.mark.parametrize("path", ["/health", "/ui", f"/ui/entities/{AFID}", "/static/silsila.css"])
def test_pages_and_everything_else_run_nothing_inline(api: Api, path: str) -> None:
    response = api.client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == BASE_POLICY
    assert not INLINE_STYLE.search(response.text)
    assert not [s for a, s in INLINE_SCRIPT.findall(response.text) if "src=" not in a]


@pytest.mark.parametrize(
    "path",
    [
        f"/views/events/{DARAYYA}",
        f"/views/neighbourhood/{DARAYYA}?depth=2",
        f"/views/units/{AFID}/chain?at=2024-06",
        "/views/persons/person:qahtan-khalil/exposure",
        f"/ui/casefiles/{DARAYYA}",
        f"/casefiles/{DARAYYA}?format=html",
    ],
)
def test_built_pages_allow_exactly_their_own_inline_blocks_by_hash(api: Api, path: str) -> None:
    response = api.client.get(path)
    assert response.status_code == 200, response.text
    page = response.text
    scripts = {sha256_source(s) for a, s in INLINE_SCRIPT.findall(page) if "src=" not in a}
    styles = {sha256_source(s) for s in INLINE_STYLE.findall(page)}
    directives = policy(response)
    assert set(directives["script-src"]) == {"'self'", *scripts}
    assert set(directives["style-src"]) == {"'self'", *styles}
    assert styles  # each of these pages has its own stylesheet inline
    assert " style=" not in page  # style attributes would be blocked
    assert not re.search(r"<[^>]+\son[a-z]+=", page)  # so would event-handler attributes


def test_the_docs_page_loads_swagger_ui_from_this_server_only(api: Api) -> None:
    response = api.client.get("/docs")
    assert response.status_code == 200
    (script,) = [s for a, s in INLINE_SCRIPT.findall(response.text) if "src=" not in a]
    directives = policy(response)
    assert directives["script-src"] == ["'self'", sha256_source(script)]
    assert "https:" not in response.headers["Content-Security-Policy"]
    assert not re.search(r"(src|href)=\"https?://", response.text)
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"):
        assert f"/static/{asset}" in response.text
        assert api.client.get(f"/static/{asset}").status_code == 200
    assert "/openapi.json" in response.text
    assert api.client.get("/redoc").status_code == 404  # one documentation page, not two


BAD_HEADERS = ["Bearer xyz", "Bearer", "Basic dXNlcjpwYXNz", "Bearer a b", "Token abc"]
JSON_PATHS = [
    "/health",
    "/static/silsila.css",
    "/static/vis-network.min.js",
    "/docs",
    "/openapi.json",
    f"/entities/{AFID}",
    f"/views/events/{DARAYYA}",
    "/no/such/route",
]
PAGE_PATHS = ["/ui", "/ui/search?q=Darayya", f"/ui/entities/{AFID}", "/ui/no/such/page"]


@pytest.mark.parametrize("header", BAD_HEADERS)
def test_a_bad_authorization_header_is_401_on_every_path(api: Api, header: str) -> None:
    for path in JSON_PATHS:
        response = api.client.get(path, headers={"Authorization": header})
        assert response.status_code == 401, (path, header)
        assert response.headers["WWW-Authenticate"] == "Bearer"
        body = response.json()
        assert set(body) == {"status", "error"}
        assert body["status"] == "error"
        assert "silsila token create" in body["error"]
    post = api.client.post(
        "/cypher", json={"statement": "RETURN 1"}, headers={"Authorization": header}
    )
    assert post.status_code == 401


@pytest.mark.parametrize("header", BAD_HEADERS)
def test_a_bad_authorization_header_on_a_page_is_a_401_page(api: Api, header: str) -> None:
    for path in PAGE_PATHS:
        response = api.client.get(path, headers={"Authorization": header})
        assert response.status_code == 401, (path, header)
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert "silsila token create" in response.text
        assert "Back to search" in response.text


def test_a_valid_token_passes_everywhere(api: Api) -> None:
    for path in ["/health", "/static/silsila.css", "/openapi.json", "/docs", "/ui"]:
        assert api.client.get(path, headers=bearer(api.investigator)).status_code == 200, path
    health = api.client.get("/health", headers=bearer(api.investigator)).json()
    public = api.client.get("/health").json()
    assert health["counts"]["Person"] > public["counts"]["Person"]  # the role was kept


SECRET = "SECRET-VALUE-4711"


def error_of(response: Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"status", "error"}
    assert body["status"] == "error"
    assert SECRET not in body["error"]
    return str(body["error"])


@pytest.mark.parametrize(
    ("path", "params", "names"),
    [
        ("/events", {"limit": SECRET}, "query parameter 'limit'"),
        ("/events", {"min_killed": "-1"}, "query parameter 'min_killed'"),
        ("/stats/events", {"group_by": SECRET}, "query parameter 'group_by'"),
        ("/search", {}, "query parameter 'q'"),
        (f"/casefiles/{DARAYYA}", {"format": SECRET}, "query parameter 'format'"),
    ],
)
def test_fastapis_own_422_is_an_error_public_naming_the_parameter(
    api: Api, path: str, params: dict[str, str], names: str
) -> None:
    message = error_of(api.client.get(path, params=params), 422)
    assert names in message
    assert "/docs" in message


def test_a_bad_body_is_an_error_public_naming_the_field(api: Api) -> None:
    headers = {**bearer(api.investigator), "Content-Type": "application/json"}
    broken = api.client.post(
        "/cypher", content=b'{"statement": "' + SECRET.encode(), headers=headers
    )
    assert "the body is not valid JSON" in error_of(broken, 422)
    missing = api.client.post("/cypher", json={"parameters": {"x": SECRET}}, headers=headers)
    assert "body field 'statement': Field required" in error_of(missing, 422)
    empty = api.client.post("/cypher", json={"statement": ""}, headers=headers)
    assert "body field 'statement'" in error_of(empty, 422)


def test_unknown_routes_and_methods_are_error_publics(api: Api) -> None:
    assert "/docs" in error_of(api.client.get(f"/no/{SECRET}"), 404)
    wrong = api.client.delete("/health")
    assert "GET" in error_of(wrong, 405)
    assert wrong.headers["Allow"] == "GET"


def test_a_page_whose_parameter_does_not_fit_is_an_error_page(api: Api) -> None:
    response = api.client.get("/ui/search", params={"q": "x" * 201})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "query parameter &#39;q&#39;" in response.text
    missing = api.client.get("/ui/no/such/page")
    assert missing.status_code == 404
    assert "Not found" in missing.text


def responses_of(document: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for code, answer in operation["responses"].items():
                yield path, method, code, answer


def test_every_error_the_document_names_is_an_error_public_in_json(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    assert "HTTPValidationError" not in str(document)
    errors = [(p, m, c, a) for p, m, c, a in responses_of(document) if c[0] in "45"]
    assert errors
    for path, method, code, answer in errors:
        assert answer["content"] == {
            "application/json": {"schema": {"$ref": "#/components/schemas/ErrorPublic"}}
        }, (path, method, code)
    codes = {(p, m): set() for p, m, _, _ in responses_of(document)}
    for path, method, code, _ in responses_of(document):
        codes[(path, method)].add(code)
    for (path, method), found in codes.items():
        assert "401" in found, (path, method)  # a bad token, everywhere
        if "{" in path:
            assert "404" in found, (path, method)  # an id that is not in the graph


def test_the_date_pattern_in_the_document_is_what_the_api_takes(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    (from_param,) = [
        p for p in document["paths"]["/events"]["get"]["parameters"] if p["name"] == "from"
    ]
    pattern = from_param["schema"]["pattern"]
    assert pattern == DATE_PATTERN
    for text in ["0000", "2023-02-29", " 2012", "2012\n", "2012-13"]:
        assert not re.fullmatch(pattern, text), text
        assert api.client.get("/events", params={"from": text}).status_code == 422, text
    for text in ["0001", "2024-02-29", "2011-12"]:
        assert re.fullmatch(pattern, text), text
        assert api.client.get("/events", params={"from": text}).status_code == 200, text


def test_no_route_or_dependency_waits_for_a_worker_thread(api: Api) -> None:
    """FastAPI runs a plain `def` route or dependency in a thread pool: a hop per request that
    cost a public page a quarter of its time. Everything a request calls is a coroutine."""
    found: list[str] = []
    every = app_routes(api.client.app.routes)  # type: ignore[attr-defined]
    routes = [route for route in every if isinstance(route, APIRoute)]
    for route in routes:
        stack = [route.dependant]
        while stack:
            dependant = stack.pop()
            call = dependant.call
            if call is not None and not _runs_on_the_event_loop(call):
                found.append(f"{route.path}: {getattr(call, '__qualname__', call)}")
            stack.extend(dependant.dependencies)
    assert len(routes) > 30
    assert not found, found


def _runs_on_the_event_loop(call: Any) -> bool:
    return any(
        inspect.iscoroutinefunction(f) or inspect.isasyncgenfunction(f)
        for f in (call, type(call).__call__)
    )
