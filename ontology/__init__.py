"""Silsila's ontology (OWL/Turtle) and what is derived from it."""
