"""Silsila's own record format: JSON Lines, one node per line, keyed by ontology terms."""

from loaders.records.reader import read_paths, read_paths_leniently

__all__ = ["read_paths", "read_paths_leniently"]
