"""An FtM entity's evidence as citations: its `proof` documents, its `sourceUrl` (with
`publisher` and `retrievedAt`), its OpenSanctions datasets, or else the file it was read from.

Each citation's access point is the FtM entity id, so every value can be traced back to the
entity it came from. A Source is made from its own values only (a URL with its publisher and
retrieval, a dataset's name, a file's name), so every entity naming it makes the same record
and none of them being invalid takes it from the others.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from followthemoney import EntityProxy

from loaders.ftm.ids import FORMAT_PREFIX, derived_id
from loaders.ftm.reader import Line
from loaders.ftm.row import Row

ACCESS_POINT_KIND = "FollowTheMoney entity id"
SOURCE_KIND = "FollowTheMoney data"
DATASET_KIND = "FollowTheMoney dataset"
SOURCE_KEY_LENGTH = 16


def citations(
    row: Row, proxy: EntityProxy | None = None, line: Line | None = None
) -> list[dict[str, Any]]:
    """Citations of the entity PROXY (the row's own by default), emitting their Sources."""
    entity = proxy or row.proxy
    sources = [t.id for t in row.refs("proof", ("Source",), proxy=entity)]
    sources += _listed_sources(row, entity)
    sources += [_dataset_source(row, name) for name in _datasets(entity)]
    if not sources:
        sources = [file_source(row, line or row.line)]
    return [{"source": source, **evidence_of(str(entity.id))} for source in dict.fromkeys(sources)]


def evidence_of(ftm_id: str) -> dict[str, str]:
    """What a citation of the FtM entity FTM_ID says besides its source."""
    return {
        "locator": f"FollowTheMoney entity {ftm_id}",
        "access_point": ftm_id,
        "access_point_kind": ACCESS_POINT_KIND,
    }


def _listed_sources(row: Row, entity: EntityProxy) -> list[str]:
    """One Source per sourceUrl (or one without a URL when only a publisher is given)."""
    publisher = "; ".join(row.values("publisher", proxy=entity)) or None
    retrieved = next(iter(row.values("retrievedAt", proxy=entity)), None)
    urls: list[str | None] = [*row.values("sourceUrl", proxy=entity)]
    if not (urls or publisher):
        return []
    found = []
    for url in urls or [None]:
        identity = json.dumps([url, publisher, retrieved])
        digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:SOURCE_KEY_LENGTH]
        source = {
            "id": f"source:{FORMAT_PREFIX}-{digest}",
            "name": publisher or url,
            "url": url,
            "publisher": publisher,
            "retrieved": retrieved,
            "kind": SOURCE_KIND,
        }
        found.append(row.emit_shared("Source", _given(source)))
    return found


def _dataset_source(row: Row, name: str) -> str:
    """The Source of one OpenSanctions dataset (`us_ofac_sdn`), named by its name alone."""
    source = {
        "id": derived_id("Source", "dataset", name),
        "name": f"FollowTheMoney dataset {name}",
        "title": name,
        "kind": DATASET_KIND,
    }
    return row.emit_shared("Source", source)


def _datasets(entity: EntityProxy) -> list[str]:
    """The OpenSanctions `datasets` an entity line lists beside its properties."""
    value = entity.context.get("datasets")
    found = [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []
    return sorted(set(found))


def file_source(row: Row, line: Line) -> str:
    """The file itself, for an entity that names no evidence."""
    source = {
        "id": derived_id("Source", "file", line.file.name),
        "name": f"FollowTheMoney file {line.file.name}",
        "file": line.file.name,
        "kind": SOURCE_KIND,
    }
    return row.emit_shared("Source", source)


def _given(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}
