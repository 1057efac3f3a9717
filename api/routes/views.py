"""Network views as offline HTML pages, and the one copy of vis-network they load."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from swagger_ui_bundle import swagger_ui_path

from api.deps import AtDep, ReaderDep
from api.headers import InlinePage
from api.limits import BUSY, Expensive
from api.models import not_found
from graph.errors import NotFoundError
from graph.reads import views
from graph.render import network_html

router = APIRouter(tags=["views"])
ASSET_CACHE = "public, max-age=86400"
NEIGHBOURHOOD = "/views/neighbourhood/"
STATIC_DIR = Path(__file__).parent.parent / "static"
OWN_FILES = {"silsila.css": "text/css", "pickers.js": "text/javascript"}
# Swagger UI for /docs, from the copy the swagger-ui-bundle package ships.
SWAGGER_FILES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


def view_page(html: str) -> InlinePage:
    """A network view: its pyvis script and styles allowed by hash; framed by /ui pages only."""
    return InlinePage(html, frameable=True)


@router.get("/static/{name}", include_in_schema=False)
async def static_asset(name: str) -> Response:
    """vis-network's script and stylesheet, from the copy pyvis ships: pages fetch nothing
    from outside this server."""
    if name in network_html.VIS_FILES:
        data, media = network_html.asset(name), network_html.VIS_FILES[name]
    elif name in OWN_FILES:
        data, media = (STATIC_DIR / name).read_bytes(), OWN_FILES[name]
    elif name in SWAGGER_FILES:
        data, media = (Path(swagger_ui_path) / name).read_bytes(), SWAGGER_FILES[name]
    else:
        raise NotFoundError(f"No static file {name!r}.")
    return Response(data, media_type=media, headers={"Cache-Control": ASSET_CACHE})


@router.get(
    NEIGHBOURHOOD + "{node_id}",
    response_class=HTMLResponse,
    responses={**not_found("record"), **BUSY},
    dependencies=[Expensive],
)
async def neighbourhood(
    request: Request,
    reader: ReaderDep,
    node_id: str,
    depth: Annotated[int, Query(ge=1, le=views.MAX_DEPTH)] = 1,
    limit: Annotated[int, Query(ge=1, le=views.MAX_NODES)] = 100,
) -> HTMLResponse:
    """A record and what lies within `depth` links; beyond `limit` nodes, "N more not shown".
    A click on a node adds its own neighbours to the view, from `…/{node_id}/data`."""
    network = await views.neighbourhood(reader, node_id, depth, limit)
    more = urlencode({"depth": depth, "limit": min(limit * 2, views.MAX_NODES)})
    expand = f"{request.url.path}?{more}" if limit < views.MAX_NODES else None
    return view_page(network_html.page(network, expand_url=expand, grow_from=NEIGHBOURHOOD))


@router.get(NEIGHBOURHOOD + "{node_id}/data", include_in_schema=False, dependencies=[Expensive])
async def neighbourhood_data(
    reader: ReaderDep,
    node_id: str,
    limit: Annotated[int, Query(ge=1, le=views.MAX_NODES)] = 100,
) -> network_html.NetworkData:
    """A record's neighbours (one link away) as the neighbourhood view's script adds them to
    itself: vis-network's nodes and edges, read by the same reader as the page, so redacted
    alike."""
    network = await views.neighbourhood(reader, node_id, 1, limit)
    return network_html.data(network)


@router.get(
    "/views/units/{unit_id}/chain",
    response_class=HTMLResponse,
    responses={**not_found("unit"), **BUSY},
    dependencies=[Expensive],
)
async def chain(reader: ReaderDep, unit_id: str, at: AtDep) -> HTMLResponse:
    """A unit's chain of command as of a date; possible links are dashed."""
    network = await views.chain_view(reader, unit_id, at)
    return view_page(network_html.page(network))


@router.get(
    "/views/events/{event_id}",
    response_class=HTMLResponse,
    responses={**not_found("event"), **BUSY},
    dependencies=[Expensive],
)
async def event(reader: ReaderDep, event_id: str) -> HTMLResponse:
    """An event: attributions (per source), the units' chains at its dates, its place."""
    return view_page(network_html.page(await views.event_view(reader, event_id)))


@router.get(
    "/views/persons/{person_id}/exposure",
    response_class=HTMLResponse,
    responses={**not_found("person"), **BUSY},
    dependencies=[Expensive],
)
async def exposure(reader: ReaderDep, person_id: str) -> HTMLResponse:
    """A person's postings, the events under their command, direct links and sanctions."""
    return view_page(network_html.page(await views.exposure_view(reader, person_id)))
