"""GET /casefiles/{id}: a person's, a unit's or an event's case file, every fetch written to the
audit log."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.audit import AuditDep
from api.deps import ReaderDep
from api.headers import CSP, page_policy
from api.limits import BUSY, Expensive
from api.models import not_found
from api.security import CallerDep
from graph.reads import casefile
from graph.render import casefile_formats

router = APIRouter(tags=["case files"])


@router.get(
    "/casefiles/{subject_id}",
    response_class=Response,
    responses={
        200: {
            "description": "The case file in the format asked for.",
            "content": {media: {} for media in casefile_formats.MEDIA_TYPES.values()},
        },
        **not_found("person, unit or event"),
        **BUSY,
    },
    dependencies=[Expensive],
)
async def get_casefile(
    reader: ReaderDep,
    caller: CallerDep,
    audit: AuditDep,
    subject_id: str,
    format: Annotated[Literal["json", "md", "html", "zip"], Query()] = "json",
) -> Response:
    """Identity, timeline, chains, events with casualty ranges, sanctions, sources and the
    Article 28(a) evidence map, every statement footnoted, stating when it was made, the
    dataset version and its access. The public role gets it redacted; any other role gets the
    restricted version, marked RESTRICTED in its file name, on every page and in its JSON."""
    case = await casefile.build(reader, subject_id)
    audit.record(caller, "casefile", casefile.audit_target(case), outcome=format)
    body = casefile_formats.render(case, format)
    headers = {}
    if format == "html":  # its own stylesheet is inline
        headers[CSP] = page_policy(body.decode("utf-8"))
    if format in ("md", "zip"):  # the investigator's version says RESTRICTED in its name
        name = casefile_formats.file_name(case, format)
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return Response(
        body,
        media_type=casefile_formats.MEDIA_TYPES[format],
        headers=headers,
    )
