"""A case file as JSON, Markdown, print-friendly HTML, or a zip with a SHA-256 manifest.

Markdown and HTML are drawn from `templates/casefile.md` and `templates/casefile.html`.
"""

from __future__ import annotations

import hashlib
import io
import zipfile

from graph.reads.casefile import BibliographyEntry, CaseChain, CaseEvent, CaseFile
from graph.render import TEMPLATES

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
# The Admiralty grades (ontology: `reliability` of a Source, `credibility` of a Claim).
RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged (not a finding that the source is unreliable)",
}
CREDIBILITY = {
    "1": "confirmed by other sources",
    "2": "probably true",
    "3": "possibly true",
    "4": "doubtful",
    "5": "improbable",
    "6": "truth cannot be judged",
}


def to_json(case: CaseFile) -> str:
    return case.model_dump_json(indent=2) + "\n"


def _killed_range(event: CaseEvent) -> str:
    if event.low is None:
        return "no whole-event figure"
    return f"{event.low} to {event.high}"


def _also_at(chain: CaseChain) -> str:
    """The case's other dates at which CHAIN stood as drawn, as a heading's tail."""
    if not chain.also_at:
        return ""
    n = len(chain.also_at)
    dates = ", ".join(str(d) for d in chain.also_at)
    return f" (standing the same on {n} other date{'s' if n > 1 else ''} of the case: {dates})"


def citation(entry: BibliographyEntry) -> str:
    """One source in one legal citation style (OSCOLA-like): author, publisher, “title” (kind,
    date) <URL> or file, retrieved date, each part only where the record gives it; undated and
    an unrecorded retrieval say so."""
    title = entry.title or entry.name or entry.source
    who = ", ".join(x for x in (entry.author, entry.publisher) if x)
    head = f"{who}, “{title}”" if who else f"“{title}”"
    detail = ", ".join(x for x in (entry.kind, entry.published or "undated") if x)
    where = f" <{entry.url}>" if entry.url else (f", file {entry.file}" if entry.file else "")
    if entry.kind == "general knowledge":
        return f"{head} ({entry.kind})"
    got = f"retrieved {entry.retrieved}" if entry.retrieved else "retrieval date not recorded"
    return f"{head} ({detail}){where}, {got}"


def file_name(case: CaseFile, fmt: str) -> str:
    """The download's name; the investigator's version says RESTRICTED in it."""
    name = case.subject.id.replace(":", "_")
    mark = "-RESTRICTED" if case.access == "restricted" else ""
    return f"casefile-{name}{mark}.{fmt}"


def _render(template: str, case: CaseFile, **context: object) -> str:
    names = {b.source: b.name for b in case.bibliography if b.name}
    names |= {f.source: f.source_name for f in case.footnotes if f.source_name}
    return TEMPLATES.get_template(template).render(
        case=case,
        gap=GAP,
        killed=_killed_range,
        also_at=_also_at,
        formats=FORMATS,
        citation=citation,
        source_name=lambda source: names.get(source, "an unnamed source"),
        reliability=RELIABILITY,
        credibility=CREDIBILITY,
        **context,
    )


def to_markdown(case: CaseFile) -> str:
    """Markdown with footnotes `[^n]` pointing at the numbered citations at the end."""
    return _render("casefile.md", case)


def to_html(case: CaseFile, downloads: bool = False) -> str:
    """A self-contained, print-friendly page (no external resources), escaped by Jinja."""
    return _render("casefile.html", case, downloads=downloads)


# ----- zip -----------------------------------------------------------------------------


def to_zip(case: CaseFile) -> bytes:
    """casefile.json, casefile.html and manifest.sha256 (sha256sum's format): the same case
    file (same data, same time of making) gives the same bytes."""
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
