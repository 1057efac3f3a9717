"""The `silsila` command: run the local Neo4j, load records, serve the API."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from typer.core import TyperCommand

from cli.console import err, out, styled
from cli.imports import import_command, review_app
from cli.protection import UnrestrictOption, audit_unrestricted, report_kept
from cli.rejects import RejectsOption, rejects_file
from cli.tokens import token_app
from graph.db import store
from graph.db.reader import Reader
from graph.db.runtime import LocalNeo4j, RuntimeStatus, parse_size
from graph.db.settings import Settings
from graph.db.store import open_async_driver
from graph.reads import casefile, reports
from graph.render import casefile_formats
from loaders import pipeline, registry
from loaders.errors import InvalidRecordsError
from loaders.rdf import read_rdf
from loaders.records import read_paths_leniently
from ontology import generate
from ontology.errors import SilsilaError
from ontology.model import load as load_ontology

app = typer.Typer(
    help="Silsila: a knowledge graph of actors, events and places for accountability work "
    "on Syria.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Run the local Neo4j (fetched from Maven Central).", no_args_is_help=True)
ontology_app = typer.Typer(help="Work with the ontology and its derived files.")
app.add_typer(db_app, name="db")
app.add_typer(ontology_app, name="ontology")
app.add_typer(token_app, name="token")
app.add_typer(review_app, name="review")
app.command("import")(import_command)

SHOWN_WARNINGS = 10


def _describe(status: RuntimeStatus) -> None:
    state = ("running", "green") if status.running else ("stopped", "yellow")
    out.print(styled(f"Neo4j {status.server_version or status.version} (Community): ", state))
    out.print(f"  bolt:   {status.bolt_uri}")
    out.print(f"  port:   {status.port}")
    out.print(f"  data:   {status.data_dir}")
    out.print(f"  logs:   {status.logs_dir}")
    if status.pid is not None:
        out.print(f"  pid:    {status.pid}")
    if status.rss_bytes is not None:
        out.print(f"  memory: {status.rss_bytes / 1024**2:.0f} MiB resident")
    if status.heap is not None:
        out.print(f"  heap:   {status.heap}")
    _describe_store(status)


def _describe_store(status: RuntimeStatus) -> None:
    """The store against the page cache: past it, reads go to disk until a restart resizes."""
    cache = None if status.pagecache is None else parse_size(status.pagecache)
    in_cache = "" if cache is None else f", page cache {cache / 1024**2:.0f} MiB"
    if status.store_bytes is None:
        if cache is not None:
            out.print(f"  cache:  {cache / 1024**2:.0f} MiB page cache")
        return
    store_mib = status.store_bytes / 1024**2
    out.print(f"  store:  {store_mib:.1f} MiB of data and native indexes{in_cache}")
    if cache is not None and status.store_bytes > cache:
        out.print(
            styled(
                (
                    "  The store no longer fits in the page cache: restart (`silsila db stop`, "
                    "`silsila db start`) to size it again, or raise SILSILA_NEO4J_PAGECACHE.",
                    "yellow",
                )
            )
        )


@db_app.command("start")
def db_start() -> None:
    """Start the local Neo4j (fetching it on first use) and wait until Bolt answers."""
    runtime = LocalNeo4j(Settings())
    already = runtime.process() is not None
    with out.status(Text(f"Starting Neo4j {runtime.version} on 127.0.0.1...")):
        status = runtime.start()
    out.print("Neo4j was already running." if already else "Neo4j started.")
    _describe(status)


@db_app.command("stop")
def db_stop() -> None:
    """Stop the local Neo4j and wait until its Java process is gone."""
    stopped = LocalNeo4j(Settings()).stop()
    out.print("Neo4j stopped." if stopped else "Neo4j was not running.")


@db_app.command("status")
def db_status() -> None:
    """Report whether the local Neo4j runs, its version, port, folders, memory and store size."""
    _describe(LocalNeo4j(Settings()).status())


@app.command("load")
def load(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Record files (*.jsonl) or folders of them; default: the dataset."),
    ] = None,
    warnings: Annotated[
        bool, typer.Option("--warnings", help="List every gap the SHACL shapes warn about.")
    ] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Load the valid records and write the invalid ones, with reasons, to --rejects.",
        ),
    ] = False,
    rejects: RejectsOption = None,
    unrestrict: UnrestrictOption = None,
) -> None:
    """Validate record files against the ontology, then load them all, or nothing."""
    settings = Settings()
    sources = paths or [settings.data_dir]
    with rejects_file(rejects, skip_invalid) as rejected:
        records, unparsable = read_paths_leniently(sources)
        rejected.add_unreadable(unparsable)
        if unparsable and not skip_invalid:
            raise InvalidRecordsError(unparsable)
        ontology = load_ontology()
        with Progress(
            TextColumn("Loading", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=out,
            transient=True,
        ) as progress:
            task = progress.add_task("nodes", total=None)
            summary = pipeline.load(
                settings,
                ontology,
                records,
                on_batch=lambda n: progress.advance(task, n),
                on_plan=lambda total: progress.update(task, total=total),
                skip_invalid=skip_invalid,
                unrestrict=unrestrict or [],
                on_rejected=rejected.add,
            )
    audit_unrestricted(settings, unrestrict or [])
    out.print(f"Loaded {len(records)} records as {summary.total} nodes:")
    for label in sorted(set(summary.created) | set(summary.matched)):
        out.print(f"  {label}: {summary.created[label]} created, {summary.matched[label]} updated")
    out.print(f"  relationships: {summary.relationships}")
    report_kept(out, summary.kept_restricted)
    rejected.report(out)
    if summary.warnings:
        shown = summary.warnings if warnings else summary.warnings[:SHOWN_WARNINGS]
        out.print(f"{len(summary.warnings)} gap(s) in the evidence (SHACL warnings):")
        for problem in shown:
            out.print(f"  {problem}", highlight=False)
        if len(shown) < len(summary.warnings):
            out.print(f"  … run with --warnings to list all {len(summary.warnings)}")


class ExportCommand(TyperCommand):
    """`silsila export`: its help ends with the registry's formats, loaded only for --help."""

    def format_help(self, ctx: Any, formatter: Any) -> None:  # typer's own click types
        self.epilog = _export_formats()
        super().format_help(ctx, formatter)


