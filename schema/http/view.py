"""strawberry's ASGI GraphQL view with lac's HTTP rules (schema/http/graphql_request.py).

strawberry answers its own refusals in plain text; here every refusal, strawberry's
and lac's, is raised as a Starlette `HTTPException`, which the app answers as JSON.
A mutation sent with GET is refused with 405 (Allow: POST). GraphiQL's page is lac's own,
served with its assets from the service (schema/http/clients.py), not strawberry's CDN page.
"""

from __future__ import annotations

import orjson
from cross_web import AsyncHTTPRequestAdapter
from cross_web import HTTPException as StrawberryRefusal
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.http.typevars import Context, RootValue
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from lac.resolvers.errors import ErrorCode
from lac.schema.http.clients import graphiql_page
from lac.schema.http.errors import error_response
from lac.schema.http.graphql_request import decode_json, graphql_request, require_json_content_type
from lac.schema.persisted import NOT_FOUND_MESSAGE, PersistedQueries, PersistedQueryNotFoundError


class JsonGraphQL(GraphQL[Context, RootValue]):
    """The view decodes every request through graphql_request and raises its refusals."""

    @property
    def persisted(self) -> PersistedQueries | None:
        """The operations its schema lets a request name by hash (`schema/persisted.py`)."""
        persisted = getattr(self.schema, "persisted", None)
        return persisted if isinstance(persisted, PersistedQueries) else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            response = await self.run(Request(scope, receive))
        except StrawberryRefusal as refusal:
            raise as_http_exception(refusal) from refusal
        except PersistedQueryNotFoundError:
            # Apollo's answer: its clients then send the operation again with its text.
            response = error_response(200, NOT_FOUND_MESSAGE, ErrorCode.PERSISTED_QUERY_NOT_FOUND)
        await response(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_page()

    def decode_json(self, data: str | bytes) -> object:
        return decode_json(data)

    def encode_json(self, data: object) -> bytes:
        """orjson: the same JSON as `json.dumps` (non-ASCII text as UTF-8 rather than
        escaped), about 20x faster on an orders page (`make bench`)."""
        return orjson.dumps(data)

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        if request.method == "GET":
            data = graphql_request(self.parse_query_params(request.query_params))
        else:
            require_json_content_type(request.content_type)
            data = graphql_request(decode_json(await request.get_body()))
        return self.persisted.resolve(data) if self.persisted else data


def as_http_exception(refusal: StrawberryRefusal) -> HTTPException:
    """strawberry's refusal as Starlette's, a mutation over GET made the 405 it is."""
    cause = refusal.__cause__
    if (
        isinstance(cause, InvalidOperationTypeError)
        and cause.operation_type is OperationType.MUTATION
    ):
        return HTTPException(
            405, "Mutations must be sent with POST; GET may only read.", {"Allow": "POST"}
        )
    allow = {"Allow": "GET, POST"} if refusal.status_code == 405 else None
    return HTTPException(refusal.status_code, refusal.reason, allow)
