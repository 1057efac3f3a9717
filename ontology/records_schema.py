"""Derive the JSON Schema of Silsila's record files from the ontology."""

from __future__ import annotations

from typing import Any

from rdflib import XSD

from ontology.model import Ontology, PropertyDef, RelationshipDef

ID_PATTERN = r"^[a-z0-9][a-z0-9:._-]*$"
DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
SCHEMA_ID = "https://w3id.org/silsila/records.schema.json"

_SCALARS: dict[str, dict[str, Any]] = {
    str(XSD.string): {"type": "string", "minLength": 1},
    str(XSD.integer): {"type": "integer"},
    str(XSD.nonNegativeInteger): {"type": "integer", "minimum": 0},
    str(XSD.boolean): {"type": "boolean"},
    str(XSD.decimal): {"type": "number"},
}


def records_schema(ontology: Ontology) -> dict[str, Any]:
    """One schema for a record line: its `type` picks the subschema of that record type."""
    types = [t for t in ontology.record_types if not _embedded_only(ontology, t)]
    defs = {t: _record(ontology, t) for t in types}
    defs |= {
        r.targets[0]: _embedded(ontology, r.targets[0])
        for r in ontology.relationships
        if r.embedded
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "A Silsila record (one line of a .jsonl file)",
        "description": "GENERATED from ontology/silsila.ttl by `silsila ontology generate`.",
        "type": "object",
        "required": ["type", "id"],
        "properties": {"type": {"enum": types}},
        "allOf": [
            {"if": {"properties": {"type": {"const": t}}}, "then": {"$ref": f"#/$defs/{t}"}}
            for t in types
        ],
        "$defs": defs,
    }


def _embedded_only(ontology: Ontology, label: str) -> bool:
    return any(r.embedded and label in r.targets for r in ontology.relationships)


def _record(ontology: Ontology, label: str) -> dict[str, Any]:
    props = {"type": {"const": label}} | _fields(ontology, label)
    required = ["type", *_required(ontology, label)]
    return _object(props, required)


def _embedded(ontology: Ontology, label: str) -> dict[str, Any]:
    fields = _fields(ontology, label)
    fields.pop("id", None)
    return _object(fields, [f for f in _required(ontology, label) if f != "id"])


def _object(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": sorted(set(required)),
        "additionalProperties": False,
    }


def _fields(ontology: Ontology, label: str) -> dict[str, Any]:
    fields = {p.name: _property(ontology, p) for p in ontology.properties_of(label)}
    fields |= {r.field: _link(r) for r in ontology.relationships_of(label)}
    return dict(sorted(fields.items()))


def _required(ontology: Ontology, label: str) -> list[str]:
    names = [p.name for p in ontology.properties_of(label) if p.required]
    return names + [r.field for r in ontology.relationships_of(label) if r.required]


def _property(ontology: Ontology, prop: PropertyDef) -> dict[str, Any]:
    if prop.selects_kind_of is not None:
        value: dict[str, Any] = {"enum": list(ontology.kind_values(prop.selects_kind_of))}
    elif prop.allowed:
        value = {"enum": list(prop.allowed)}
    elif prop.is_date:
        value = {"type": "string", "pattern": DATE_PATTERN}
    elif prop.name == "id":
        value = {"type": "string", "pattern": ID_PATTERN}
    else:
        value = dict(_SCALARS.get(prop.datatype, _SCALARS[str(XSD.string)]))
    return _many(value) if prop.multiple else value


def _link(rel: RelationshipDef) -> dict[str, Any]:
    target = {"$ref": f"#/$defs/{rel.targets[0]}"} if rel.embedded else {"pattern": ID_PATTERN}
    value = target if rel.embedded else {"type": "string", **target}
    return _many(value) if rel.multiple else value


def _many(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item, "minItems": 1}
