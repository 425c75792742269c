"""CORS for the origins in LAC_CORS_ORIGINS only: Starlette's middleware, whose refused
preflights answer JSON like every other refusal."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from lac.resolvers.errors import ErrorCode
from lac.schema.http.errors import error_response

BODY_HEADERS = frozenset({"content-length", "content-type"})


class Cors(CORSMiddleware):
    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        headers = {
            name: value for name, value in response.headers.items() if name not in BODY_HEADERS
        }
        message = bytes(response.body).decode()
        return error_response(response.status_code, message, ErrorCode.BAD_USER_INPUT, headers)
