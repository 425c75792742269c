"""The browser clients the service serves itself: GraphiQL's page and assets, and the two
demo clients (`/demo/admin`, `/demo/storefront`). All are static files shipped as package
data (schema/static/), so they work on a machine without internet access; none is served
in production (like GraphiQL, they are for trying the API).

Their pages run under a Content-Security-Policy that allows this origin only: no inline
script, no request to another host, so a page that works here needs nothing from outside.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC = Path(__file__).resolve().parent.parent / "static"
GRAPHIQL_ASSETS_PATH = "/static/graphiql"
DEMO_PATH = "/demo"
# GraphiQL (CodeMirror, its popovers) sets style attributes, hence 'unsafe-inline' for
# styles only; its fonts are data: URIs inside its CSS.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
CLIENT_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache"}


class ClientHeaders:
    """ASGI wrapper giving every answer of a static mount CLIENT_HEADERS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.update(CLIENT_HEADERS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def client_routes(*, production: bool) -> list[BaseRoute]:
    """The mounts of GraphiQL's assets and the demo clients; none in production."""
    if production:
        return []
    return [
        Mount(GRAPHIQL_ASSETS_PATH, ClientHeaders(StaticFiles(directory=STATIC / "graphiql"))),
        Mount(DEMO_PATH, ClientHeaders(StaticFiles(directory=STATIC / "demo", html=True))),
    ]


@cache
def _graphiql_html() -> str:
    return (STATIC / "graphiql" / "index.html").read_text(encoding="utf-8")


def graphiql_page() -> HTMLResponse:
    """GraphiQL's page: strawberry's loads React and GraphiQL from a CDN, this one from
    GRAPHIQL_ASSETS_PATH."""
    return HTMLResponse(_graphiql_html(), headers=CLIENT_HEADERS)
