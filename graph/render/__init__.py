"""Rendering answers as documents: case-file formats and network HTML (Jinja templates)."""
