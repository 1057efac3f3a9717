"""A case file as JSON, Markdown, print-friendly HTML, or a zip with a SHA-256 manifest.

Markdown and HTML are drawn from `templates/casefile.md` and `templates/casefile.html`.
"""

from __future__ import annotations

import hashlib
import io
import zipfile

from graph.reads.casefile import CaseEvent, CaseFile
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


def to_json(case: CaseFile) -> str:
    return case.model_dump_json(indent=2) + "\n"


def _killed_range(event: CaseEvent) -> str:
    if event.low is None:
        return "no whole-event figure"
    return f"{event.low} to {event.high}"


def _render(template: str, case: CaseFile, **context: object) -> str:
    return TEMPLATES.get_template(template).render(
        case=case, gap=GAP, killed=_killed_range, formats=FORMATS, **context
    )


def to_markdown(case: CaseFile) -> str:
    """Markdown with footnotes `[^n]` pointing at the numbered citations at the end."""
    return _render("casefile.md", case)


def to_html(case: CaseFile, downloads: bool = False) -> str:
    """A self-contained, print-friendly page (no external resources), escaped by Jinja."""
    return _render("casefile.html", case, downloads=downloads)


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
