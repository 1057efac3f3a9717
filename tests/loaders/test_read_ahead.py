"""The next chunk is read while the caller works on the current one, in order, errors in place."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from loaders.errors import SourceFileError
from loaders.read_ahead import read_ahead

WAIT = 30.0  # seconds: a bound for a machine under load, never reached when the code is right


def test_items_come_in_their_order() -> None:
    assert list(read_ahead(range(100), depth=3)) == list(range(100))
    assert list(read_ahead([])) == []


def test_the_next_item_is_read_while_the_caller_holds_the_current_one() -> None:
    asked_for_second = threading.Event()

    def items() -> Iterator[int]:
        yield 1
        asked_for_second.set()
        yield 2

    found = read_ahead(items())
    assert next(found) == 1
    # the caller has not asked for the second item; the reader is already on it
    assert asked_for_second.wait(WAIT)
    assert list(found) == [2]


def test_an_error_reading_comes_after_the_items_before_it() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise SourceFileError("rows.csv: line 3 is not CSV")

    found = read_ahead(items())
    assert next(found) == 1
    assert next(found) == 2
    with pytest.raises(SourceFileError, match="line 3"):
        next(found)


def test_a_caller_that_stops_early_stops_the_reader_and_closes_the_input() -> None:
    closed = threading.Event()

    def items() -> Iterator[int]:
        try:
            yield from range(1_000_000)
        finally:
            closed.set()

    found = read_ahead(items(), depth=2)
    assert next(found) == 0
    found.close()
    assert closed.wait(WAIT)
    assert not [t for t in threading.enumerate() if t.name == "read-ahead"]
