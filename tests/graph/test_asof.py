"""Did it hold at date D? certain, possible or no, with partial dates kept at their precision."""

from __future__ import annotations

import re

import pytest

from graph.asof import (
    DATE_FORMS,
    DATE_PATTERN,
    Certainty,
    CitedInterval,
    InvalidDateError,
    PartialDate,
    Precision,
    days_away,
    holds_at,
)


def d(text: str) -> PartialDate:
    return PartialDate.parse(text)


def test_partial_dates_keep_their_precision() -> None:
    assert d("2012").precision is Precision.YEAR
    assert (str(d("2012").earliest), str(d("2012").latest)) == ("2012-01-01", "2012-12-31")
    assert (str(d("2024-02").earliest), str(d("2024-02").latest)) == ("2024-02-01", "2024-02-29")
    assert str(d("2012-08-20")) == "2012-08-20"
    assert str(d("2011-12")) == "2011-12"


@pytest.mark.parametrize("text", ["August 2012", "2012-13", "2012-02-30", "12-08-2012", ""])
def test_bad_dates_are_refused_naming_the_forms(text: str) -> None:
    with pytest.raises(InvalidDateError, match=f"^{text!r} is not a .*{DATE_FORMS}$"):
        d(text)


def parses(text: str) -> bool:
    try:
        PartialDate.parse(text)
    except InvalidDateError:
        return False
    return True


def test_the_documented_pattern_is_exactly_what_is_parsed() -> None:
    """The API's OpenAPI document states DATE_PATTERN: no year 0, no 30 February, no 2023-02-29."""
    years = [*range(0, 10), *range(96, 105), *range(1896, 1905), 2000, 2023, 2024, 2100, 9999]
    texts = [
        text
        for year in (f"{y:04d}" for y in years)
        for text in (
            year,
            *(f"{year}-{m:02d}" for m in range(14)),
            *(f"{year}-{m:02d}-{day:02d}" for m in range(14) for day in range(33)),
        )
    ]
    disagree = [t for t in texts if bool(re.fullmatch(DATE_PATTERN, t)) != parses(t)]
    assert disagree == []
    assert sum(map(parses, texts)) > 10_000  # the sample holds plenty of real dates
    for text in ("0000", "0000-01", "2023-02-29", "2012-13", "2012-04-31", "٢٠١٢"):
        assert not re.fullmatch(DATE_PATTERN, text), text
        assert not parses(text), text
    for text in ("0001", "2024-02-29", "2000-02-29", "2012-08-20"):
        assert re.fullmatch(DATE_PATTERN, text), text
    assert DATE_FORMS == "YYYY, YYYY-MM or YYYY-MM-DD"


@pytest.mark.parametrize("text", ["2012", "2011-12", "2012-08-20"])
def test_a_partial_date_reads_back_as_written(text: str) -> None:
    assert str(d(text)) == text
    assert d(str(d(text))) == d(text)


def test_an_interval_cannot_end_before_it_starts() -> None:
    with pytest.raises(InvalidDateError, match="ends"):
        CitedInterval(first_cited=d("2024-01"), last_cited=d("2023"))


# Qahtan Khalil was named head of the Air Force Intelligence Directorate in January 2024.
HEAD_OF_AFID = CitedInterval(first_cited=d("2024-01"), last_cited=d("2024-06"), first_is_start=True)


@pytest.mark.parametrize(
    ("when", "certainty"),
    [
        ("2012-08-20", Certainty.NO),
        ("2023", Certainty.NO),
        ("2023-12-31", Certainty.NO),
        ("2024", Certainty.POSSIBLE),  # all of 2024 is not inside Jan..Jun
        ("2024-01-15", Certainty.POSSIBLE),  # January is only the month he was named
        ("2024-03-01", Certainty.CERTAIN),
        ("2024-06-01", Certainty.CERTAIN),  # cited some day in June, so on or after the 1st
        ("2024-06-15", Certainty.POSSIBLE),  # last cited some day in June, maybe before
        ("2025-05", Certainty.POSSIBLE),  # after the last citation, not ended
    ],
)
def test_head_of_directorate_as_of(when: str, certainty: Certainty) -> None:
    assert holds_at(HEAD_OF_AFID, d(when)).certainty is certainty


def test_before_first_citation_without_a_known_start_is_only_possible() -> None:
    posting = CitedInterval(first_cited=d("2012-08"), last_cited=d("2012-08"))
    answer = holds_at(posting, d("2011-12-19"))
    assert answer.certainty is Certainty.POSSIBLE
    assert "may have begun earlier" in answer.reason


def test_after_a_known_end_is_no() -> None:
    posting = CitedInterval(first_cited=d("2011"), last_cited=d("2012-06"), last_is_end=True)
    assert holds_at(posting, d("2012-08-20")).certainty is Certainty.NO
    assert holds_at(posting, d("2012-03")).certainty is Certainty.CERTAIN


def test_open_ended_after_last_citation_is_possible_and_says_why() -> None:
    control = CitedInterval(first_cited=d("2016-09"), last_cited=d("2016-09"), open_ended=True)
    answer = holds_at(control, d("2017"))
    assert answer.certainty is Certainty.POSSIBLE
    assert "open-ended" in answer.reason


def test_no_cited_span_is_only_possible() -> None:
    assert holds_at(CitedInterval(), d("2012")).certainty is Certainty.POSSIBLE


def test_a_single_citation_is_certain_only_on_its_own_date() -> None:
    named = CitedInterval(first_cited=d("2024-01-10"), first_is_start=True)
    assert holds_at(named, d("2024-01-10")).certainty is Certainty.CERTAIN
    later = holds_at(named, d("2024-06-01"))
    assert later.certainty is Certainty.POSSIBLE
    assert later.reason == "first cited in 2024-01-10; no later citation shows it continuing"
    assert holds_at(named, d("2023-12")).certainty is Certainty.NO


def test_days_away_puts_an_open_ended_relation_past_its_last_citation_at_zero() -> None:
    continuing = CitedInterval(first_cited=d("2015"), last_cited=d("2016"), open_ended=True)
    lapsed = CitedInterval(first_cited=d("2010"), last_cited=d("2011"))
    assert days_away(continuing, d("2018-03")) == 0
    assert days_away(lapsed, d("2018-03")) == (d("2018-03").earliest - d("2011").latest).days
    assert days_away(lapsed, d("2010-06")) == 0
    assert days_away(continuing, d("2014-12")) == 1  # the day before its first citation
    assert days_away(CitedInterval(), d("2012")) > days_away(lapsed, d("2100"))


def test_a_span_of_days_and_a_single_cited_month_are_written_whole() -> None:
    month = CitedInterval(first_cited=d("2011-12"), last_cited=d("2011-12"))
    event = PartialDate(d("2011-12-19").earliest, d("2011-12-20").latest, d("2011-12-19").precision)
    answer = holds_at(month, event)
    assert answer.certainty is Certainty.POSSIBLE
    assert answer.reason == (
        "cited only in 2011-12: not shown to hold on every day of 2011-12-19 to 2011-12-20"
    )
    assert holds_at(month, d("2011-12-31")).reason == (
        "cited only in 2011-12: not shown to hold on 2011-12-31"
    )
    spanning = CitedInterval(first_cited=d("2012-08"), last_cited=d("2021"))
    darayya = PartialDate(d("2012-08-20").earliest, d("2012-08-25").latest, event.precision)
    assert holds_at(spanning, darayya).reason == (
        "cited from 2012-08 to 2021, and that span does not wholly cover 2012-08-20 to 2012-08-25"
    )