def _export_formats() -> str:
    """One line per format the registry exports: name, what it writes, where it goes."""
    formats = registry.exporters()
    width = max(len(f.name) for f in formats)
    targets = [
        ("stdout, " if f.to_stdout else "") + ("-o FOLDER" if f.output == "folder" else "-o FILE")
        for f in formats
    ]
    lines = [f"FORMAT (default {registry.DEFAULT_EXPORT}), where it writes, what:"]
    for f, target in zip(formats, targets, strict=True):
        lines.append(f"{f.name:<{width}}  {target:<{max(map(len, targets))}}  {f.summary}")
    return "\n".join(lines)


@app.command("export", cls=ExportCommand)
def export(
    fmt_word: Annotated[
        str | None,
        typer.Argument(
            metavar="[FORMAT]",
            help=f"One of {', '.join(registry.export_names())} (below); "
            f"default {registry.DEFAULT_EXPORT}.",
            show_default=False,
        ),
    ] = None,
    fmt_option: Annotated[
        str | None, typer.Option("--format", help="Same as FORMAT (kept for scripts).")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File (a folder, for a format that writes several files) to write; a folder "
            "given to a one-file format gets the file under its default name. Default stdout, "
            "for the formats that can write there.",
        ),
    ] = None,
) -> None:
    """Write the whole graph in the ontology's RDF terms or in one of the field's formats."""
    exporter = registry.exporter(fmt_word or fmt_option or registry.DEFAULT_EXPORT)
    path = registry.export_output(exporter, output)
    settings = Settings()
    with store.connect(settings) as driver:
        summary = exporter.export(driver, settings, load_ontology(), path)
    if line := summary.line():
        err.print(line, soft_wrap=True)


@app.command("import-rdf")
def import_rdf(
    path: Annotated[Path, typer.Argument(help="A .ttl, .jsonld or .nt file in Silsila's terms.")],
) -> None:
    """Load RDF written by `silsila export` (or in its shape), validated like any load."""
    settings = Settings()
    ontology = load_ontology()
    records = read_rdf(path, ontology)
    summary = pipeline.load(settings, ontology, records)
    out.print(f"Loaded {len(records)} records from {path} as {summary.total} nodes.")


