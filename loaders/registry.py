"""The formats `silsila import` reads and `silsila export` writes, by their command-line name.

Each name maps to the package that defines it: an importer as the package's `FORMAT`, its
exporters in the package's `EXPORTS`. A package is imported only when one of its names is
asked for, so the CLI starts fast and one format's heavy dependencies (followthemoney) load
only for that format.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module
from pathlib import Path

from loaders.errors import LoaderError
from loaders.formats import ExportFormat, ImportFormat, needs_output

# name -> the package whose FORMAT reads it
PACKAGES = {
    "acled": "loaders.acled",
    "ftm": "loaders.ftm",
    "snhr-report": "loaders.snhr",
    "ucdp": "loaders.ucdp",
    "wwic": "loaders.wwic",
}
# name -> the package whose EXPORTS has the exporter of that name
EXPORT_PACKAGES = {
    "acled": "loaders.acled",
    "ftm": "loaders.ftm",
    "jsonld": "loaders.rdf",
    "nt": "loaders.rdf",
    "turtle": "loaders.rdf",
    "ucdp": "loaders.ucdp",
    "wwic": "loaders.wwic",
}
DEFAULT_EXPORT = "turtle"  # what `silsila export` writes when given no FORMAT


class UnknownFormatError(LoaderError):
    """`silsila import` or `silsila export` was given a format it does not know."""


def names() -> list[str]:
    """The formats `silsila import` reads."""
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


def export_names() -> list[str]:
    """The formats `silsila export` writes."""
    return sorted(EXPORT_PACKAGES)


def exporter(name: str) -> ExportFormat:
    """The exporter called NAME."""
    if name not in EXPORT_PACKAGES:
        known = ", ".join(export_names())
        raise UnknownFormatError(f"unknown format {name!r}: use one of {known}")
    found: Sequence[ExportFormat] = import_module(EXPORT_PACKAGES[name]).EXPORTS
    for fmt in found:
        if fmt.name == name:
            return fmt
    raise UnknownFormatError(f"{EXPORT_PACKAGES[name]}.EXPORTS has no exporter {name!r}")


def exporters() -> list[ExportFormat]:
    """Every exporter, by name (imports every exporting package: for help, not for a run)."""
    return [exporter(name) for name in export_names()]


def export_output(fmt: ExportFormat, output: Path | None) -> Path | None:
    """Where FMT writes, given --output: None for standard output.

    An existing folder given to a format that writes one file gets that file under its
    default name in it. A format that cannot write to standard output needs --output.
    """
    if output is None:
        if not fmt.to_stdout:
            raise needs_output(fmt)
        return None
    if fmt.output == "file" and output.is_dir():
        return output / fmt.default_name
    return output
