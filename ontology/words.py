"""What a page shows for the graph's codes: the ontology's rdfs:labels for labels, relationship
types and properties, the subclass's label for a kind value (`killing_by_gunfire`), and readable
words for the other allowed values (`bodies_found`). The one mapping every page, case file
and template uses (the pages' Jinja filters `words`, `kind` and `name_of`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from ontology.model import OTHER_KIND
from ontology.model import load as load_ontology
from ontology.terms import Prop

# Allowed values whose words are more than the code with spaces, by property.
VALUE_WORDS: Mapping[str, Mapping[str, str]] = {
    Prop.RELATION: {"member": "membership"},
    Prop.COUNT_KIND: {"named": "victims named"},
    # The Admiralty grades of sources and claims, with the grade for those who know them.
    Prop.RELIABILITY: {
        "A": "completely reliable (A)",
        "B": "usually reliable (B)",
        "C": "fairly reliable (C)",
        "D": "not usually reliable (D)",
        "E": "unreliable (E)",
        "F": "reliability cannot be judged (F)",
    },
    Prop.CREDIBILITY: {
        "1": "confirmed by other sources (1)",
        "2": "probably true (2)",
        "3": "possibly true (3)",
        "4": "doubtful (4)",
        "5": "improbable (5)",
        "6": "truth cannot be judged (6)",
    },
    Prop.TYPE_OF_VIOLENCE: {"1": "state-based", "2": "non-state", "3": "one-sided"},
}
# How a unit relation reads from the unit below to the one above (UnitRelation's relation):
# one wording for case files, leads and network views.
RELATION_WORDS: Mapping[str, str] = {
    "command": "was under the command of",
    "member": "was a member of",
    "affiliation": "was affiliated with",
}


def relation_words(relation: str | None) -> str:
    """The relation from the unit below, in words; an unknown kind says it is a link."""
    return RELATION_WORDS.get(relation or "", "was linked to")


YES, NO = "yes", "no"
WORD_CODE = re.compile(r"[a-z][a-z_]+")


@dataclass(frozen=True)
class Vocabulary:
    """The ontology's terms and codes, each with the words a reader is shown."""

    terms: Mapping[str, str]  # node labels, relationship types, property keys
    values: Mapping[str, Mapping[str, str]]  # property key -> its code -> words
    any_value: Mapping[str, str]  # a code of any property -> words
    depth: Mapping[str, int]  # node label -> how many labels it lies under


@cache
def vocabulary() -> Vocabulary:
    """Everything `words` looks up, read once from the ontology."""
    onto = load_ontology()
    terms = {c.label: c.display or c.label for c in onto.classes}
    terms |= {r.name: r.display or r.name for r in onto.relationships}
    terms |= {p.name: p.display or p.name for p in onto.properties}
    values: dict[str, dict[str, str]] = {}
    for prop in onto.properties:
        codes = dict.fromkeys(prop.allowed, "")
        if prop.selects_kind_of is not None:
            codes |= {
                c.kind_value: c.display
                for c in onto.classes
                if c.kind_value and prop.selects_kind_of in c.parents
            }
            codes.setdefault(OTHER_KIND, "")
        special = VALUE_WORDS.get(prop.name, {})
        values[prop.name] = {
            code: special.get(code) or shown or readable(code) for code, shown in codes.items()
        }
    any_value = _unambiguous(values)
    depth = {c.label: len(onto.ancestors(c.label)) for c in onto.classes}
    return Vocabulary(terms, values, any_value, depth)


def _unambiguous(values: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """The codes that read the same whatever property holds them, and are words (not the
    grades `A` or `1`): those a page may put in words without knowing the property."""
    found: dict[str, set[str]] = {}
    for codes in values.values():
        for code, shown in codes.items():
            found.setdefault(code, set()).add(shown)
    return {
        code: shown.pop()
        for code, shown in found.items()
        if len(shown) == 1 and WORD_CODE.fullmatch(code)
    }


def readable(code: str) -> str:
    """A code with no words of its own, made readable: `no_investigation_reported` becomes
    `no investigation reported`."""
    return code.replace("_", " ").strip()


def words(value: object, field: str | None = None) -> str:
    """What a page shows for VALUE: nothing for a missing value, yes or no, each item of a
    list; a code of the property FIELD in words (any other value of FIELD as it is); without
    FIELD, a code, label, relationship type or property key in words, anything else as it
    is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, list | tuple):
        return ", ".join(w for w in (words(v, field) for v in value) if w)
    text = str(value)
    known = vocabulary()
    if field is not None:
        return known.values.get(field, {}).get(text, text)
    return known.any_value.get(text) or known.terms.get(text) or text


def kind(entity: object) -> str:
    """The words for a record's most specific label (`Massacre`, not `Event`)."""
    labels = _get(entity, "labels")
    known = vocabulary()
    found = [str(x) for x in labels if str(x) in known.depth] if isinstance(labels, list) else []
    if not found:
        return words(_get(entity, "type")) or "record"
    return words(max(found, key=lambda label: known.depth[label]))


def name_of(entity: object) -> str:
    """A record's name, or the words for its kind when it has none (a claim): never its id."""
    return str(_get(entity, "name") or kind(entity))


def _get(entity: object, key: str) -> object:
    if isinstance(entity, Mapping):
        return entity.get(key)
    return getattr(entity, key, None)
