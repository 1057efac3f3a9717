"""A case file as JSON, Markdown, print-friendly HTML, or a zip with a SHA-256 manifest."""

from __future__ import annotations

import hashlib
import io
import zipfile
from html import escape

from graph.reads.casefile import CaseEvent, CaseFile, Statement
from graph.reads.models import Chain

FORMATS = ("json", "md", "html", "zip")
MEDIA_TYPES = {
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "zip": "application/zip",
}
# A fixed timestamp makes the zip byte-for-byte reproducible, so its hash can be cited.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
GAP = "gap: nobody on record"


def to_json(case: CaseFile) -> str:
    return case.model_dump_json(indent=2) + "\n"


def _killed_range(event: CaseEvent) -> str:
    if event.low is None:
        return "no whole-event figure"
    return f"{event.low} to {event.high}"


# ----- Markdown -----------------------------------------------------------------------


def _md_statement(s: Statement) -> str:
    notes = "".join(f"[^{n}]" for n in s.notes)
    date = f"**{s.date}** " if s.date else ""
    return f"- {date}{s.text}{notes}"


def _md_list(items: list[Statement], empty: str = "- (none)") -> list[str]:
    return [_md_statement(s) for s in items] or [empty]


def _md_chain(chain: Chain) -> list[str]:
    lines = [f"### {chain.unit.name}, as of {chain.at}"]
    for level in chain.levels:
        names = ", ".join(f"{c.person.name} ({c.certainty})" for c in level.commanders)
        lines.append(f"- {'  ' * level.depth}{level.unit.name}: {names or GAP}")
    return [*lines, ""]


def to_markdown(case: CaseFile) -> str:
    """Markdown with footnotes `[^n]` pointing at the numbered citations at the end."""
    out = [f"# Case file: {case.subject.name}", "", f"> {case.notice}", ""]
    out += ["## Identity", "", *_md_list(case.identity), ""]
    out += ["## Timeline", "", *_md_list(case.timeline), ""]
    out += ["## Units and chains of command", ""]
    for chain in case.chains:
        out += _md_chain(chain)
    out += ["## Events and casualty estimates", ""]
    for event in case.events:
        out += [f"### {event.event.name} (killed: {_killed_range(event)})"]
        out += [*_md_list(event.statements), ""]
    out += ["## Sanctions", "", *_md_list(case.sanctions), ""]
    out += ["## Article 28(a) evidence map (not a legal conclusion)", ""]
    for element in case.article_28a:
        out += [f"### {element.element}", f"*{element.statute}*", ""]
        out += [*_md_list(element.evidence, f"- **{element.gap}**"), ""]
    out += ["## Sources", ""]
    out += [
        f"- {b.name or b.source} (`{b.source}`), reliability {b.reliability or 'not graded'}, "
        f"{b.citations} citation(s)"
        for b in case.bibliography
    ]
    out.append("")
    out += [
        f"[^{i}]: {c.source}, {c.locator or 'no locator'}: “{c.quote or ''}”"
        for i, c in enumerate(case.footnotes, 1)
    ]
    return "\n".join(out) + "\n"


# ----- HTML ----------------------------------------------------------------------------

STYLE = """
body{font:16px/1.5 Georgia,serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#111}
h1,h2,h3{font-family:Helvetica,Arial,sans-serif;line-height:1.2}
.notice{border-left:4px solid #8a1c1c;padding:.5rem 1rem;background:#fbf3f3}
.gap{color:#8a1c1c;font-weight:bold} sup a{text-decoration:none}
ol.notes{font-size:.9rem} @media print{a{color:#000}.downloads{display:none}}
"""


def _html_statement(s: Statement) -> str:
    notes = "".join(f'<sup><a href="#fn-{n}">{n}</a></sup>' for n in s.notes)
    date = f"<time>{escape(s.date)}</time> " if s.date else ""
    # <bdi> isolates Arabic names so they read right to left inside left-to-right text.
    return f"<li>{date}<bdi>{escape(s.text)}</bdi>{notes}</li>"


