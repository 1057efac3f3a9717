"""The format registry: import and export names, symmetric, each resolved to its format folder."""

from __future__ import annotations

import pkgutil
from importlib import import_module
from pathlib import Path

import pytest

import loaders
from graph.db.export import RDF_FORMATS
from loaders import registry
from loaders.formats import ExportOutputError, ExportSummary, TextExport
from loaders.registry import UnknownFormatError


def format_packages() -> list[str]:
    """Every format folder under loaders/."""
    return [f"loaders.{m.name}" for m in pkgutil.iter_modules(loaders.__path__) if m.ispkg]


@pytest.mark.parametrize("package", format_packages())
def test_every_format_a_folder_defines_is_in_the_registry(package: str) -> None:
    module = import_module(package)
    if hasattr(module, "FORMAT"):
        assert registry.PACKAGES.get(module.FORMAT.name) == package
    for fmt in getattr(module, "EXPORTS", ()):
        assert registry.EXPORT_PACKAGES.get(fmt.name) == package


def test_every_registered_name_resolves_to_a_format_of_that_name() -> None:
    assert [registry.get(name).name for name in registry.names()] == registry.names()
    assert [f.name for f in registry.exporters()] == registry.export_names()
    for fmt in registry.exporters():
        assert fmt.summary
        assert fmt.output in ("file", "folder")
        assert fmt.default_name
        assert not (fmt.to_stdout and fmt.output == "folder")


def test_import_and_export_names_are_symmetric() -> None:
    """A field format exports under the name it imports under, from the same folder; the RDF
    serialisations (read back by `silsila import-rdf`) are the only export-only names."""
    exported = set(registry.export_names())
    assert set(RDF_FORMATS) <= exported
    assert registry.DEFAULT_EXPORT in RDF_FORMATS
    for name in exported - set(RDF_FORMATS):
        assert registry.PACKAGES.get(name) == registry.EXPORT_PACKAGES[name]
    # SNHR's reports are prose: nothing rebuilds them from the graph.
    assert set(registry.names()) - exported == {"snhr-report"}


def test_an_unknown_export_format_is_named_with_the_known_ones() -> None:
    known = ", ".join(registry.export_names())
    with pytest.raises(UnknownFormatError, match=f"^unknown format 'gdelt': use one of {known}$"):
        registry.exporter("gdelt")
    assert known == "acled, ftm, jsonld, nt, turtle, ucdp, wwic"


def test_where_an_export_goes(tmp_path: Path) -> None:
    acled, ftm, wwic = (registry.exporter(n) for n in ("acled", "ftm", "wwic"))
    assert registry.export_output(ftm, None) is None  # standard output
    for fmt, kind in ((acled, "a file"), (wwic, "a folder")):
        with pytest.raises(
            ExportOutputError, match=f"{fmt.name} writes {kind}, not to standard output"
        ):
            registry.export_output(fmt, None)
    assert registry.export_output(acled, tmp_path) == tmp_path / "acled.csv"  # a folder
    assert registry.export_output(acled, tmp_path / "a.csv") == tmp_path / "a.csv"
    assert registry.export_output(wwic, tmp_path) == tmp_path


def test_the_summary_line() -> None:
    assert (
        ExportSummary("RDF", Path("g.ttl"), "(12 bytes)").line() == "Wrote RDF to g.ttl (12 bytes)"
    )
    assert ExportSummary("4 acled rows", Path("a.csv")).line() == "Wrote 4 acled rows to a.csv"
    assert ExportSummary("RDF", None).line() is None


def test_a_text_export_goes_to_stdout_or_to_its_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fmt = TextExport("demo", "a demo", "demo.txt", "the demo", lambda *_: "ünïcode\n")
    assert fmt.export(None, None, None, None) == ExportSummary("the demo", None)  # type: ignore[arg-type]
    assert capsys.readouterr().out == "ünïcode\n"
    summary = fmt.export(None, None, None, tmp_path / "d.txt")  # type: ignore[arg-type]
    assert summary.line() == f"Wrote the demo to {tmp_path / 'd.txt'} (10 bytes)"
    assert (tmp_path / "d.txt").read_text(encoding="utf-8") == "ünïcode\n"
    assert registry.exporter(registry.DEFAULT_EXPORT).to_stdout
