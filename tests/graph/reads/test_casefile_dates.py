"""The Article 28(a) evidence map of a case file is judged at the events' dates."""

from __future__ import annotations

from neo4j import Driver

from graph.asof import PartialDate
from graph.db.settings import Settings
from graph.reads import casefile
from tests.graph.reads.counting import run

KHALIL = "person:qahtan-khalil"
DARAYYA = "event:darayya-massacre-2012"
KAFRI = "event:maraba-shooting-mahmoud-saeed-al-kafri-2023-11-10"
AFID = "org:air-force-intelligence-directorate"
DIVISION_15 = "org:15th-division"
COMMANDER, CONTROL, KNOWLEDGE, FAILURE = (element for element, _ in casefile.ARTICLE_28A)


def case_file(
    settings: Settings, subject: str, public: bool = True
) -> tuple[casefile.CaseFile, dict[str, casefile.EvidenceElement]]:
    case = run(settings, lambda reader: casefile.build(reader, subject), public=public)
    return case, {e.element: e for e in case.article_28a}


def texts(statements: list[casefile.Statement]) -> list[str]:
    return [s.text for s in statements]


def test_element_i_holds_the_posts_held_at_the_massacre_and_the_later_ones_as_context(
    default_dataset: Driver, settings: Settings
) -> None:
    _, elements = case_file(settings, KHALIL)
    commander = elements[COMMANDER]
    held = [t for t in texts(commander.evidence) if "at the event's dates" in t]
    assert held == [
        "Darayya massacre (2012-08-20 to 2012-08-25): officer of Air Force Intelligence "
        "Directorate at the event's dates (possible: cited from 2012-08 to 2021, and that "
        "span does not wholly cover 2012-08-20 to 2012-08-25)"
    ]
    # The 2024 appointment is not evidence of a post in 2012: it is context, labelled.
    assert not any("2024" in t or "head of SAFI" in t for t in texts(commander.evidence))
    (later,) = texts(commander.context)
    assert later.startswith("head (head of SAFI) of Air Force Intelligence Directorate")
    assert "not held at the events' dates (it began in 2024-01" in later
    assert "before or after" in (commander.context_label or "")


def test_a_persons_chains_are_drawn_at_the_events_dates(
    default_dataset: Driver, settings: Settings
) -> None:
    case, _ = case_file(settings, KHALIL)
    assert [(c.unit.name, str(c.at)) for c in case.chains] == [
        ("Air Force Intelligence Directorate", "2012-08-20")
    ]
    (chain,) = case.chains
    assert chain.at.latest.isoformat() == "2012-08-25"


def test_element_iii_keeps_later_findings_and_accounts_of_the_event_apart(
    default_dataset: Driver, settings: Settings
) -> None:
    _, elements = case_file(settings, KHALIL)
    knowledge = elements[KNOWLEDGE]
    assert knowledge.evidence == []
    assert knowledge.gap == casefile.NO_EVIDENCE
    later = texts(knowledge.context)
    (inquiry,) = [t for t in later if "Commission of Inquiry" in t]
    assert casefile.MADE_LATER in inquiry
    assert inquiry.endswith("(5 months after the event)")
    assert any("ghosts and dead bodies" in t and casefile.ACCOUNT_OF_EVENT in t for t in later)
    assert sum("Syrian British Consortium" in t and "9 years after" in t for t in later) == 2
    assert "Later findings" in (knowledge.context_label or "")


def test_witness_accounts_are_not_knowledge_evidence_in_the_investigators_file(
    default_dataset: Driver, settings: Settings
) -> None:
    _, public = case_file(settings, KHALIL)
    _, investigator = case_file(settings, KHALIL, public=False)
    knowledge = investigator[KNOWLEDGE]
    assert knowledge.evidence == []
    witnesses = [t for t in texts(knowledge.context) if "Unnamed Darayya" in t]
    assert len(witnesses) == 2
    assert all(casefile.ACCOUNT_OF_EVENT in t for t in witnesses)
    assert not any("Unnamed Darayya" in t for t in texts(public[KNOWLEDGE].context))


def test_element_ii_words_the_relation_from_the_unit_below_apart_from_its_dates(
    default_dataset: Driver, settings: Settings
) -> None:
    _, elements = case_file(settings, KAFRI)
    control = texts(elements[CONTROL].evidence)
    assert (
        "Armed group headed by Abu Ali al-Lahham was affiliated with Air Force Intelligence "
        "Directorate at the event's dates (the dates: certain — cited on 2023-11-10)"
    ) in control
    assert not any("of the level below" in t for t in control)
    commander = texts(elements[COMMANDER].evidence)
    assert commander == [
        "Abu Ali al-Lahham: head of Armed group headed by Abu Ali al-Lahham at the event's "
        "dates (the dates: certain — cited on 2023-11-10)"
    ]


