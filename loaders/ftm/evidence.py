"""An FtM entity's evidence as citations: its `proof` documents, its `sourceUrl`,
`publisher`, `retrievedAt` and datasets, or else the file it was read from.

Each citation's access point is the FtM entity id, so every value can be traced back to the
entity it came from; one Source stands for each distinct (url, publisher, retrieval,
datasets), so entities from the same list share it.
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
SOURCE_KEY_LENGTH = 16


def citations(
    row: Row, proxy: EntityProxy | None = None, line: Line | None = None
) -> list[dict[str, Any]]:
    """Citations of the entity PROXY (the row's own by default), emitting their Sources."""
    entity = proxy or row.proxy
    sources = [t.id for t in row.refs("proof", ("Source",), proxy=entity)]
    sources += _listed_sources(row, entity)
    if not sources:
        sources = [_file_source(row, line or row.line)]
    base = {
        "locator": f"FollowTheMoney entity {entity.id}",
        "access_point": str(entity.id),
        "access_point_kind": ACCESS_POINT_KIND,
    }
    return [{"source": source, **base} for source in dict.fromkeys(sources)]


def _listed_sources(row: Row, entity: EntityProxy) -> list[str]:
    """One Source per sourceUrl (or one without a URL) when the entity says where it is from."""
    publisher = "; ".join(row.values("publisher", proxy=entity)) or None
    retrieved = next(iter(row.values("retrievedAt", proxy=entity)), None)
    datasets = _datasets(entity)
    urls: list[str | None] = [*row.values("sourceUrl", proxy=entity)]
    if not (urls or publisher or datasets):
        return []
    found = []
    for url in urls or [None]:
        identity = json.dumps([url, publisher, retrieved, datasets])
        digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:SOURCE_KEY_LENGTH]
        source_id = f"source:{FORMAT_PREFIX}-{digest}"
        dataset_name = f"FollowTheMoney dataset {', '.join(datasets)}" if datasets else None
        row.emit(
            "Source",
            {
                "id": source_id,
                "name": publisher or dataset_name or url,
                "title": ", ".join(datasets) or None,
                "url": url,
                "publisher": publisher,
                "retrieved": retrieved,
                "kind": SOURCE_KIND,
            },
        )
        found.append(source_id)
    return found


def _datasets(entity: EntityProxy) -> list[str]:
    """The OpenSanctions `datasets` an entity line lists beside its properties."""
    value = entity.context.get("datasets")
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _file_source(row: Row, line: Line) -> str:
    """The file itself, for an entity that names no evidence."""
    source_id = derived_id("Source", "file", line.file.name)
    row.emit(
        "Source",
        {
            "id": source_id,
            "name": f"FollowTheMoney file {line.file.name}",
            "file": line.file.name,
            "kind": SOURCE_KIND,
        },
    )
    return source_id
