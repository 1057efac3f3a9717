"""`silsila import FORMAT PATH…`, `silsila review`: the field's formats in, merges decided."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Column, Table
from rich.text import Text

from cli.console import err, out
from cli.protection import UnrestrictOption, audit_unrestricted, report_kept
from cli.rejects import Rejects, RejectsOption, print_reasons, rejects_file
from graph.db import store
from graph.db.settings import Settings
from loaders import bulk as bulk_import
from loaders import importing, registry, review
from loaders.bulk import BulkSummary
from loaders.importing import ImportSummary
from loaders.pipeline import Record

review_app = typer.Typer(
    help="The review list: possible merges an importer was unsure of. Lists pending ones.",
    invoke_without_command=True,
)


class RowsPerSecond(ProgressColumn):
    """The rate a phase reads rows at."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "… rows/s", style="progress.data.speed")


def import_command(
    fmt: Annotated[
        str | None,
        typer.Argument(
            metavar="FORMAT",
            help=f"One of: {', '.join(registry.names())}. Needed unless --status.",
        ),
    ] = None,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(metavar="PATH", help="Files (or a folder, for wwic).", show_default=False),
    ] = None,
    status: Annotated[
        bool,
        typer.Option(
            "--status",
            help="Say whether the graph holds part of an interrupted import, and write nothing.",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and check everything, write nothing.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="With --dry-run: print the records as JSON lines.")
    ] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Load the valid rows; list the invalid ones and write them to --rejects.",
        ),
    ] = False,
    rejects: RejectsOption = None,
    unrestrict: UnrestrictOption = None,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk",
            help="First load into an EMPTY database: the same checks, then neo4j-admin writes "
            "the store offline (the local Neo4j is stopped meanwhile and started again).",
        ),
    ] = False,
) -> None:
    """Import files in one of the field's formats through the shared pipeline.

    Everything is read and checked first (rows, links, SHACL); nothing is written if any row is invalid. Entities already in the graph are reused when ids or normalised names match; unsure matches go to the review list (`silsila review`). Re-importing the same files changes nothing.

    Rows left out are listed (the first 200) and totalled by reason: rejected for a problem of their own, or skipped because a record they depend on was rejected. `--rejects FILE` lists every one, with file, line, field and what to fix.

    The write is crash-safe: each chunk of about 2,000 rows is one transaction, recorded in a journal. If the import is stopped (Neo4j or the importer killed), running the same import again completes it, skipping the chunks already written; an input of one chunk is all or nothing. Every import says what it finds of an interrupted one; `--status` only says.

    `--bulk` is for a first load of a large input into an empty database (it refuses any other): after the same checks, the records become neo4j-admin's CSV files and `neo4j-admin database import full` writes them while the local Neo4j is stopped; it is started again and the constraints and indexes are built. The graph is the one the transactional import makes; no graph lookups and no transactions, so it is faster for a large input (a fixed cost of about a minute to stop and start Neo4j). It is all or nothing: if neo4j-admin fails, the database is left empty.
    """  # noqa: E501
    if status:
        _report_interrupted(Settings())
        return
    if fmt is None or not paths:
        raise typer.BadParameter("give FORMAT and PATH…, or --status", param_hint="FORMAT PATH")
    if bulk and dry_run:
        raise typer.BadParameter(
            "--bulk writes; --dry-run only checks: give one", param_hint="--bulk"
        )
    format_ = registry.get(fmt)
    for note in registry.notes(format_, paths):
        err.print(f"  {note}", highlight=False)
    if dry_run and as_json:  # the records as read, before any check against the graph
        for chunk in format_.read(paths):
            _print_records(chunk.records)
        return
    settings = Settings()
    with rejects_file(rejects, skip_invalid) as rejected, _progress_bar() as progress:
        tasks: dict[str, TaskID] = {}

        def advance(phase: str, rows: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = progress.add_task(phase, total=total)
            progress.advance(tasks[phase], rows)

        if bulk:
            summary: ImportSummary = bulk_import.run_bulk_import(
                settings,
                format_,
                paths,
                skip_invalid,
                on_rows=advance,
                unrestrict=unrestrict or [],
                on_rejected=rejected.add,
                on_write=lambda: _before_bulk_write(settings, unrestrict or []),
            )
            _finish(summary, dry_run, rejected)
            return
        summary = importing.run_import(
            settings,
            format_,
            paths,
            skip_invalid,
            on_rows=advance,
            dry_run=dry_run,
            unrestrict=unrestrict or [],
            on_interrupted=lambda found: err.print(
                found.describe(), highlight=False, soft_wrap=True
            ),
            # before the write: a lift in a chunk committed before a kill is audited too
            on_write=lambda: audit_unrestricted(settings, unrestrict or []),
            on_rejected=rejected.add,
        )
    _finish(summary, dry_run, rejected)


def _before_bulk_write(settings: Settings, unrestrict: list[str]) -> None:
    audit_unrestricted(settings, unrestrict)
    err.print("Checked. Neo4j is stopped while neo4j-admin writes the store, then started again.")


def _finish(summary: ImportSummary, dry_run: bool, rejected: Rejects) -> None:
    _report(summary, dry_run, rejected)
    report_kept(out, summary.kept_restricted)
    if isinstance(summary, BulkSummary):
        out.print(
            f"Bulk: checked in {summary.check_seconds:,.1f} s, files written in "
            f"{summary.convert_seconds:,.1f} s, neo4j-admin {summary.admin_seconds:,.1f} s, "
            f"restart and indexes {summary.restart_seconds:,.1f} s."
        )


def _report_interrupted(settings: Settings) -> None:
    """Each import that stopped before completing, and what the graph holds of it."""
    with store.connect(settings) as driver:
        found = importing.interrupted_imports(driver, settings)
    if not found:
        out.print("No interrupted import: the graph holds every import whole.")
    for each in found:
        out.print(each.describe(), highlight=False, soft_wrap=True)


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        RowsPerSecond(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )


def _print_records(records: list[Record]) -> None:
    for record in records:
        line = {"type": record.label, **record.properties}
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")


def _report(summary: ImportSummary, dry_run: bool, rejected: Rejects) -> None:
    out.print(f"Read {summary.rows:,} rows as {summary.records:,} records.")
    if summary.resumed:
        out.print(
            f"Resumed: {summary.resumed:,} of {len(summary.chunk_rows):,} chunks were written "
            "by the interrupted import and were not written again."
        )
    if summary.written:
        out.print(f"Wrote {summary.nodes:,} nodes, {summary.relationships:,} relationships:")
        for label in sorted(set(summary.created) | set(summary.matched)):
            out.print(
                f"  {label}: {summary.created[label]:,} created, "
                f"{summary.matched[label]:,} already there"
            )
    elif dry_run:
        out.print("Dry run: nothing was written.")
    for imported, existing in sorted(summary.reused.items())[:20]:
        out.print(f"  reused {existing} for {imported} (same name)", highlight=False)
    if summary.protected:
        out.print(
            f"  {summary.protected:,} record(s) already in the graph cite other sources; "
            "kept as they are, not overwritten"
        )
    if summary.candidates:
        out.print(
            f"{len(summary.candidates)} possible match(es) wait on the review list: "
            "run `silsila review`."
        )
    _print_problems(summary, rejected)
    if summary.read_warnings:
        out.print(
            f"Read differently from how it was written ({summary.read_warning_count:,}; "
            "the rows were still imported):"
        )
        for warning in summary.read_warnings:
            out.print(f"  {warning}", highlight=False)
        if summary.read_warning_count > len(summary.read_warnings):
            out.print(f"  … and {summary.read_warning_count - len(summary.read_warnings):,} more")
        out.print("By reason:")
        for reason, count in summary.read_warning_reasons.most_common():
            out.print(f"  {count:,} {reason}")
    if summary.warning_count:
        out.print(f"{summary.warning_count} gap(s) in the evidence (SHACL warnings), e.g.:")
        for warning in summary.warnings[:5]:
            out.print(f"  {warning}", highlight=False)


def _print_problems(summary: ImportSummary, rejected: Rejects) -> None:
    """The first problems, how many more there are and where they are listed, the totals."""
    if not summary.problem_count:
        return
    err.print(f"Left out {len(summary.rejected_rows):,} row(s):")
    for problem in summary.problems:
        err.print(f"  {problem}", highlight=False)
    more = summary.problem_count - len(summary.problems)
    if more:
        where = f"every one is in {rejected.path}" if rejected.path else "--rejects FILE lists all"
        err.print(f"  … and {more:,} more problem(s): {where}")
    if rejected.path is not None:
        err.print(f"Rejected and skipped rows, with reasons, in {rejected.path}")
    err.print("By reason:")
    print_reasons(err, summary.rejected_counts)


@review_app.callback()
def review_list(
    ctx: typer.Context,
    status: Annotated[str, typer.Option(help="pending, accepted, rejected or all.")] = "pending",
    page: Annotated[int, typer.Option(min=1, help="Page of 50, from 1.")] = 1,
) -> None:
    """List possible merges (pending by default); accept or reject them by id."""
    if ctx.invoked_subcommand is not None:
        return
    settings = Settings()
    with store.connect(settings) as driver:
        wanted = None if status == "all" else status
        rows = review.candidates(driver, settings, wanted, (page - 1) * review.PAGE, review.PAGE)
        counts = review.counts(driver, settings)
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "empty"
    out.print(f"Review list: {summary}.")
    if not rows:
        return
    table = Table(
        Column("candidate", no_wrap=True), "type", "imported", "existing", "why", "score", "status"
    )
    for c in rows:
        table.add_row(
            c["id"],
            c["candidate_label"],
            f"{c['imported_name']}\n{c['imported_id']}",
            f"{c['existing_name']}\n{c['existing_id']}",
            f"{c['reason']}\nfrom {c['origin']}",
            f"{c['score']:.2f}",
            c["status"],
        )
    out.print(table)
    out.print("Decide with `silsila review accept ID` or `silsila review reject ID`.")


@review_app.command("accept")
def review_accept(
    candidate: Annotated[str, typer.Argument(help="A candidate id from `silsila review`.")],
) -> None:
    """They are the same: fold the imported entity into the existing one."""
    settings = Settings()
    with store.connect(settings) as driver:
        decision = review.accept(driver, settings, candidate)
    c = decision.candidate
    out.print(
        f"Accepted: {c['imported_id']} folded into {c['existing_id']} "
        f"({decision.relationships_moved} relationship(s) moved, "
        f"{decision.aliases_added} alias(es) added).",
        highlight=False,
    )


@review_app.command("reject")
def review_reject(
    candidate: Annotated[str, typer.Argument(help="A candidate id from `silsila review`.")],
) -> None:
    """They are different: keep both; this pair is not proposed again."""
    settings = Settings()
    with store.connect(settings) as driver:
        decision = review.reject(driver, settings, candidate)
    c = decision.candidate
    out.print(f"Rejected: {c['imported_id']} and {c['existing_id']} stay apart.", highlight=False)
