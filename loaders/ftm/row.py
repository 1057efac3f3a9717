"""One FtM entity being turned into records: its values, references, problems and needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from followthemoney import EntityProxy
from followthemoney.schema import Schema

from loaders.errors import RecordProblem
from loaders.ftm.ids import from_ftm, silsila_id, type_of_silsila_id
from loaders.ftm.reader import EntityIndex, Line
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
# Properties about the entity record itself (evidence is read by loaders.ftm.evidence):
# not facts to keep in the description.
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
    the same chunk must hold (the entities it names)."""

    records: list[Record] = field(default_factory=list)
    problems: list[RecordProblem] = field(default_factory=list)
    needs: set[str] = field(default_factory=set)
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

    def note(self, text: str) -> None:
        self._notes.append(text)

    def emit(self, label: str, properties: dict[str, Any]) -> None:
        """A record of this row, without the fields that have no value."""
        kept = {k: v for k, v in properties.items() if v is not None and v != [] and v != ""}
        self.result.records.append(Record(label, kept, str(self.line.file), self.line.number))

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

    def date(self, name: str) -> str | None:
        """The first date of NAME as a partial date (a time of day is dropped)."""
        value = self.single(name)
        return value[:10] if value else None

    def number(self, name: str) -> float | None:
        value = self.single(name)
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            self.problem(name, f"{shown(value)} is not a number: write e.g. 33.51")
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
        self, name: str, wanted: tuple[str, ...], proxy: EntityProxy | None = None
    ) -> list[Target]:
        """The entities NAME points at, each of a WANTED record type; the ones in the files
        become needs, the others must be Silsila ids of records in the graph."""
        targets = []
        for value in self.values(name, proxy=proxy):
            target = self._target(name, value)
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
        self, name: str, wanted: tuple[str, ...], proxy: EntityProxy | None = None
    ) -> Target | None:
        """The first entity NAME points at; further ones go to the description."""
        targets = self.refs(name, wanted, proxy)
        if len(targets) > 1:
            self.note(f"{name} also given as: {'; '.join(t.id for t in targets[1:])}")
        return targets[0] if targets else None

    def _target(self, name: str, value: str) -> Target | None:
        schema = self.index.schema_of(value)
        if schema is not None:
            label = record_type(schema)
            if label is None:
                self.problem(name, f"{value!r} is a {schema.name}, which Silsila does not import")
                return None
            self.result.needs.add(value)
            return Target(silsila_id(label, value), label, value)
        known = from_ftm(value)
        if known is not None:
            return Target(known, type_of_silsila_id(known), value)
        self.problem(
            name,
            f"entity {value!r} is neither in the file(s) nor a Silsila id: add its entity, "
            "or name a record already in the graph (person:qahtan-khalil or, as FtM ids "
            "are written, person.qahtan-khalil)",
        )
        return None
