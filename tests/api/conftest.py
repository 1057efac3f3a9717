"""A client over the default dataset, loaded once per module for read-only API tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.db import store
from graph.db.settings import Settings
from loaders import pipeline
from loaders.records import read_paths
from ontology.model import load as load_ontology
from tests.conftest import REPO


@pytest.fixture(scope="module")
def dataset_client(settings: Settings) -> Iterator[TestClient]:
    """A clean graph with the default dataset; the module's tests only read it."""
    with store.connect(settings) as drv:
        store.delete_all(drv, settings)
    pipeline.load(settings, load_ontology(), read_paths([REPO / "data" / "default"]))
    with TestClient(create_app(settings)) as test_client:
        yield test_client
