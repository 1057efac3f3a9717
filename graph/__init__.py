"""Silsila's graph layer: the local Neo4j, settings, and every query."""
