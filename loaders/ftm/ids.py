"""Silsila ids <-> FollowTheMoney ids.

A Silsila id names the record of that id, so an FtM Sanction can attach to a person already
in the graph, and an export re-imports unchanged. FtM ids may not hold `:` or `_`
(`^[0-9a-zA-Z]([0-9a-zA-Z.-]*[0-9a-zA-Z])?$`), so the exporter writes `person:qahtan-khalil`
as `person.qahtan-khalil` (`_` and other characters FtM refuses as `X` and two upper-case
hex digits: Silsila ids are lower-case, so `X` is never theirs). The importer reads either.

Any other FtM id becomes `<prefix>:ftm-<slug>`, with a short hash of the original when the
slug lost information (case, punctuation, non-ASCII), so distinct FtM ids stay distinct.
"""

from __future__ import annotations

import hashlib
import re

from loaders.names import slug
from ontology.records_schema import ID_PATTERN

SILSILA_ID = re.compile(r"^[a-z]+:[a-z0-9._-]+$")  # as a hand-written FtM file may give it
FORMAT_PREFIX = "ftm"
HASH_LENGTH = 8
# The id prefix of each record type the importer writes and the exporter reads (data/default).
PREFIXES = {
    "Person": "person",
    "Organization": "org",
    "Place": "place",
    "Event": "event",
    "Source": "source",
    "Sanction": "sanction",
    "Posting": "posting",
    "UnitRelation": "unitrelation",
    "Attribution": "attribution",
}
TYPE_OF_PREFIX = {prefix: label for label, prefix in PREFIXES.items()}
ESCAPE = "X"
FTM_SAFE = re.compile(r"[a-z0-9.-]")
ESCAPED = re.compile(rf"{ESCAPE}([0-9A-F]{{2}})")
EXPORTED_ID = re.compile(rf"^({'|'.join(PREFIXES.values())})\.([0-9a-zA-Z.-]+)$")


def key(text: str) -> str:
    """A lowercase slug of TEXT, plus a short hash of TEXT when the slug is not TEXT itself."""
    slugged = slug(text)
    if slugged == text:
        return slugged
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]
    return f"{slugged}-{digest}" if slugged else digest


def to_ftm(silsila_id: str) -> str:
    """The FtM id of a Silsila record: `source:000_a4` -> `source.000X5Fa4`."""
    prefix, _, rest = silsila_id.partition(":")
    chars = [c if FTM_SAFE.fullmatch(c) else f"{ESCAPE}{ord(c):02X}" for c in rest]
    if chars and not chars[-1][-1].isalnum():  # FtM ids end with a letter or digit
        chars[-1] = f"{ESCAPE}{ord(chars[-1]):02X}"
    return f"{prefix}.{''.join(chars)}"


def from_ftm(ftm_id: str) -> str | None:
    """The Silsila id an FtM id stands for, if it is one (as written by hand or exported)."""
    if SILSILA_ID.match(ftm_id):
        return ftm_id
    exported = EXPORTED_ID.match(ftm_id)
    if exported is None:
        return None
    rest = ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), exported.group(2))
    decoded = f"{exported.group(1)}:{rest}"
    return decoded if re.match(ID_PATTERN, decoded) else None


def type_of_silsila_id(silsila_id: str) -> str | None:
    """The record type a Silsila id's prefix stands for (`person:x` -> Person), if known."""
    return TYPE_OF_PREFIX.get(silsila_id.split(":", 1)[0])


def silsila_id(record_type: str, ftm_id: str) -> str:
    """The id of the RECORD_TYPE record made from the FtM entity FTM_ID."""
    prefix = PREFIXES[record_type]
    known = from_ftm(ftm_id)
    if known is not None and known.startswith(f"{prefix}:"):
        return known
    return f"{prefix}:{FORMAT_PREFIX}-{key(ftm_id)}"


def derived_id(record_type: str, *parts: str) -> str:
    """The id of a record the importer derives from several values (an event's attribution)."""
    return f"{PREFIXES[record_type]}:{FORMAT_PREFIX}-" + "-".join(key(p) for p in parts)
