"""The formats `silsila import` knows, by their command-line name."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from loaders import acled, ftm, snhr, ucdp, wwic
from loaders.errors import LoaderError
from loaders.formats import ImportFormat

_PACKAGES: tuple[ModuleType, ...] = (wwic, ftm, acled, ucdp, snhr)


class UnknownFormatError(LoaderError):
    """`silsila import` was given a format it does not read."""


def formats() -> dict[str, ImportFormat]:
    """Every format whose package provides FORMAT, by name."""
    found = [getattr(p, "FORMAT", None) for p in _PACKAGES]
    return {f.name: f for f in found if f is not None}


def names() -> list[str]:
    return sorted(formats())


def get(name: str) -> ImportFormat:
    known = formats()
    if name not in known:
        raise UnknownFormatError(f"unknown format {name!r}: use one of {', '.join(sorted(known))}")
    return known[name]


def notes(fmt: ImportFormat, paths: Sequence[Path]) -> list[str]:
    """What the format has to say about the files before loading (unparsed parts, totals)."""
    method = getattr(fmt, "notes", None)
    return list(method(paths)) if callable(method) else []
