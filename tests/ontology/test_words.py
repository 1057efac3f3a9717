"""The one mapping from the graph's codes to the words pages show."""

from __future__ import annotations

from ontology.model import load as load_ontology
from ontology.words import VALUE_WORDS, kind, name_of, vocabulary, words


def test_labels_relationships_and_properties_read_as_the_ontologys_labels() -> None:
    assert words("KillingByGunfire") == "Killing by gunfire"
    assert words("AT_PLACE") == "at place"
    assert words("event_kind") == "kind of event"
    assert words("Organization") == "Organization"


def test_codes_read_as_words() -> None:
    assert words("killing_by_gunfire") == "Killing by gunfire"  # the subclass's label
    assert words("massacre", "event_kind") == "Massacre"
    assert words("bodies_found", "count_kind") == "bodies found"
    assert words("at_least") == "at least"
    assert words("member", "relation") == "membership"
    assert words("F", "reliability") == "reliability cannot be judged (F)"
    assert words(["at_least", "reported"], "count_kind") == "at least, reported"


def test_missing_values_are_nothing_and_free_text_stays_as_written() -> None:
    assert words(None) == ""
    assert words(True) == "yes"
    assert words(["gunfire", None]) == "gunfire"
    assert words("participant") == "participant"
    assert words("member_of_the_family", "description") == "member_of_the_family"
    # A grade without its property is no code: "1" stays "1".
    assert words("1") == "1"


def test_every_special_wording_is_of_a_code_the_ontology_allows() -> None:
    allowed = {p.name: set(p.allowed) for p in load_ontology().properties}
    for prop, codes in VALUE_WORDS.items():
        assert set(codes) <= allowed[prop], prop
    for prop, codes in vocabulary().values.items():
        assert all(shown and "_" not in shown for shown in codes.values()), prop


def test_a_record_is_named_or_shown_by_its_most_specific_kind_never_its_id() -> None:
    event = {"id": "event:x", "type": "Event", "labels": ["Event", "Massacre"], "name": None}
    assert kind(event) == "Massacre"
    assert name_of(event) == "Massacre"
    assert name_of({"id": "casualty:x", "type": "CasualtyCount"}) == "Casualty count"
    assert name_of({"id": "org:x", "type": "Organization", "name": "Shabiha"}) == "Shabiha"
