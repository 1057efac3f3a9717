"""How much one value of an input may hold, so that no file can exhaust the stack or memory.

Each bound is refused with a message naming the file, the line, the field, the bound and what
to do (docs/importers.md, "Limits"):

- MAX_DEPTH: JSON nested deeper is refused before anything recurses over it. Records and
  FollowTheMoney entities nest three levels (a record, its citations, one citation).
- MAX_ID: an id, or a field naming another record, may have this many characters. The longest
  in data/default has 91, OpenSanctions' 50; Neo4j cannot index keys of more than about 8 kB.
- MAX_TEXT: any other text may have this many characters. Curated quotes have a few hundred,
  OpenSanctions notes a few thousand.
- MAX_INTEGER: what Neo4j stores as an integer (64 bits).
- MAX_CELL: a CSV cell the reader takes at all; past it the file cannot be read (it is
  nearly always a quote left open). Between MAX_TEXT and MAX_CELL a cell is read, then
  refused or left out like any text.

In Silsila's own records a value beyond a bound is an error for its record. From a field
format, an optional text beyond MAX_TEXT is left out with a warning and the row imported.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from loaders.errors import UnreadableLineError
from ontology.terms import Field

MAX_DEPTH = 32
MAX_ID = 200
MAX_TEXT = 100_000
MAX_INTEGER = 2**63 - 1
MAX_CELL = 10 * MAX_TEXT
# Fields whose value is an id: a record's own, and every field naming another record.
ID_FIELDS = frozenset({"id"} | {f.value for f in Field if f is not Field.CITATIONS})
SHOWN = 40  # characters of a value quoted in a message


def shown(value: str) -> str:
    """VALUE quoted for a message, cut to its first SHOWN characters if longer."""
    if len(value) <= SHOWN:
        return repr(value)
    return f"{value[:SHOWN]!r}… ({len(value):,} characters)"


def too_long(length: int, limit: int, what: str = "") -> str:
    """What to say of WHAT (an id, a text) of LENGTH characters where LIMIT are allowed."""
    what = what or ("an id" if limit == MAX_ID else "a text")
    return f"is {length:,} characters long; {what} may have at most {limit:,}: shorten it"


def left_out(length: int, limit: int = MAX_TEXT) -> str:
    """The warning for an optional value of LENGTH characters left out of an import."""
    return f"is {length:,} characters long, more than the {limit:,} allowed; left out"


DEPTH_PROBLEM = (
    f"nested more than {MAX_DEPTH} levels deep (a record needs three or four): "
    "check the line's brackets"
)


def loads(line: str | bytes) -> Any:
    """One line of JSON, its nesting checked; raises UnreadableLineError saying what to fix."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError as e:
        raise UnreadableLineError(f"not valid JSON: {e.msg} at column {e.colno}") from e
    except UnicodeDecodeError as e:
        raise UnreadableLineError(not_utf8(line, e)) from e
    except RecursionError as e:  # the decoder's own recursion gave out first
        raise UnreadableLineError(DEPTH_PROBLEM) from e
    except ValueError as e:  # an integer of more than 4,300 digits
        raise UnreadableLineError("a number has more than 4,300 digits: correct it") from e
    if nesting(value) > MAX_DEPTH:
        raise UnreadableLineError(DEPTH_PROBLEM)
    return value


def not_utf8(raw: str | bytes, error: UnicodeDecodeError) -> str:
    """What to say of a line that is not UTF-8: the byte, its column, and to re-save."""
    data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw
    column = len(data[: error.start].decode("utf-8", "replace")) + 1
    byte = data[error.start] if error.start < len(data) else 0
    return f"not UTF-8 text (byte 0x{byte:02X} at column {column}): re-save the file as UTF-8"


def nesting(value: Any) -> int:
    """How deep VALUE's lists and objects nest, counted without recursion (up to MAX_DEPTH+1)."""
    deepest = 0
    stack = [(value, 1)]
    while stack and deepest <= MAX_DEPTH:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            stack += [(c, level + 1) for c in children if isinstance(c, dict | list)]
    return deepest


@dataclass(frozen=True)
class Excess:
    """A value beyond its bound: where in the record (`citations.0.quote`), and what to do."""

    field: str
    problem: str


def excesses(record: dict[str, Any]) -> Iterator[Excess]:
    """Every field name, text, id or integer of RECORD beyond its bound, in no set order.

    A string's bound is MAX_ID under a field in ID_FIELDS (an id, or a list of them), else
    MAX_TEXT. RECORD must have passed `loads`, so it nests at most MAX_DEPTH levels.
    """
    stack: list[tuple[Any, str, str]] = [(record, "", "")]
    while stack:
        value, path, name = stack.pop()
        if isinstance(value, dict):
            where = f"{path}." if path else ""
            for key, item in value.items():
                if len(key) > MAX_ID:
                    yield Excess(
                        f"{where}(a field name)", too_long(len(key), MAX_ID, "a field name")
                    )
                else:
                    stack.append((item, f"{where}{key}", key))
        elif isinstance(value, list):
            stack += [(item, f"{path}.{i}", name) for i, item in enumerate(value)]
        elif isinstance(value, str):
            limit = MAX_ID if name in ID_FIELDS else MAX_TEXT
            if len(value) > limit:
                yield Excess(path, too_long(len(value), limit))
        elif isinstance(value, int) and abs(value) > MAX_INTEGER:
            yield Excess(path, f"is beyond ±{MAX_INTEGER:,}, the largest whole number stored")
