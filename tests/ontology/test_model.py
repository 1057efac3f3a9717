"""The ontology is read from Turtle, checked, and its derived file is never stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from ontology import generate
from ontology.errors import InvalidOntologyError, StaleDerivedFileError
from ontology.model import MAX_REMEMBERED_KINDS, TURTLE, load
from ontology.terms import Label, Prop, Rel


def test_labels_and_relationship_types_come_from_the_turtle_file() -> None:
    ontology = load()
    assert {"Actor", "Person", "Organization", "MilitaryUnit", "Event", "Massacre", "Place"} <= set(
        ontology.labels
    )
    assert {"Governorate", "Facility", "Source", "Citation", "Attribution", "CasualtyCount"} <= set(
        ontology.labels
    )
    assert {"Posting", "UnitRelation", "AreaControl", "Sanction", "Finding", "Statement"} <= set(
        ontology.labels
    )
    assert ontology.ancestors("MilitaryUnit") == ("MilitaryUnit", "Organization", "Actor")
    assert ontology.subclass_for("Event", "massacre") == "Massacre"
    assert "other" in ontology.kind_values("Place")
    rels = {r.field: r.name for r in ontology.relationships}
    assert rels["citations"] == "CITED_IN"
    assert rels["within"] == "WITHIN"
    # A partial date is range-indexed as text and as its earliest and latest day.
    for key in ("first_cited", "first_cited_earliest", "first_cited_latest"):
        assert ("Posting", key) in ontology.indexed("range")
    assert ("Person", "id") in ontology.indexed("unique")
    assert set(ontology.fulltext_properties()) == {"name", "aliases", "search_keys"}


def test_generated_terms_match_the_ontology() -> None:
    generate.check_derived()
    assert {label.value for label in Label} == set(load().labels)
    assert {p.value for p in Prop} == set(load().property_keys())
    assert {r.value for r in Rel} == {r.name for r in load().relationships}


def test_a_stale_terms_file_is_detected_with_a_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = tmp_path / "terms.py"
    stale.write_text(generate.TERMS.read_text().replace('PERSON = "Person"\n', ""))
    monkeypatch.setattr(generate, "TERMS", stale)
    monkeypatch.setattr(generate, "RECORDS_SCHEMA", tmp_path / "records.schema.json")
    generate.RECORDS_SCHEMA.write_text(generate.render_records_schema(load()))
    with pytest.raises(StaleDerivedFileError, match=r'\+    PERSON = "Person"'):
        generate.check_derived()


def test_a_property_naming_an_unlabelled_class_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        TURTLE.read_text() + '\nsil:bogus a owl:DatatypeProperty ; sil:graphName "bogus" ; '
        "sil:appliesTo <http://example.org/NotAClass> .\n"
    )
    with pytest.raises(InvalidOntologyError, match=r"bogus.*unlabelled classes"):
        load(broken)


def test_a_graph_name_used_twice_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "twice.ttl"
    broken.write_text(
        TURTLE.read_text() + '\nsil:again a owl:DatatypeProperty ; sil:graphName "name" ; '
        "sil:appliesTo sil:Person .\n"
    )
    with pytest.raises(InvalidOntologyError, match="used twice"):
        load(broken)


def test_every_term_carries_its_rdfs_label_for_readers() -> None:
    ontology = load()
    terms = [*ontology.classes, *ontology.properties, *ontology.relationships]
    assert [t.iri for t in terms if not t.display] == []
    [killing] = [c for c in ontology.classes if c.label == "KillingByGunfire"]
    assert killing.display == "Killing by gunfire"


def test_a_nodes_labels_follow_its_kind_each_time_it_is_asked() -> None:
    """The labels are remembered per record type and kind: a second kind gets its own."""
    ontology = load()
    unit = ontology.labels_of_node(Label.ORGANIZATION, {"org_kind": "military_unit"})
    militia = ontology.labels_of_node(Label.ORGANIZATION, {"org_kind": "militia"})
    assert unit == ontology.labels_of_node(Label.ORGANIZATION, {"org_kind": "military_unit"})
    assert Label.MILITARY_UNIT in unit
    assert Label.MILITARY_UNIT not in militia
    assert Label.MILITIA in militia
    assert Label.MILITIA not in unit
    for labels in (unit, militia):
        assert labels[: len(ontology.ancestors(Label.ORGANIZATION))] == ontology.ancestors(
            Label.ORGANIZATION
        )
    # An unknown kind, or none, or one that is not text, adds no subclass.
    plain = ontology.ancestors(Label.ORGANIZATION)
    for values in ({"org_kind": "other"}, {}, {"org_kind": 3}):
        assert ontology.labels_of_node(Label.ORGANIZATION, values) == plain


def test_junk_kinds_get_no_subclass_and_are_not_all_remembered() -> None:
    """A file may carry any number of kinds that select nothing: each is answered, and what
    the ontology remembers stays bounded."""
    fresh = load.__wrapped__(TURTLE)  # its own memory, not the shared ontology's
    plain = fresh.ancestors(Label.ORGANIZATION)
    for n in range(MAX_REMEMBERED_KINDS + 50):
        assert fresh.labels_of_node(Label.ORGANIZATION, {"org_kind": f"junk-{n}"}) == plain
    assert len(fresh._labels_of_node) == MAX_REMEMBERED_KINDS
    unit = fresh.labels_of_node(Label.ORGANIZATION, {"org_kind": "military_unit"})
    assert Label.MILITARY_UNIT in unit
