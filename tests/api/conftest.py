"""A client over the default dataset, loaded once per module for read-only API tests."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from api.app import create_app
from tests.conftest import DefaultDataset


@pytest.fixture(scope="module")
def dataset_client(shared_dataset: DefaultDataset) -> Iterator[TestClient]:
    """The shared default dataset; the module's tests only read it."""
    with TestClient(create_app(shared_dataset.ensure())) as test_client:
        yield test_client


def app_routes(routes: Sequence[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route of an app (its `routes`), through the routers it includes."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        yield from app_routes(inner.routes) if inner is not None else [route]