@app.command("casefile")
def casefile_command(
    subject: Annotated[str, typer.Argument(help="A person's, a unit's or an event's id.")],
    fmt: Annotated[str, typer.Option("--format", help="json, md, html or zip.")] = "md",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; default stdout.")
    ] = None,
    restricted: Annotated[
        bool,
        typer.Option(
            "--restricted",
            help="The investigator's version, naming restricted identities and marked "
            "RESTRICTED; without it, the public version.",
        ),
    ] = False,
) -> None:
    """A case file: every statement footnoted, with the Article 28(a) evidence map. The public
    version (restricted identities withheld) unless --restricted."""
    if fmt not in casefile_formats.FORMATS:
        raise typer.BadParameter(
            f"use one of {', '.join(casefile_formats.FORMATS)}", param_hint="--format"
        )
    data = asyncio.run(_casefile(subject, fmt, public=not restricted))
    if output is None:
        if fmt == "zip":
            raise typer.BadParameter("a zip needs --output FILE", param_hint="--output")
        sys.stdout.write(data.decode("utf-8"))
        return
    output.write_bytes(data)
    err.print(f"Wrote {output} ({len(data)} bytes)")
    if restricted:
        err.print(styled(("RESTRICTED: names restricted identities; do not share it.", "red")))


async def _casefile(subject: str, fmt: str, public: bool) -> bytes:
    settings = Settings()
    driver = open_async_driver(settings)
    try:
        case = await casefile.build(Reader(driver, settings, public=public), subject)
    finally:
        await driver.close()
    return casefile_formats.render(case, fmt)


@app.command("compare-report")
def compare_report(
    source: Annotated[str, typer.Argument(help="The report's source id, e.g. source:003_…")],
) -> None:
    """Set a report's own summary figures beside the sum of the incidents it describes."""
    settings = Settings()
    with store.connect(settings) as driver:
        rows = reports.compare_report(driver, settings, source)
    if not rows:
        out.print(f"No comparable summary figures for {source}.")
        return
    table = Table("table", "party / governorate", "measure", "report says", "incidents sum")
    for row in rows:
        style = None if row.agrees else "bold red"
        scope = row.party or row.governorate or row.category or ""
        computed = "" if row.computed is None else str(row.computed)
        table.add_row(row.table, scope, row.measure, str(row.reported), computed, style=style)
    out.print(table)
    differing = sum(not r.agrees for r in rows)
    out.print(f"{differing} of {len(rows)} figures differ; both values are kept in the graph.")


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Default: SILSILA_API_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: SILSILA_API_PORT.")] = None,
) -> None:
    """Serve the API (OpenAPI at /docs) until interrupted."""
    import uvicorn

    from api.app import create_app

    settings = Settings()
    if host is not None:
        settings.api_host = host
    if port is not None:
        settings.api_port = port
    out.print(f"Silsila API on {settings.api_url}  (health: {settings.api_url}/health)")
    # Uvicorn's access log writes paths and queries, which can hold a witness's alias; the
    # app's own (api/access_log.py) names the route instead.
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s %(message)s")
    uvicorn.run(
        create_app(settings), host=settings.api_host, port=settings.api_port, access_log=False
    )


@ontology_app.command("generate")
def ontology_generate(
    check: Annotated[
        bool, typer.Option("--check", help="Only fail if derived files are stale.")
    ] = False,
) -> None:
    """Regenerate the files derived from ontology/silsila.ttl (or check they are fresh)."""
    if check:
        generate.check_derived()
        out.print("Derived files are up to date with the ontology.")
    else:
        for path in generate.write_derived():
            out.print(f"Wrote {path}")


def main() -> None:
    """Entry point, and the one place errors are printed: every `SilsilaError` (from any
    package) prints one `error: …` line and exits 1, without a traceback. Commands never catch
    them themselves; anything else is a bug and keeps its traceback."""
    try:
        app()
    except SilsilaError as e:
        err.print(styled(("error:", "bold red"), f" {e}"), highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
