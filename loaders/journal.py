"""The import journal: which chunks of an input the graph holds, so a stopped import resumes.

`silsila import` writes each chunk in its own transaction. Before a chunk's transaction the
journal (STATE_DIR/imports/FORMAT-DIGEST.json, replaced atomically) records that the chunk is
being written, with a *witness*: the id of a citation node the chunk creates (a digest, so it
names nobody); after the commit it records the chunk as committed. A kill at any point leaves
the graph holding whole chunks only, and the journal tells which: the committed ones, plus the
one being written if its witness is in the graph (the journal is written after the commit).
The journal is deleted when the import completes.

Witnesses also show when the graph has lost chunks it held (emptied since): a resumed import
then writes every chunk again instead of skipping them. Digests of the ids of the entities each
chunk creates let the resumed import ignore them as matches, as an uninterrupted one would. A
lock beside the journal, held while the import writes, tells a running import from a stopped one.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from neo4j import Driver

from graph.db import store
from graph.db.settings import Settings
from loaders.errors import LoaderError
from loaders.pipeline import LinkRow
from loaders.resolve import RESOLVED_TYPES
from ontology.terms import Label, Rel

FOLDER = "imports"
VERSION = 1
WITNESS_TRIES = 20  # citation ids asked about per chunk to find one the chunk creates
# Records every chunk may emit again (and so rewrite, citations included): never witnesses.
REEMITTED = (*RESOLVED_TYPES, Label.SOURCE)


class ImportJournalError(LoaderError):
    """An import journal in the state folder cannot be read."""


class ImportInterruptedError(LoaderError):
    """An import stopped after its write began; the message says what the graph holds."""


class ImportRunningError(LoaderError):
    """Another `silsila import` is writing the same files right now."""


def folder(settings: Settings) -> Path:
    return settings.state_dir / FOLDER


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Journal:
    """One input's import: its chunks (rows in each), the witnesses, how many are committed."""

    path: Path
    format: str
    inputs: list[str]
    digest: str
    chunk_rows: list[int]
    witnesses: list[str | None] = field(default_factory=list)  # one per chunk begun
    # Per chunk begun, digests of the entity ids it creates (ids can carry a witness's alias).
    created: list[list[str]] = field(default_factory=list)
    committed: int = 0  # chunks 1..committed are in the graph
    started: str = field(default_factory=now)
    updated: str = ""

    @property
    def chunks(self) -> int:
        return len(self.chunk_rows)

    @property
    def writing(self) -> bool:
        """Whether the chunk after the committed ones was begun (it may have committed)."""
        return len(self.witnesses) > self.committed

    def begin(self, number: int, witness: str | None, creates: Sequence[str]) -> None:
        """Chunk NUMBER (from 0) is about to be written, creating the entities CREATES."""
        self.witnesses[number:] = [witness]
        self.created[number:] = [sorted({id_digest(i) for i in creates})]
        self.save()

    def commit(self, number: int) -> None:
        """Chunk NUMBER (from 0) is committed."""
        self.committed = number + 1
        self.save()

    def resume(self, chunks: int) -> None:
        """Chunks 1..CHUNKS are in the graph; the rest will be written."""
        self.committed = chunks
        self.witnesses, self.created = self.witnesses[:chunks], self.created[:chunks]
        self.save()

    def creations(self, chunks: int) -> IdDigests:
        """The entities chunks 1..CHUNKS created."""
        return IdDigests({d for chunk in self.created[:chunks] for d in chunk})

    def save(self) -> None:
        """Replace the journal file atomically, so a kill leaves the old one or the new one."""
        self.updated = now()
        data = {"version": VERSION, **asdict(self), "path": None}
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)
        _sync_folder(self.path.parent)

    def finish(self) -> None:
        """The import completed: nothing to resume."""
        self.path.unlink(missing_ok=True)
        _lock_path(self.path).unlink(missing_ok=True)
        _sync_folder(self.path.parent)


def _lock_path(path: Path) -> Path:
    return path.with_name(f".{path.stem}.lock")


@contextmanager
def writing(path: Path, inputs: str) -> Iterator[None]:
    """Hold the lock of the journal at PATH while its import writes, so that others see it
    running, not stopped. The system drops the lock when the process ends, even by a kill."""
    lock = _lock_path(path)
    lock.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise running_error(inputs) from e
        yield
    finally:
        os.close(fd)


def running_error(inputs: str) -> ImportRunningError:
    return ImportRunningError(
        f"another `silsila import` is writing {inputs} right now: wait until it ends"
    )


