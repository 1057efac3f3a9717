"""Rendering answers as documents: case-file formats and network HTML (Jinja templates).

Every document is drawn from a template in `templates/`, through the one environment below:
`.html` templates autoescape (as the API's pages do), `.md` and `.css` ones do not. A value
that is already markup (vis-network's own script and stylesheet) is passed as `Markup`.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

TEMPLATES = Environment(
    loader=PackageLoader("graph.render", "templates"),
    autoescape=select_autoescape(["html"], default_for_string=True, default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    auto_reload=False,
)
