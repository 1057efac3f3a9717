"""GET /health on the real Neo4j: 200 with counts, 503 while it is unreachable, then recovery."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.app import create_app
from api.security import Role, TokenStore, tokens_path
from graph.db.settings import Settings
from ontology.model import load as load_ontology
from tests.conftest import DefaultDataset, default_records, free_port


@pytest.fixture
def client(settings: Settings, driver: Driver) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_health_reports_version_and_counts_by_label(
    dataset_client: TestClient, settings: Settings
) -> None:
    response = dataset_client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["neo4j"] == {"reachable": True, "version": "5.26.30", "edition": "community"}
    assert set(body["counts"]) == set(load_ontology().labels)
    assert body["counts"]["Source"] == 6
    persons = [r for r in default_records() if r.label == "Person"]
    witnesses = [r for r in persons if r.properties.get("restricted")]
    # The public count cannot tell that a witness is there; an investigator's counts are whole.
    assert body["counts"]["Person"] == len(persons) - len(witnesses) > 0
    _, token = TokenStore(tokens_path(settings)).create(Role.investigator)
    whole = dataset_client.get("/health", headers={"Authorization": f"Bearer {token}"}).json()
    assert whole["counts"]["Person"] == len(persons)
    assert len(witnesses) >= 10
    withheld_claims = whole["counts"]["Claim"] - body["counts"]["Claim"]
    assert withheld_claims >= 10  # statements, participations, attributions, tolls


class BoltLine:
    """A TCP relay between the API and Neo4j that the test can cut and mend: to the API, a cut
    line is Neo4j going away (refused connections, dropped sessions), without the cost of
    stopping and restarting the server."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._open: list[socket.socket] = []
        self._listener: socket.socket | None = None

    def mend(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        for sock in [self._listener, *self._open]:
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
        self._listener, self._open = None, []

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                caller, _ = listener.accept()
            except OSError:
                return  # cut
            server = socket.create_connection(("127.0.0.1", self.target_port))
            self._open += [caller, server]
            for source, sink in ((caller, server), (server, caller)):
                threading.Thread(target=_pipe, args=(source, sink), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_RDWR)


def test_health_is_503_while_neo4j_is_unreachable_and_recovers(
    shared_dataset: DefaultDataset, settings: Settings
) -> None:
    line = BoltLine(settings.neo4j_bolt_port)
    line.mend()
    through_line = settings.model_copy(update={"neo4j_bolt_port": line.port})
    shared_dataset.ensure()
    try:
        with TestClient(create_app(through_line)) as client:
            assert client.get("/health").status_code == 200
            line.cut()
            down = client.get("/health")
            assert down.status_code == 503
            assert down.json()["status"] == "unavailable"
            assert "not reachable" in down.json()["error"]
            assert "silsila db start" in down.json()["error"]
            line.mend()
            # The same app and driver, with no restart: the driver reconnects by itself.
            up = client.get("/health")
            assert up.status_code == 200
            assert up.json()["neo4j"]["reachable"] is True
    finally:
        line.cut()


def test_no_response_carries_the_password(client: TestClient, settings: Settings) -> None:
    assert settings.neo4j_password is not None
    password = settings.neo4j_password.get_secret_value()
    for path in ("/health", "/openapi.json", "/docs"):
        assert password not in client.get(path).text
