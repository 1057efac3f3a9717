"""Silsila's graph layer: db/ (storage, Cypher), reads/ (the questions), render/ (documents)."""
