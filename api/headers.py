"""What every request and every response of the app passes through: the Authorization gate and
the security headers.

`AuthorizationGate` checks an Authorization header before any routing, so a malformed or
unknown token gets 401 on every path (/static, /health, /docs and unknown paths too), never a
silent fall-back to public. `SecurityHeaders` puts the headers below on every response. The
Content-Security-Policy lets pages load scripts, styles and images from this server only and
runs nothing inline; a page we build with inline <script> or <style> blocks of its own (network
views, the case file page) is an `InlinePage`, whose policy allows exactly those blocks by
their sha256. Nothing may frame an answer, except that the /ui pages frame the network views:
those alone may be framed by this server's own pages (`frameable`).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.security import CALLER_STATE, get_caller
from ontology.errors import SilsilaError

CSP = "Content-Security-Policy"
FRAME_OPTIONS = "X-Frame-Options"
# Nothing may frame the app's answers (frame-ancestors, and X-Frame-Options for old browsers).
SECURITY_HEADERS = {
    FRAME_OPTIONS: "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
BASE_SOURCES: dict[str, tuple[str, ...]] = {
    "default-src": ("'none'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "connect-src": ("'self'",),
    "frame-src": ("'self'",),  # an entity page frames its network view
    "form-action": ("'self'",),
    "base-uri": ("'none'",),
    "frame-ancestors": ("'none'",),
}
SAME_ORIGIN_FRAMING: dict[str, tuple[str, ...]] = {"frame-ancestors": ("'self'",)}
_SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.I | re.S)
_STYLE = re.compile(r"<style\b[^>]*>(?P<body>.*?)</style\s*>", re.I | re.S)
_SRC = re.compile(r"\bsrc\s*=", re.I)

Sources = Mapping[str, Sequence[str]]


def policy(extra: Sources | None = None, replace: Sources | None = None) -> str:
    """The Content-Security-Policy: BASE_SOURCES, plus EXTRA sources per directive, with the
    directives in REPLACE instead of the base's."""
    extra = extra or {}
    directives = {**BASE_SOURCES, **(replace or {})}
    return "; ".join(
        " ".join([name, *sources, *extra.get(name, ())]) for name, sources in directives.items()
    )


DEFAULT_POLICY = policy()


def _digest(block: str) -> str:
    digest = base64.b64encode(hashlib.sha256(block.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def inline_sources(html: str) -> dict[str, list[str]]:
    """The hashes of HTML's inline <script> (those without src) and <style> blocks, exactly as a
    browser hashes them."""
    scripts = [m["body"] for m in _SCRIPT.finditer(html) if not _SRC.search(m["attrs"])]
    styles = [m["body"] for m in _STYLE.finditer(html)]
    return {
        "script-src": sorted({_digest(s) for s in scripts}),
        "style-src": sorted({_digest(s) for s in styles}),
    }


def page_policy(html: str, extra: Sources | None = None, frameable: bool = False) -> str:
    """The policy for a page we built: its own inline blocks by hash, plus EXTRA sources;
    FRAMEABLE by this server's pages."""
    sources = inline_sources(html)
    for name, more in (extra or {}).items():
        sources.setdefault(name, []).extend(more)
    return policy(sources, SAME_ORIGIN_FRAMING if frameable else None)


class InlinePage(HTMLResponse):
    """An HTML page we build (templates, values escaped) whose inline blocks are allowed by
    hash: no other inline script or style runs in it. A FRAMEABLE one (a network view) may be
    framed by this server's own pages, and by no other."""

    def __init__(
        self,
        content: str,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        extra: Sources | None = None,
        frameable: bool = False,
    ) -> None:
        super().__init__(content, status_code=status_code, headers=headers)
        self.headers[CSP] = page_policy(content, extra, frameable)
        if frameable:
            self.headers[FRAME_OPTIONS] = "SAMEORIGIN"


def secure(response: Response) -> Response:
    """Put the security headers on a response made outside the middleware (a 500)."""
    response.headers.setdefault(CSP, DEFAULT_POLICY)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


class SecurityHeaders:
    """Every response gets SECURITY_HEADERS and DEFAULT_POLICY, unless its route set its own
    (an `InlinePage`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault(CSP, DEFAULT_POLICY)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_secured)


ErrorAnswer = Callable[[Request, SilsilaError], Response]


class AuthorizationGate:
    """A request with an Authorization header must carry a valid token, whatever its path: a
    malformed header or an unknown token is answered by ANSWER (a 401) before any routing.
    The caller found is kept on the request for `get_caller`."""

    def __init__(self, app: ASGIApp, answer: ErrorAnswer) -> None:
        self.app = app
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            if "authorization" in request.headers:
                try:
                    setattr(request.state, CALLER_STATE, get_caller(request))
                except SilsilaError as e:
                    await self.answer(request, e)(scope, receive, send)
                    return
        await self.app(scope, receive, send)
