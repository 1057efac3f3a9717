"""The one place pyvis is used: a `views.Network` as an offline HTML page.

pyvis validates with `assert`, writes into the working directory and links a CDN even with
`cdn_resources="in_line"`. Here it only lays out nodes and options; the page is returned as
text, every external <script> and <link> is removed, and vis-network comes either from the
API's `/static` (pages) or inline (notebooks). What Silsila adds to pyvis's page (the head,
the title, legend and "not shown" banner, the notebook's iframe) is drawn from the templates
`templates/network_*.html`, autoescaped.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pyvis
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from pydantic import BaseModel
from pyvis.network import Network as PyvisNetwork

from graph.errors import NotFoundError
from graph.reads.views import Network
from graph.render import TEMPLATES
from ontology.terms import Label

VIS_DIR = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
VIS_FILES = {"vis-network.min.js": "application/javascript", "vis-network.css": "text/css"}
LAYOUT_SEED = 7  # the same graph is drawn the same way every time

# Shape and colour per node type; the legend is drawn from the same table.
STYLES: dict[str, tuple[str, str]] = {
    Label.PERSON: ("dot", "#1f5fa8"),
    Label.ORGANIZATION: ("box", "#b0282d"),
    Label.EVENT: ("diamond", "#d9730d"),
    Label.PLACE: ("triangle", "#2e7d32"),
    Label.SOURCE: ("square", "#616161"),
}
OTHER_STYLE = ("ellipse", "#6a3d9a")
_EXTERNAL = re.compile(
    r"<(script|link)\b[^>]*(?:src|href)=\"https?://[^\"]*\"[^>]*>(?:\s*</script>)?", re.I
)
_STYLE_ATTRIBUTE = re.compile(r"\s+style=\"[^\"]*\"", re.I)
# Above this many nodes, vis-network's Kamada-Kawai pre-layout and long stabilisation take
# tens of seconds in a browser; large views trade a little neatness for a quick drawing.
LARGE_VIEW = 100
OPTIONS = {
    "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": True},
    # Nodes repel far enough, and keep their boxes apart, that labels do not overlap.
    "physics": {
        "barnesHut": {"avoidOverlap": 1, "springLength": 160, "gravitationalConstant": -6000},
        "stabilization": {"enabled": True, "iterations": 300},
    },
    "nodes": {"font": {"size": 14}, "margin": 8, "widthConstraint": {"maximum": 180}},
    "edges": {
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
        "font": {"size": 10, "strokeWidth": 3, "strokeColor": "#ffffff"},
        "smooth": False,
    },
    "interaction": {"hover": True, "keyboard": {"enabled": True}, "navigationButtons": False},
}
# A chain or an exposure drawn level by level, each edge's ends on adjacent levels.
HIERARCHY: dict[str, Any] = {
    "randomSeed": LAYOUT_SEED,
    "hierarchical": {
        "enabled": True,
        "sortMethod": "directed",
        "shakeTowards": "roots",
        "levelSeparation": 150,
        "nodeSpacing": 220,
    },
}
# Shapes whose label is drawn inside them, on their colour.
LABEL_INSIDE = frozenset({"box", "ellipse"})


@cache
def asset(name: str) -> bytes:
    """vis-network's JavaScript or CSS, from the copy pyvis ships (never fetched)."""
    if name not in VIS_FILES:
        raise NotFoundError(f"No vis-network file {name!r}: use one of {', '.join(VIS_FILES)}.")
    return (VIS_DIR / name).read_bytes()


def style(node_type: str) -> tuple[str, str]:
    return STYLES.get(node_type, OTHER_STYLE)


@cache
def _pyvis_templates(folder: str) -> Environment:
    """pyvis's own template environment, shared: each network makes a new one, which compiles
    its page template again for every view drawn (a tenth of a busy API's time)."""
    return Environment(loader=FileSystemLoader(folder))  # noqa: S701 - pyvis's page, as pyvis sets it up


def to_pyvis(network: Network) -> PyvisNetwork:
    """Nodes and edges handed to pyvis, with the seeded layout: labels inside a shape in white
    (AA contrast on its colour), each of several edges between two nodes on its own curve."""
    net = PyvisNetwork(height="640px", width="100%", directed=True, cdn_resources="remote")
    net.templateEnv = _pyvis_templates(net.template_dir)
    for node in network.nodes.values():
        shape, colour = style(node.type)
        font = {"color": "#ffffff"} if shape in LABEL_INSIDE else {"color": "#1a1a1a"}
        net.add_node(
            node.id, label=node.label, title=node.title, shape=shape, color=colour, font=font
        )
    for edge, curve in zip(network.edges, _curves(network), strict=True):
        net.add_edge(
            edge.source,
            edge.target,
            label=edge.label,
            title=edge.title,
            dashes=not edge.certain,
            color="#555555",
            smooth=curve,
        )
    net.set_options(json.dumps(options_for(len(network.nodes), network.hierarchy)))
    return net


