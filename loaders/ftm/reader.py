"""Read FollowTheMoney entity files (JSON lines), check each entity against the FtM model,
and index every entity's line so that a reference can be re-read without holding the file.

Real lists are messy: a phone number without its country, a passport number written as a
sentence. A value FtM refuses is left out of the entity (the importer then warns, counted by
reason), and only a property the entity cannot be without (its FtM schema's required ones: a
Sanction's `entity`, a Person's `name`) rejects it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from followthemoney import EntityProxy, model
from followthemoney.property import Property
from followthemoney.schema import Schema
from followthemoney.types import registry
from followthemoney.util import sanitize_text

from loaders.errors import RecordProblem, SourceFileError, UnreadableLineError
from loaders.files import input_files
from loaders.ftm.ids import SILSILA_ID, to_ftm
from loaders.limits import MAX_ID, MAX_TEXT, left_out, loads, shown, too_long

# Reasons of the warnings for values left out (`RecordProblem.reason`), counted by them.
UNKNOWN_PROPERTY = "not a property of its FollowTheMoney schema: left out"
TOO_LONG = f"longer than {MAX_TEXT:,} characters: left out"

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


@dataclass(frozen=True)
class Line:
    """Where an entity is: its file, line number (from 1) and byte offset."""

    file: Path
    number: int
    offset: int

    def problem(self, name: str, text: str, reason: str = "") -> RecordProblem:
        return RecordProblem(str(self.file), self.number, name, text, reason)


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


@dataclass(frozen=True)
class Dropped:
    """A value FtM refuses, left out of the entity: whether that matters (a value Silsila
    maps, or not) is known once the entity is mapped, so the warning is made then."""

    name: str
    text: str  # what is wrong with it: `'0271-2167285' is not a valid phone`


@dataclass
class Parsed:
    """The entity on a line (None if it cannot be imported), what is wrong with it, the
    values left out longer than MAX_TEXT or not in the FtM model (WARNINGS) and the values
    FtM refuses (DROPPED)."""

    entity: EntityProxy | None
    problems: list[RecordProblem] = field(default_factory=list)
    warnings: list[RecordProblem] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)


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
    checked = _checked(line, schema, data["properties"])
    if not checked.problems:
        checked.entity = model.get_proxy(data)
    return checked


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


def _checked(line: Line, schema: Schema, properties: dict[str, list[str]]) -> Parsed:
    """Leave out of PROPERTIES every property FtM does not know and every value it refuses,
    the others cleaned as FtM reads them (odd spaces, a name's quotes: an export then writes
    them back unchanged); a required property left with no value (or never given) is a
    problem."""
    found = Parsed(None)
    for name in list(properties):
        prop = schema.properties.get(name)
        if prop is None:
            text = f"{schema.name} has no property {shown(name)} in the FollowTheMoney model"
            found.warnings.append(line.problem(name, f"{text}; left out", UNKNOWN_PROPERTY))
            del properties[name]
            continue
        given = properties[name]
        kept = []
        for value in (sanitize_text(v) or "" for v in given):
            refused = _refused(prop, value)
            if refused is None:
                kept.append(_cleaned(prop, value))
            elif len(value) > MAX_TEXT:
                found.warnings.append(line.problem(name, left_out(len(value)), TOO_LONG))
            else:
                found.dropped.append(Dropped(name, refused))
        properties[name] = kept
        if not kept:
            del properties[name]
        if given and not kept and name in schema.required:
            found.problems.append(line.problem(name, _without(schema, name, given[0], prop)))
    named = {p.field for p in found.problems}  # all refused: not also "required"
    found.problems += [
        line.problem(name, f"required: a {schema.name} needs its {name!r}")
        for name in sorted(schema.required)
        if not properties.get(name) and name not in named
    ]
    return found


def _refused(prop: Property, value: str) -> str | None:
    """Why FtM refuses VALUE for PROP, or None. Free texts are kept up to MAX_TEXT (FtM's
    own bound for their type is not Silsila's), ids up to MAX_ID."""
    if prop.stub:
        return f"{prop.name} is FtM's reverse of another property and cannot be written"
    if prop.type == registry.entity:
        if len(value) > MAX_ID:
            return f"an id {too_long(len(value), MAX_ID)}"
        ftm_form = to_ftm(value) if SILSILA_ID.match(value) else value
        return None if registry.entity.validate(ftm_form) else f"{shown(value)} is not an entity id"
    if prop.type in FREE_TEXT:
        if len(value) > MAX_TEXT:
            return left_out(len(value))
        valid = prop.type.validate(value[: prop.type.max_length])
        return None if valid else f"{shown(value)} is empty"
    valid = prop.type.validate(value)
    return None if valid else f"{shown(value)} is not a valid {prop.type.name}"


def _cleaned(prop: Property, value: str) -> str:
    """VALUE as FtM's type of PROP cleans it; a reference stays as written (a Silsila id)."""
    if prop.type == registry.entity:
        return value
    return prop.type.clean_text(value, format=prop.format) or value


def _without(schema: Schema, name: str, first: str, prop: Property) -> str:
    """The problem of a required property whose every value was refused."""
    if prop.type in FREE_TEXT and len(first) > MAX_TEXT:
        return too_long(len(first), MAX_TEXT)
    refused = _refused(prop, first) or "refused"
    return f"{refused}; a {schema.name} needs its {name!r}"


@dataclass
class Authority:
    """What the files say of a sanctioning authority (FtM gives only its name, on each
    Sanction): the first file naming it, and the `country` of every Sanction naming it."""

    file: Path
    countries: set[str] = field(default_factory=set)


@dataclass
class EntityIndex:
    """Every entity id of the files with its schema and line, and what the importer looks up.

    AUTHORITIES gathers each authority from every Sanction naming it, so its record is the
    same whichever chunk needs it and whichever of those sanctions is valid. REPEATS maps a
    line whose id an earlier line already has to that earlier line.
    """

    entities: dict[str, tuple[str, Line]] = field(default_factory=dict)
    authorities: dict[str, Authority] = field(default_factory=dict)
    repeats: dict[tuple[Path, int], Line] = field(default_factory=dict)
    _streams: dict[Path, IO[bytes]] = field(default_factory=dict)
    _recent: OrderedDict[str, tuple[EntityProxy, Line] | None] = field(default_factory=OrderedDict)

    def schema_of(self, ftm_id: str) -> Schema | None:
        found = self.entities.get(ftm_id)
        return model.get(found[0]) if found else None

    def load(self, ftm_id: str) -> tuple[EntityProxy, Line] | None:
        """The entity FTM_ID re-read from its line, if it is in the files and valid (the
        most recently read are kept: a busy organisation, a document many entities cite)."""
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
                _note_authorities(index, file, data.get("properties"))
    return index


def _note_authorities(index: EntityIndex, file: Path, properties: Any) -> None:
    countries = {c for c in _strings(properties, "country") if registry.country.validate(c)}
    for name in _strings(properties, "authority"):
        if 0 < len(name) <= MAX_TEXT:
            index.authorities.setdefault(name, Authority(file)).countries |= countries


def _loose(raw: bytes) -> dict[str, Any]:
    try:
        data = loads(raw)
    except UnreadableLineError:
        return {}
    return data if isinstance(data, dict) else {}


def _strings(properties: Any, name: str) -> list[str]:
    values = properties.get(name) if isinstance(properties, dict) else None
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []
