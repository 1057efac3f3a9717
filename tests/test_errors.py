"""One root exception: every Silsila error is a SilsilaError, no public function raises a bare
built-in, and the API maps errors to HTTP statuses in one table."""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.errors import STATUS_CODES, AccessDeniedError, ApiError, NotAuthenticatedError, status_of
from graph.errors import (
    CredentialsRejectedError,
    GraphError,
    GraphUnavailableError,
    InvalidRequestError,
    InvalidStatementError,
    NotFoundError,
    ReadOnlyViolationError,
)
from loaders.errors import LoaderError
from ontology.errors import OntologyError, SilsilaError
from tests.conftest import REPO, make_settings

PACKAGES = ("ontology", "graph", "loaders", "api", "cli", "notebooks")
ROOTS = (OntologyError, GraphError, LoaderError, ApiError)
ROOT_OF = {"ontology": OntologyError, "graph": GraphError, "loaders": LoaderError, "api": ApiError}
BUILTIN_ERRORS = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)


def our_modules() -> list[ModuleType]:
    modules = []
    for name in PACKAGES:
        package = importlib.import_module(name)
        modules.append(package)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            if not info.name.endswith(".__main__"):  # running it would start the CLI
                modules.append(importlib.import_module(info.name))
    return modules


def our_error_classes() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for module in our_modules():
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__ == module.__name__:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


def test_the_walk_finds_every_package_root() -> None:
    found = set(our_error_classes())
    assert {SilsilaError, *ROOTS} <= found
    assert len(found) > 30


@pytest.mark.parametrize("error", our_error_classes(), ids=lambda c: c.__qualname__)
def test_every_error_is_a_silsila_error_under_its_package_root(error: type[BaseException]) -> None:
    assert issubclass(error, SilsilaError), f"{error.__module__}.{error.__qualname__}"
    root = ROOT_OF.get(error.__module__.split(".")[0])
    if error is not SilsilaError and root is not None:
        assert issubclass(error, root), f"{error.__qualname__} is not a {root.__name__}"


def bare_raises(path: Path) -> list[str]:
    """`raise ValueError(...)` and the like: a built-in exception raised by our own code."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and node.exc is not None:
            raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(raised, ast.Name) and raised.id in BUILTIN_ERRORS:
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: raise {raised.id}")
    return found


def test_no_bare_built_in_exception_is_raised() -> None:
    found = [
        line
        for name in PACKAGES
        for path in sorted((REPO / name).rglob("*.py"))
        for line in bare_raises(path)
    ]
    assert found == []


def test_no_input_is_validated_with_assert() -> None:
    found = [
        f"{path.relative_to(REPO)}:{node.lineno}"
        for name in PACKAGES
        for path in sorted((REPO / name).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assert)
    ]
    assert found == []


def an(error: type[SilsilaError]) -> SilsilaError:
    """An instance without calling __init__ (some errors take more than a message)."""
    return Exception.__new__(error)


def test_the_status_table_covers_every_public_error_root() -> None:
    for root in (SilsilaError, *ROOTS):
        assert any(issubclass(root, cls) for cls, _ in STATUS_CODES), root
        assert status_of(an(root)) == 500  # a root says nothing more specific
    assert STATUS_CODES[-1] == (SilsilaError, 500)
    assert all(issubclass(cls, SilsilaError) for cls, _ in STATUS_CODES)


def test_the_status_table_gives_the_documented_codes() -> None:
    expected = {
        NotAuthenticatedError: 401,
        AccessDeniedError: 403,
        NotFoundError: 404,
        InvalidRequestError: 422,
        ReadOnlyViolationError: 403,
        InvalidStatementError: 400,
        GraphUnavailableError: 503,
        CredentialsRejectedError: 503,
        GraphError: 500,
        LoaderError: 500,
        OntologyError: 500,
        ApiError: 500,
    }
    assert {error: status_of(an(error)) for error in expected} == expected


def test_no_row_of_the_status_table_is_shadowed_by_an_earlier_one() -> None:
    for i, (later, _) in enumerate(STATUS_CODES):
        for earlier, _ in STATUS_CODES[:i]:
            assert not issubclass(later, earlier), f"{later.__name__} after {earlier.__name__}"


@pytest.mark.parametrize("error", our_error_classes(), ids=lambda c: c.__qualname__)
def test_every_error_gets_a_status(error: type[SilsilaError]) -> None:
    assert status_of(an(error)) in {status for _, status in STATUS_CODES}


def test_the_app_answers_errors_in_the_one_shape_without_neo4j(tmp_path: Path) -> None:
    """Nothing listens on the port: these answers never reach Neo4j."""
    with TestClient(create_app(make_settings(tmp_path, neo4j_password="unused"))) as client:
        missing = client.get("/static/nope.js")
        assert missing.status_code == 404
        assert missing.json() == {"status": "error", "error": "No static file 'nope.js'."}
        anonymous = client.post("/cypher", json={"statement": "RETURN 1"})
        assert anonymous.status_code == 401
        assert anonymous.headers["WWW-Authenticate"] == "Bearer"
        assert anonymous.json()["status"] == "error"