def running(journal: Journal) -> bool:
    """Whether the import of JOURNAL is being written by a live process."""
    try:
        fd = os.open(_lock_path(journal.path), os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def id_digest(node_id: str) -> str:
    return hashlib.sha256(node_id.encode("utf-8")).hexdigest()[:20]


class IdDigests:
    """Ids known by their digests, asked about by id."""

    def __init__(self, digests: set[str]) -> None:
        self.digests = frozenset(digests)

    def __contains__(self, node_id: object) -> bool:
        return isinstance(node_id, str) and id_digest(node_id) in self.digests


def _sync_folder(path: Path) -> None:
    """Make a rename or unlink in PATH durable (a crash after it cannot undo it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def input_digest(format_name: str, paths: Sequence[Path]) -> str:
    """A digest of the format and the content of the files (a folder: its files by name)."""
    digest = hashlib.sha256(format_name.encode("utf-8"))
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(b"\x00" + file.relative_to(path).as_posix().encode("utf-8"))
            try:
                with file.open("rb") as handle:
                    digest.update(hashlib.file_digest(handle, "sha256").digest())
            except OSError:  # missing or unreadable: reading it says so, with its own error
                digest.update(b"\x01unreadable")
    return digest.hexdigest()


def journal_path(settings: Settings, format_name: str, digest: str) -> Path:
    return folder(settings) / f"{format_name}-{digest[:24]}.json"


def unfinished(settings: Settings) -> list[Journal]:
    """Every journal in the state folder: imports that stopped before completing."""
    where = folder(settings)
    return [read(path) for path in sorted(where.glob("*.json"))] if where.is_dir() else []


def read(path: Path) -> Journal:
    unreadable = f"{path} is not an import journal this silsila can read; delete it to forget it"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        version = data.pop("version", None)
        data.pop("path", None)
        journal = Journal(path=path, **data)
    except (OSError, ValueError, TypeError, AttributeError) as e:  # AttributeError: not a map
        raise ImportJournalError(f"{unreadable} ({e})") from e
    if version != VERSION:
        raise ImportJournalError(unreadable)
    return journal


# ----- what the graph holds ----------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    """What the graph holds of an interrupted import, checked against its witnesses."""

    journal: Journal
    chunks: int  # whole chunks the graph holds, from the first
    uncertain: bool  # the chunk after them was being written and may have committed too
    lost: bool  # the graph no longer holds chunks it had committed (emptied since)

    def state(self) -> str:
        """What the graph holds, in words."""
        total, held = self.journal.chunks, self.chunks
        if self.lost:
            return (
                f"the graph no longer holds the {self.journal.committed} chunk(s) it had "
                "committed (it was emptied or changed since)"
            )
        if total == 1:
            if self.uncertain:
                return (
                    "its one transaction may or may not have committed: the graph holds all "
                    "of it or is as it was before it"
                )
            done = held == 1
            return "it was committed whole" if done else "the graph is as it was before it"
        if held == total:
            return f"all {total} chunks were committed: the graph holds all of it"
        perhaps = f" (perhaps {held + 1})" if self.uncertain else ""
        if held == 0:
            return f"0 of {total} chunks{perhaps} were committed: the graph is as it was before it"
        return f"{held}{perhaps} of {total} chunks were committed: the graph holds part of it"


def held(driver: Driver, settings: Settings, journal: Journal) -> Held:
    """Which chunks of JOURNAL's import the graph holds, asking after their witnesses."""
    wanted = [w for w in journal.witnesses if w]
    found = set(store.labels_of_ids(driver, settings, wanted)) if wanted else set()
    chunks, uncertain = journal.committed, False
    if journal.writing:
        witness = journal.witnesses[journal.committed]
        if witness is None:
            uncertain = True
        elif witness in found:
            chunks += 1
    lost = any(w is not None and w not in found for w in journal.witnesses[:chunks])
    return Held(journal, 0 if lost else chunks, uncertain and not lost, lost)


def witness(driver: Driver, settings: Settings, links: Sequence[LinkRow]) -> str | None:
    """The id of a citation node these links create: one of an event's or a claim's, which no
    later chunk rewrites (entities' are). None when all of those tried are in the graph."""
    tried = [x.to_id for x in links if x.rel == Rel.CITED_IN and x.from_label not in REEMITTED][
        :WITNESS_TRIES
    ]
    present = store.cited_sources_by_label(driver, settings, {Label.CITATION: tried})
    return next((t for t in tried if t not in present), None)
