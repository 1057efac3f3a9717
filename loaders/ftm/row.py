"""One FtM entity being turned into records: its values, references, problems and needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from followthemoney import EntityProxy
from followthemoney.schema import Schema

from graph.asof import InvalidDateError, PartialDate
from loaders.errors import RecordProblem
from loaders.ftm.ids import from_ftm, silsila_id, type_of_silsila_id
from loaders.ftm.reader import Dropped, EntityIndex, Line
from loaders.limits import shown
from loaders.pipeline import Record

# The record type of each FtM schema other entities point at, most specific first.
REFERENCED_TYPES = (
    ("Person", "Person"),
    ("LegalEntity", "Organization"),
    ("Address", "Place"),
    ("Event", "Event"),
    ("Document", "Source"),
    ("Sanction", "Sanction"),
)
DESCRIPTIONS = ("description", "summary", "notes")  # FtM texts that become the description
EVIDENCE = {"proof", "sourceUrl", "publisher", "retrievedAt"}  # read by loaders.ftm.evidence
# Properties about the entity record itself (its evidence among them): not facts to keep in
# the description.
RECORD_KEEPING = {
    "proof",
    "sourceUrl",
    "publisher",
    "publisherUrl",
    "retrievedAt",
    "modifiedAt",
    "createdAt",
    "alephUrl",
    "indexText",
    "recordId",
}
# Reasons of the warnings for values left out (`RecordProblem.reason`), counted by them.
INVALID_MAPPED = "invalid value: left out"
INVALID_UNMAPPED = "invalid value of a property Silsila does not map: left out"
MISSING_TARGET = "names an entity in none of the files: entity left out"
MISSING_VALUE = "names an entity in none of the files: value left out"
UNIMPORTED_VALUE = "names an entity Silsila does not import: value left out"


def record_type(schema: Schema) -> str | None:
    """The Silsila record type an entity of SCHEMA becomes when another entity names it."""
    return next((label for name, label in REFERENCED_TYPES if schema.is_a(name)), None)


class Target(NamedTuple):
    """A referenced entity: its Silsila id, record type (None if unknown) and FtM id."""

    id: str
    record_type: str | None
    ftm_id: str


@dataclass
class Converted:
    """The records an entity yields, what is wrong with it, and the FtM ids whose records
    the same chunk must hold (the entities it names, each with the property naming it)."""

    records: list[Record] = field(default_factory=list)
    problems: list[RecordProblem] = field(default_factory=list)
    needs: dict[str, str] = field(default_factory=dict)
    warnings: list[RecordProblem] = field(default_factory=list)  # values left out


class Row:
    """Builds the records of one entity; notes values a single-valued field cannot hold."""

    def __init__(self, proxy: EntityProxy, line: Line, index: EntityIndex) -> None:
        self.proxy = proxy
        self.line = line
        self.index = index
        self.result = Converted()
        self._notes: list[str] = []
        self._read: set[str] = set(RECORD_KEEPING)

    @property
    def ftm_id(self) -> str:
        return str(self.proxy.id)

    def own_id(self, label: str) -> str:
        return silsila_id(label, self.ftm_id)

    def problem(self, name: str, text: str) -> None:
        self.result.problems.append(self.line.problem(name, text))

    def warn(self, name: str, text: str, reason: str) -> None:
        """A value left out (the entity is still imported), counted under REASON."""
        self.result.warnings.append(self.line.problem(name, text, reason))

    def need(self, ftm_id: str, name: str) -> None:
        self.result.needs.setdefault(ftm_id, name)

    def note(self, text: str) -> None:
        self._notes.append(text)

    def emit(self, label: str, properties: dict[str, Any]) -> None:
        """A record of this row, without the fields that have no value."""
        kept = {k: v for k, v in properties.items() if v is not None and v != [] and v != ""}
        self.result.records.append(Record(label, kept, str(self.line.file), self.line.number))

    def emit_shared(self, label: str, properties: dict[str, Any]) -> str:
        """A record many entities name (an authority, a source), made only from its own
        values: it is placed apart from this line (`FILE#ID`), so that this line being
        rejected does not take it from the others."""
        record_id = str(properties["id"])
        where = f"{self.line.file}#{record_id}"
        self.result.records.append(Record(label, properties, where, 0))
        return record_id

    def values(self, *names: str, proxy: EntityProxy | None = None) -> list[str]:
        """The values of the properties NAMES, in file order, each once."""
        if proxy is None:
            self._read.update(names)
        entity = proxy or self.proxy
        found = [v for name in names for v in entity.get(name, quiet=True)]
        return list(dict.fromkeys(found))

    def single(self, name: str) -> str | None:
        """The first value of NAME; further ones go to the description, never dropped."""
        found = self.values(name)
        if len(found) > 1:
            self.note(f"{name} also given as: {'; '.join(found[1:])}")
        return found[0] if found else None

    def dates(self, name: str) -> list[str]:
        """Every date of NAME as a partial date, with its precision (`1962`, `1962-05`,
        `1962-05-03`; a time of day is dropped); one that is no date is left out."""
        found = []
        for value in self.values(name):
            day = value[:10]
            try:
                PartialDate.parse(day)
            except InvalidDateError:
                text = f"{shown(value)} is not a date (YYYY, YYYY-MM or YYYY-MM-DD); left out"
                self.warn(name, text, INVALID_MAPPED)
                continue
            found.append(day)
        return list(dict.fromkeys(found))

    def date(self, name: str) -> str | None:
        """The first date of NAME; further ones go to the description."""
        found = self.dates(name)
        if len(found) > 1:
            self.note(f"{name} also given as: {'; '.join(found[1:])}")
        return found[0] if found else None

    def number(self, name: str) -> float | None:
        value = self.single(name)
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            self.warn(
                name, f"{shown(value)} is not a number (e.g. 33.51); left out", INVALID_MAPPED
            )
            return None

    def names(self, *aliases: str) -> tuple[str, list[str]]:
        """The name (first `name`), and every other name and alias the entity gives."""
        found = self.values("name", *aliases)
        return found[0], found[1:]

    def description(self) -> str | None:
        """The entity's own texts, the notes, then every property no field took (so nothing
        is dropped unsaid); call after every other field."""
        texts = self.values(*DESCRIPTIONS) + self._notes
        texts += [
            f"{name}: {'; '.join(values)}"
            for name, values in self.proxy.properties.items()
            if name not in self._read
        ]
        return "\n".join(texts) or None

    def refs(
        self,
        name: str,
        wanted: tuple[str, ...],
        proxy: EntityProxy | None = None,
        required: bool = False,
    ) -> list[Target]:
        """The entities NAME points at, each of a WANTED record type; the ones in the files
        become needs, the others must be Silsila ids of records in the graph. One in none
        of the files is left out (the entity too, if it is REQUIRED)."""
        targets = []
        for value in self.values(name, proxy=proxy):
            target = self._target(name, value, required)
            if target is None:
                continue
            if target.record_type is not None and target.record_type not in wanted:
                self.problem(
                    name,
                    f"{value!r} is a {target.record_type} here; {name} must name a "
                    + " or ".join(wanted),
                )
                continue
            targets.append(target)
        return targets

    def ref(
        self,
        name: str,
        wanted: tuple[str, ...],
        proxy: EntityProxy | None = None,
        required: bool = False,
    ) -> Target | None:
        """The first entity NAME points at; further ones go to the description."""
        targets = self.refs(name, wanted, proxy, required)
        if len(targets) > 1:
            self.note(f"{name} also given as: {'; '.join(t.id for t in targets[1:])}")
        return targets[0] if targets else None

    def _target(self, name: str, value: str, required: bool) -> Target | None:
        schema = self.index.schema_of(value)
        if schema is not None:
            label = record_type(schema)
            if label is None:
                text = f"{value!r} is a {schema.name}, which Silsila does not import; left out"
                self.warn(name, text, UNIMPORTED_VALUE)
                return None
            self.need(value, name)
            return Target(silsila_id(label, value), label, value)
        known = from_ftm(value)
        if known is not None:
            return Target(known, type_of_silsila_id(known), value)
        what = f"the {self.proxy.schema.name} is" if required else "that value is"
        self.warn(
            name,
            f"entity {value!r} is in none of the files, nor a Silsila id (person:x, or "
            f"person.x as exported): {what} left out",
            MISSING_TARGET if required else MISSING_VALUE,
        )
        return None

    def report_dropped(self, dropped: list[Dropped]) -> None:
        """Warn of the values FtM refused (call after the mapping): their reason says whether
        Silsila maps the property."""
        for value in dropped:
            mapped = value.name in self._read and (
                value.name not in RECORD_KEEPING or value.name in EVIDENCE
            )
            tail = "" if mapped else " (Silsila does not map it)"
            reason = INVALID_MAPPED if mapped else INVALID_UNMAPPED
            self.warn(value.name, f"{value.text}; left out{tail}", reason)
