"""The formats `silsila import` knows, by their command-line name (each imported on use)."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module
from pathlib import Path

from loaders.errors import LoaderError
from loaders.formats import ImportFormat

# name -> the package whose FORMAT reads it; imported only when asked for, so the CLI starts
# fast and one format's heavy dependencies (followthemoney) load only for that format.
PACKAGES = {
    "acled": "loaders.acled",
    "ftm": "loaders.ftm",
    "snhr-report": "loaders.snhr",
    "ucdp": "loaders.ucdp",
    "wwic": "loaders.wwic",
}


class UnknownFormatError(LoaderError):
    """`silsila import` was given a format it does not read."""


def names() -> list[str]:
    return sorted(PACKAGES)


def get(name: str) -> ImportFormat:
    """The format called NAME."""
    if name not in PACKAGES:
        raise UnknownFormatError(f"unknown format {name!r}: use one of {', '.join(names())}")
    fmt: ImportFormat = import_module(PACKAGES[name]).FORMAT
    return fmt


def notes(fmt: ImportFormat, paths: Sequence[Path]) -> list[str]:
    """What the format has to say about the files before loading (unparsed parts, totals)."""
    method = getattr(fmt, "notes", None)
    return list(method(paths)) if callable(method) else []
