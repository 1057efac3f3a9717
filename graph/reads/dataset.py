"""The dataset version: a hash of the loaded data, so a document can say what it was made from."""

from __future__ import annotations

import hashlib

from graph.db import queries
from graph.db.kept import kept
from graph.db.reader import Reader


async def dataset_version(reader: Reader) -> str:
    """`sha256:` and 16 hex digits over every record's id and words and the count of links;
    hashing reads every record, so the answer is kept for as long as the graph is unchanged."""
    return await kept(reader, "dataset_version", (), lambda: _hash(reader))


async def _hash(reader: Reader) -> str:
    # Rows, not one collected list, summed as each record's hash in any order: Neo4j neither
    # sorts nor collects the graph inside one transaction (its memory guard would stop it).
    total = 0
    for row in await reader.rows(queries.DATASET_CONTENT):
        line = f"{row['id']}\t{row['content']}".encode()
        total = (total + int.from_bytes(hashlib.sha256(line).digest(), "big")) % 2**256
    links = (await reader.rows(queries.LINK_COUNT))[0]["links"]
    digest = hashlib.sha256(f"{links}\n{total:064x}".encode())
    return "sha256:" + digest.hexdigest()[:16]
