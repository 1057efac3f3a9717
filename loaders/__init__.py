"""Loaders: one folder per format, one shared pipeline (parse, validate, normalise, MERGE)."""