def _curves(network: Network) -> list[dict[str, Any] | bool]:
    """Each edge's curve: a lone edge is straight; the edges between one pair of nodes bend
    apart, alternately clockwise and anticlockwise, further for each."""
    pairs: dict[frozenset[str], int] = {}
    seen: dict[frozenset[str], int] = {}
    for edge in network.edges:
        pair = frozenset((edge.source, edge.target))
        pairs[pair] = pairs.get(pair, 0) + 1
    curves: list[dict[str, Any] | bool] = []
    for edge in network.edges:
        pair = frozenset((edge.source, edge.target))
        if pairs[pair] == 1:
            curves.append(False)
            continue
        i = seen.get(pair, 0)
        seen[pair] = i + 1
        kind = "curvedCW" if i % 2 == 0 else "curvedCCW"
        curves.append({"enabled": True, "type": kind, "roundness": 0.15 + 0.15 * (i // 2)})
    return curves


def options_for(node_count: int, hierarchy: str | None = None) -> dict[str, Any]:
    """vis-network options: a top-down hierarchy for chains and exposures; otherwise the
    seeded layout, nodes kept apart, and cheaper physics for large views."""
    if hierarchy is not None:
        return {
            **OPTIONS,
            "layout": {
                **HIERARCHY,
                "hierarchical": {**HIERARCHY["hierarchical"], "direction": hierarchy},
            },
            "physics": {"enabled": False},
        }
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


def _render(template: str, network: Network, **context: object) -> str:
    return TEMPLATES.get_template(template).render(network=network, **context)


def _intro(network: Network, expand_url: str | None, small_heading: bool = False) -> str:
    """The title, the legend (from STYLES) and, for a capped view, how much is not shown."""
    styles = [*STYLES.items(), ("Other", OTHER_STYLE)]
    return _render(
        "network_intro.html",
        network,
        styles=styles,
        expand_url=expand_url,
        small_heading=small_heading,
    )


def _offline(html: str, head: str) -> str:
    """Drop every external script and stylesheet, and pyvis's style attributes (the API's
    Content-Security-Policy blocks them; network.css has their rules); put ours in the head."""
    html = _STYLE_ATTRIBUTE.sub("", _EXTERNAL.sub("", html))
    return html.replace("<head>", f"<head>{head}", 1)


def page(
    network: Network,
    assets: str = "/static",
    expand_url: str | None = None,
    grow_from: str | None = None,
) -> str:
    """A full page whose scripts come from ASSETS on the same server. A click on a node opens
    its page; with GROW_FROM (a path on the same server, to which the node's id is appended
    and `/data` after it), it adds the node's neighbours to the view in place instead, fetched
    as `data` gives them."""
    head = _render("network_head.html", network, assets=assets, vis_js=None, vis_css=None)
    html = _offline(to_pyvis(network).generate_html(), head)
    html = html.replace("<body>", f"<body>{_intro(network, expand_url)}", 1)
    click = _render("network_click.html", network, grow_from=grow_from)
    head, _, tail = html.rpartition("</body>")
    return f"{head}{click}</body>{tail}"


class NetworkData(BaseModel):
    """A view's nodes and edges as vis-network takes them (its own option maps), and how many
    nodes it left out."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    not_shown: int


def data(network: Network) -> NetworkData:
    """A view's nodes and edges styled as `page` draws them: what a neighbourhood view adds to
    itself when a node is clicked."""
    net = to_pyvis(network)
    return NetworkData(nodes=net.nodes, edges=net.edges, not_shown=network.not_shown)


def inline(network: Network) -> str:
    """A page with vis-network inlined, for notebooks (no server needed, nothing fetched)."""
    js = Markup(asset("vis-network.min.js").decode("utf-8"))  # noqa: S704 (pyvis's own copy)
    css = Markup(asset("vis-network.css").decode("utf-8"))  # noqa: S704
    head = _render("network_head.html", network, assets=None, vis_js=js, vis_css=css)
    html = _offline(to_pyvis(network).generate_html(), head)
    return html.replace("<body>", f"<body>{_intro(network, None, small_heading=True)}", 1)


def embed(network: Network, height: int = 700) -> str:
    """The inline page inside an iframe's srcdoc: notebooks show it without trusting scripts
    in their own output."""
    return _render("network_embed.html", network, page=inline(network), height=height)