def _html_list(items: list[Statement], empty: str = "(none)", css: str = "") -> str:
    body = "".join(map(_html_statement, items))
    return f"<ul>{body or f'<li class={css!r}>{escape(empty)}</li>'}</ul>"


def _html_chain(chain: Chain) -> str:
    rows = []
    for level in chain.levels:
        names = ", ".join(
            f"<bdi>{escape(c.person.name or c.person.id)}</bdi> ({c.certainty})"
            for c in level.commanders
        )
        rows.append(
            f"<li>{escape(level.unit.name or level.unit.id)}: "
            f"{names or f'<span class=gap>{GAP}</span>'}</li>"
        )
    title = f"{escape(chain.unit.name or chain.unit.id)}, as of {escape(chain.at)}"
    return f"<h3>{title}</h3><ol>{''.join(rows)}</ol>"


def _html_downloads(case: CaseFile) -> str:
    base = escape(case.subject.id)
    links = " · ".join(f'<a href="/casefiles/{base}?format={f}">{f.upper()}</a>' for f in FORMATS)
    return f'<p class="downloads">Download: {links}</p>'


def to_html(case: CaseFile, downloads: bool = False) -> str:
    """A self-contained, print-friendly page (no external resources)."""
    name = escape(case.subject.name or case.subject.id)
    parts = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Case file: {name}</title><style>{STYLE}</style></head><body><main>",
        f"<h1>Case file: <bdi>{name}</bdi></h1>",
        f'<p class="notice" role="note">{escape(case.notice)}</p>',
        _html_downloads(case) if downloads else "",
        "<h2>Identity</h2>",
        _html_list(case.identity),
        "<h2>Timeline</h2>",
        _html_list(case.timeline),
        "<h2>Units and chains of command</h2>",
        *map(_html_chain, case.chains),
        "<h2>Events and casualty estimates</h2>",
    ]
    for event in case.events:
        title = f"<bdi>{escape(event.event.name)}</bdi> (killed: {_killed_range(event)})"
        parts += [f"<h3>{title}</h3>", _html_list(event.statements)]
    parts += ["<h2>Sanctions</h2>", _html_list(case.sanctions)]
    parts.append("<h2>Article 28(a) evidence map <small>(not a legal conclusion)</small></h2>")
    for element in case.article_28a:
        parts += [
            f"<h3>{escape(element.element)}</h3><p><em>{escape(element.statute)}</em></p>",
            _html_list(element.evidence, element.gap or "", "gap"),
        ]
    parts.append("<h2>Sources</h2><ul>")
    parts += [
        f"<li>{escape(b.name or b.source)} (<code>{escape(b.source)}</code>), reliability "
        f"{escape(b.reliability or 'not graded')}, {b.citations} citation(s)</li>"
        for b in case.bibliography
    ]
    parts.append('</ul><h2>Notes</h2><ol class="notes">')
    parts += [
        f'<li id="fn-{i}"><code>{escape(c.source)}</code>, {escape(c.locator or "no locator")}: '
        f"“<bdi>{escape(c.quote or '')}</bdi>”</li>"
        for i, c in enumerate(case.footnotes, 1)
    ]
    parts.append("</ol></main></body></html>\n")
    return "".join(parts)


# ----- zip -----------------------------------------------------------------------------


def to_zip(case: CaseFile) -> bytes:
    """casefile.json, casefile.html and manifest.sha256 (sha256sum's format), reproducibly."""
    files = {"casefile.json": to_json(case).encode(), "casefile.html": to_html(case).encode()}
    manifest = "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in files.items())
    files["manifest.sha256"] = manifest.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def render(case: CaseFile, fmt: str) -> bytes:
    """The case file in FMT (one of FORMATS)."""
    if fmt == "json":
        return to_json(case).encode()
    if fmt == "md":
        return to_markdown(case).encode()
    if fmt == "html":
        return to_html(case, downloads=True).encode()
    return to_zip(case)
