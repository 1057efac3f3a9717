"""Read FollowTheMoney entity files (JSON lines), check each entity against the FtM model,
and index every entity's line so that a reference can be re-read without holding the file.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from followthemoney import EntityProxy, model
from followthemoney.exc import InvalidData
from followthemoney.schema import Schema
from followthemoney.types import registry

from loaders.errors import RecordProblem, SourceFileError, UnreadableLineError
from loaders.files import input_files
from loaders.ftm.ids import SILSILA_ID, to_ftm
from loaders.limits import MAX_ID, MAX_TEXT, left_out, loads, shown, too_long

SUFFIXES = (".json", ".jsonl", ".ndjson", ".ftm")  # what a folder is searched for
RECENT_ENTITIES = 4096  # re-read entities kept parsed
LINE = "(line)"  # the RecordProblem field for a line that is not an entity at all
# FtM types of free text, which FtM refuses only for their length (a name over 384
# characters, an identifier over 64). Real lists write whole sentences there ("British
# passport number …, issued on …"), so these are kept up to MAX_TEXT; a longer value is
# left out with a warning, and the entity still imported.
FREE_TEXT = frozenset(
    {
        registry.name,
        registry.string,
        registry.text,
        registry.html,
        registry.address,
        registry.identifier,
    }
)
SHOWN_ERROR = 200  # characters of a FollowTheMoney error message (it quotes the value)


@dataclass(frozen=True)
class Line:
    """Where an entity is: its file, line number (from 1) and byte offset."""

    file: Path
    number: int
    offset: int

    def problem(self, name: str, text: str) -> RecordProblem:
        return RecordProblem(str(self.file), self.number, name, text)


def entity_files(paths: Sequence[Path]) -> list[Path]:
    """The files named, with folders expanded to their entity files in name order."""
    return input_files(paths, tuple(SUFFIXES), "FollowTheMoney entity files")


def lines(file: Path) -> Iterator[tuple[Line, bytes]]:
    """The non-blank lines of FILE, read lazily, with where each starts."""
    try:
        with file.open("rb") as stream:
            offset = 0
            for number, raw in enumerate(stream, start=1):
                if raw.strip():
                    yield Line(file, number, offset), raw
                offset += len(raw)
    except OSError as e:
        raise SourceFileError(f"{file}: cannot read: {e}") from e


@dataclass
class Parsed:
    """The entity on a line (None if it cannot be imported), what is wrong with it, and the
    values left out of it (longer than MAX_TEXT)."""

    entity: EntityProxy | None
    problems: list[RecordProblem] = field(default_factory=list)
    warnings: list[RecordProblem] = field(default_factory=list)


def parse(line: Line, raw: bytes) -> Parsed:
    """The entity on LINE, or what is wrong with it (as FtM's model checks it)."""
    try:
        data = loads(raw.strip())
    except UnreadableLineError as e:
        return Parsed(None, [line.problem(LINE, str(e))])
    if not isinstance(data, dict):
        shape = 'must be a JSON object {"id", "schema", "properties"}'
        return Parsed(None, [line.problem(LINE, shape)])
    problems = _shape_problems(line, data)
    if problems:
        return Parsed(None, problems)
    schema = model.get(data["schema"])
    if schema is None or schema.abstract:
        return Parsed(
            None,
            [
                line.problem(
                    "schema",
                    f"{shown(data['schema'])} is not a FollowTheMoney entity schema "
                    "(use Person, Organization, Sanction, Membership, … as the model names them)",
                )
            ],
        )
    problems, warnings = _bounded(line, schema, data["properties"])
    named = {p.field for p in problems}  # a property too long is not also "required"
    problems += [
        p for p in _property_problems(line, schema, data["properties"]) if p.field not in named
    ]
    return Parsed(None if problems else model.get_proxy(data), problems, warnings)


def _shape_problems(line: Line, data: dict[str, Any]) -> list[RecordProblem]:
    problems = []
    if not isinstance(data.get("id"), str) or not data["id"]:
        problems.append(line.problem("id", "required: the entity's id (a non-empty string)"))
    elif len(data["id"]) > MAX_ID:
        problems.append(line.problem("id", too_long(len(data["id"]), MAX_ID)))
    if not isinstance(data.get("schema"), str):
        problems.append(line.problem("schema", "required: the entity's schema, e.g. Person"))
    properties = data.setdefault("properties", {})
    if not isinstance(properties, dict):
        problems.append(line.problem("properties", "must be an object {property: [values]}"))
        return problems
    for name, values in properties.items():
        if len(name) > MAX_ID:
            problems.append(line.problem("properties", f"{shown(name)} is not a property name"))
        elif not (isinstance(values, list) and all(isinstance(v, str) for v in values)):
            problems.append(line.problem(name, 'must be a list of strings, e.g. ["value"]'))
    return problems


def _bounded(
    line: Line, schema: Schema, properties: dict[str, list[str]]
) -> tuple[list[RecordProblem], list[RecordProblem]]:
    """Leave out of PROPERTIES every free text longer than MAX_TEXT (the warnings); an id
    too long, or a required property left with no value, is a problem."""
    problems: list[RecordProblem] = []
    warnings: list[RecordProblem] = []
    for name, values in properties.items():
        prop = schema.properties.get(name)
        if prop is not None and prop.type == registry.entity:
            problems += [
                line.problem(name, f"an id {too_long(len(v), MAX_ID)}")
                for v in values
                if len(v) > MAX_ID
            ]
        elif prop is not None and prop.type in FREE_TEXT:
            kept = [v for v in values if len(v) <= MAX_TEXT]
            if name in schema.required and values and not kept:
                problems.append(line.problem(name, too_long(len(values[0]), MAX_TEXT)))
            else:
                warnings += [
                    line.problem(name, left_out(len(v))) for v in values if len(v) > MAX_TEXT
                ]
            properties[name] = kept
    return problems, warnings


def _property_problems(
    line: Line, schema: Schema, properties: dict[str, list[str]]
) -> list[RecordProblem]:
    problems = [
        line.problem(
            name, f"{schema.name} has no property {shown(name)} in the FollowTheMoney model"
        )
        for name in properties
        if name not in schema.properties
    ]
    try:
        schema.validate({"properties": _as_ftm_ids(schema, _within_ftm_bounds(schema, properties))})
    except InvalidData as e:
        problems += [
            line.problem(name, _cut(f"{error}") + f" for a {schema.properties[name].type.name}")
            for name, error in e.errors.get("properties", {}).items()
        ]
    problems += [
        line.problem(name, f"required: a {schema.name} needs its {name!r}")
        for name in sorted(schema.required)
        if not properties.get(name)
    ]
    return problems


def _within_ftm_bounds(schema: Schema, properties: dict[str, list[str]]) -> dict[str, list[str]]:
    """PROPERTIES for FtM's check, free texts cut to FtM's bound for their type (which it
    would refuse for their length alone; Silsila keeps them whole)."""

    def checked(name: str, value: str) -> str:
        prop = schema.properties.get(name)
        free = prop is not None and prop.type in FREE_TEXT
        return value[: prop.type.max_length] if free and prop is not None else value

    return {name: [checked(name, v) for v in values] for name, values in properties.items()}


def _cut(message: str) -> str:
    """A FollowTheMoney error message (which quotes the value) cut to SHOWN_ERROR characters."""
    return message if len(message) <= SHOWN_ERROR else message[:SHOWN_ERROR] + "…"


def _as_ftm_ids(schema: Schema, properties: dict[str, list[str]]) -> dict[str, list[str]]:
    """PROPERTIES with references written as Silsila ids (`person:x`), which the importer
    reads but FtM's entity type refuses, in their FtM form (`person.x`) for the check."""

    def checked(name: str, value: str) -> str:
        prop = schema.properties.get(name)
        is_ref = prop is not None and prop.type == registry.entity
        return to_ftm(value) if is_ref and SILSILA_ID.match(value) else value

    return {name: [checked(name, v) for v in values] for name, values in properties.items()}


@dataclass
class EntityIndex:
    """Every entity id of the files with its schema and line, and what the importer looks up.

    FIRST_SANCTION maps an authority's name to the first Sanction naming it, so the
    authority's record is the same whichever chunk needs it. REPEATS maps a line whose id
    an earlier line already has to that earlier line.
    """

    entities: dict[str, tuple[str, Line]] = field(default_factory=dict)
    first_sanction: dict[str, str] = field(default_factory=dict)
    repeats: dict[tuple[Path, int], Line] = field(default_factory=dict)
    _streams: dict[Path, IO[bytes]] = field(default_factory=dict)
    _recent: OrderedDict[str, tuple[EntityProxy, Line] | None] = field(default_factory=OrderedDict)

    def schema_of(self, ftm_id: str) -> Schema | None:
        found = self.entities.get(ftm_id)
        return model.get(found[0]) if found else None

    def load(self, ftm_id: str) -> tuple[EntityProxy, Line] | None:
        """The entity FTM_ID re-read from its line, if it is in the files and valid (the
        most recently read are kept: an authority's first sanction, a busy organisation)."""
        if ftm_id in self._recent:
            self._recent.move_to_end(ftm_id)
            return self._recent[ftm_id]
        found = self.entities.get(ftm_id)
        if found is None:
            return None
        line = found[1]
        stream = self._streams.get(line.file)
        if stream is None:
            stream = self._streams[line.file] = line.file.open("rb")
        stream.seek(line.offset)
        parsed = parse(line, stream.readline()).entity
        loaded = (parsed, line) if parsed is not None else None
        self._recent[ftm_id] = loaded
        if len(self._recent) > RECENT_ENTITIES:
            self._recent.popitem(last=False)
        return loaded

    def close(self) -> None:
        for stream in self._streams.values():
            stream.close()
        self._streams.clear()


def build_index(files: Sequence[Path]) -> EntityIndex:
    """One pass over FILES noting each entity's id, schema and line (lines that do not
    parse are left out: the chunk that reads them reports them)."""
    index = EntityIndex()
    for file in files:
        for line, raw in lines(file):
            data = _loose(raw)
            ftm_id, schema = data.get("id"), data.get("schema")
            if not (isinstance(ftm_id, str) and isinstance(schema, str)):
                continue
            if ftm_id in index.entities:
                index.repeats[(file, line.number)] = index.entities[ftm_id][1]
                continue
            index.entities[ftm_id] = (schema, line)
            if schema == "Sanction":
                for authority in _strings(data.get("properties"), "authority"):
                    index.first_sanction.setdefault(authority, ftm_id)
    return index


def _loose(raw: bytes) -> dict[str, Any]:
    try:
        data = loads(raw)
    except UnreadableLineError:
        return {}
    return data if isinstance(data, dict) else {}


def _strings(properties: Any, name: str) -> list[str]:
    values = properties.get(name) if isinstance(properties, dict) else None
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []
