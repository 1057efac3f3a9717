"""The one place pyvis is used: a `views.Network` as an offline HTML page.

pyvis validates with `assert`, writes into the working directory and links a CDN even with
`cdn_resources="in_line"`. Here it only lays out nodes and options; the page is returned as
text, every external <script> and <link> is removed, and vis-network comes either from the
API's `/static` (pages) or inline (notebooks).
"""

from __future__ import annotations

import json
import re
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import pyvis
from pyvis.network import Network as PyvisNetwork

from graph.reads.views import Network

VIS_DIR = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
VIS_FILES = {"vis-network.min.js": "application/javascript", "vis-network.css": "text/css"}
LAYOUT_SEED = 7  # the same graph is drawn the same way every time

# Shape and colour per node type; the legend is drawn from the same table.
STYLES: dict[str, tuple[str, str]] = {
    "Person": ("dot", "#1f5fa8"),
    "Organization": ("box", "#b0282d"),
    "Event": ("diamond", "#d9730d"),
    "Place": ("triangle", "#2e7d32"),
    "Source": ("square", "#616161"),
}
OTHER_STYLE = ("ellipse", "#6a3d9a")
_EXTERNAL = re.compile(
    r"<(script|link)\b[^>]*(?:src|href)=\"https?://[^\"]*\"[^>]*>(?:\s*</script>)?", re.I
)
# Above this many nodes, vis-network's Kamada-Kawai pre-layout and long stabilisation take
# tens of seconds in a browser; large views trade a little neatness for a quick drawing.
LARGE_VIEW = 100
OPTIONS = {
    "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": True},
    "physics": {"stabilization": {"enabled": True, "iterations": 300}},
    "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}, "font": {"size": 10}},
    "interaction": {"hover": True, "keyboard": {"enabled": True}, "navigationButtons": False},
}


@cache
def asset(name: str) -> bytes:
    """vis-network's JavaScript or CSS, from the copy pyvis ships (never fetched)."""
    if name not in VIS_FILES:
        raise KeyError(name)
    return (VIS_DIR / name).read_bytes()


def style(node_type: str) -> tuple[str, str]:
    return STYLES.get(node_type, OTHER_STYLE)


def to_pyvis(network: Network) -> PyvisNetwork:
    """Nodes and edges handed to pyvis, with the seeded layout."""
    net = PyvisNetwork(height="640px", width="100%", directed=True, cdn_resources="remote")
    for node in network.nodes.values():
        shape, colour = style(node.type)
        net.add_node(node.id, label=node.label, title=node.title, shape=shape, color=colour)
    for edge in network.edges:
        net.add_edge(
            edge.source,
            edge.target,
            label=edge.label,
            title=edge.title,
            dashes=not edge.certain,
            color="#555555",
        )
    net.set_options(json.dumps(options_for(len(network.nodes))))
    return net


def options_for(node_count: int) -> dict[str, Any]:
    """vis-network options: the seeded layout always; cheaper physics for large views."""
    if node_count <= LARGE_VIEW:
        return OPTIONS
    return {
        **OPTIONS,
        "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": False},
        "physics": {
            "solver": "forceAtlas2Based",
            "stabilization": {"enabled": True, "iterations": 120, "updateInterval": 40},
        },
    }


def _legend() -> str:
    items = [
        f'<li><span class="swatch" style="background:{colour}"></span>{escape(kind)} ({shape})</li>'
        for kind, (shape, colour) in [*STYLES.items(), ("Other", OTHER_STYLE)]
    ]
    items.append("<li>solid line: certain or unhedged · dashed line: possible or hedged</li>")
    return f'<ul class="legend" aria-label="Legend">{"".join(items)}</ul>'


def _banner(network: Network, expand_url: str | None) -> str:
    if not network.not_shown:
        return ""
    more = f' <a href="{escape(expand_url)}">Show more</a>' if expand_url else ""
    return f'<p class="capped" role="status">{network.not_shown} more not shown.{more}</p>'


LEGEND_CSS = (
    ".legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1rem;font:14px sans-serif}"
    ".swatch{display:inline-block;width:12px;height:12px;margin-right:4px;border-radius:2px}"
    ".capped{font:14px sans-serif;color:#8a1c1c}"
)


def _offline(html: str, head: str) -> str:
    """Drop every external script and stylesheet; put ours in the head."""
    html = _EXTERNAL.sub("", html)
    return html.replace("<head>", f"<head>{head}", 1)


def page(network: Network, assets: str = "/static", expand_url: str | None = None) -> str:
    """A full page whose scripts come from ASSETS on the same server."""
    head = (
        f'<link rel="stylesheet" href="{assets}/vis-network.css">'
        f'<script src="{assets}/vis-network.min.js"></script><style>{LEGEND_CSS}</style>'
        f"<title>{escape(network.title)}</title>"
    )
    html = _offline(to_pyvis(network).generate_html(), head)
    intro = f"<h1 style='font:20px sans-serif'>{escape(network.title)}</h1>{_legend()}"
    return html.replace("<body>", f"<body>{intro}{_banner(network, expand_url)}", 1)


def inline(network: Network) -> str:
    """A page with vis-network inlined, for notebooks (no server needed, nothing fetched)."""
    js = asset("vis-network.min.js").decode("utf-8")
    css = asset("vis-network.css").decode("utf-8")
    head = f"<style>{css}{LEGEND_CSS}</style><script>{js}</script>"
    html = _offline(to_pyvis(network).generate_html(), head)
    intro = f"<h3 style='font:16px sans-serif'>{escape(network.title)}</h3>{_legend()}"
    return html.replace("<body>", f"<body>{intro}{_banner(network, None)}", 1)


def embed(network: Network, height: int = 700) -> str:
    """The inline page inside an iframe's srcdoc: notebooks show it without trusting scripts
    in their own output."""
    return (
        f'<iframe srcdoc="{escape(inline(network), quote=True)}" '
        f'style="width:100%;height:{height}px;border:1px solid #ccc" '
        f'title="{escape(network.title, quote=True)}" sandbox="allow-scripts"></iframe>'
    )
