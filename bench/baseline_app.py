"""The benchmark baseline: a bare Starlette app with one POST route and a fixed small JSON body.

Served by uvicorn exactly like `lac serve` (one worker, default loop and HTTP parser), so
`bench.hot_paths` can report lac's throughput as a ratio of what the same stack does with
no GraphQL, no database and no middleware.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

BODY = {"data": {"__typename": "Query"}}


async def graphql(request: Request) -> Response:
    """Read the request body, as a real handler must, and answer the fixed body."""
    await request.body()
    return JSONResponse(BODY)


app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])