def test_each_element_counts_its_sources_and_flags_a_single_one(
    default_dataset: Driver, settings: Settings
) -> None:
    _, khalil = case_file(settings, KHALIL)
    _, kafri = case_file(settings, KAFRI)
    assert (khalil[COMMANDER].sources, kafri[CONTROL].sources) == (1, 1)
    assert khalil[COMMANDER].single_source == (
        "The whole element rests on one source: Darayya massacre (encyclopedia article)."
    )
    for empty in (khalil[CONTROL], khalil[KNOWLEDGE]):
        assert (empty.sources, empty.single_source) == (0, None)
    # His 2024 promotion is the one piece of conduct after the massacre, from one source.
    assert khalil[FAILURE].sources == 1
    assert khalil[FAILURE].single_source is not None
    assert "evidence map, not a legal conclusion" in casefile.NOTICE


def test_dates_are_told_relative_to_the_event() -> None:
    darayya = PartialDate(
        PartialDate.parse("2012-08-20").earliest,
        PartialDate.parse("2012-08-25").latest,
        PartialDate.parse("2012-08-20").precision,
    )
    relative = casefile._relative
    assert relative(PartialDate.parse("2012-05"), darayya) == (True, "3 months before the event")
    assert relative(PartialDate.parse("2012-08-19"), darayya) == (True, "1 day before the event")
    assert relative(PartialDate.parse("2012-08-22"), darayya) == (True, "during the event")
    assert relative(PartialDate.parse("2013-02"), darayya) == (False, "5 months after the event")
    assert relative(PartialDate.parse("2012-08"), darayya) == (
        False,
        "dated 2012-08, which may fall after the event",
    )


def test_a_persons_control_element_names_the_gap_to_each_unit_blamed_for_the_event(
    default_dataset: Driver, settings: Settings
) -> None:
    _, elements = case_file(settings, KHALIL)
    control = elements[CONTROL]
    # Neither the blamed units' chains nor his unit's reach each other in August 2012.
    assert control.evidence == []
    gaps = texts(control.context)
    assert (
        "Darayya massacre: the graph holds no command, membership or affiliation between "
        "Syrian regime forces, blamed for the event, and Air Force Intelligence Directorate at "
        "the event's dates"
    ) in gaps
    assert len(gaps) == len(set(gaps)), "each blamed unit is named once per event"
    assert "Named gaps" in (control.context_label or "")


def test_a_units_case_file_holds_what_units_under_it_did_at_the_events_dates(
    default_dataset: Driver, settings: Settings
) -> None:
    case, elements = case_file(settings, AFID)
    assert case.kind == "unit"
    assert "whoever commanded it at each event's dates" in case.notice
    # The group affiliated with the Directorate in November 2023 brings its killing in.
    assert [e.event.id for e in case.events] == [KAFRI]
    assert [(c.unit.id, str(c.at)) for c in case.chains] == [
        ("org:abu-ali-al-lahham-group", "2023-11-10")
    ]
    assert (
        "Armed group headed by Abu Ali al-Lahham was affiliated with Air Force Intelligence "
        "Directorate at the event's dates (the dates: certain — cited on 2023-11-10)"
    ) in texts(elements[CONTROL].evidence)
    # Khalil's 2024 appointment as its head says nothing of who led it in 2023.
    commander = elements[COMMANDER]
    assert commander.evidence == []
    (later,) = texts(commander.context)
    assert later.startswith("Qahtan Khalil: head (head of SAFI) of Air Force Intelligence")
    assert "not in post at the events' dates (it began in 2024-01" in later
    assert any("officer of Air Force Intelligence Directorate" in t for t in texts(case.timeline))


def test_a_units_own_acts_are_its_forces_alleged_to_have_acted(
    default_dataset: Driver, settings: Settings
) -> None:
    case, elements = case_file(settings, DIVISION_15)
    assert [e.event.name for e in case.events] == ["Jabal al-Zawiya massacres"]
    control = elements[CONTROL].evidence
    assert [s.text for s in control] == [
        "Forces alleged to have acted: Jabal al-Zawiya massacres: 15th Division as participant"
    ]
    assert all(s.notes for s in control), "each statement is footnoted"


def test_element_iv_holds_conduct_after_the_events_and_keeps_the_undated_apart(
    default_dataset: Driver, settings: Settings
) -> None:
    _, elements = case_file(settings, KHALIL)
    failure = elements[FAILURE]
    assert texts(failure.evidence) == [
        "Promoted — Qahtan Khalil: “Khalil was named head of SAFI in January 2024. Khalil's "
        "appointment was controversial due to his role in the Darayya massacre” (11 years after "
        "the event)"
    ]
    # Reported about the massacre itself, naming no one and undated: context, saying why.
    (undated,) = texts(failure.context)
    assert undated.startswith("No investigation reported — no one named: “the full range")
    assert undated.endswith(casefile.CONDUCT_UNDATED)
    assert "before the events or undated" in (failure.context_label or "")
