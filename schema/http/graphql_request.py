"""What a GraphQL HTTP request may carry, every input decoded safely in this one place.

A POST body must be `application/json` in UTF-8: browsers send text/plain and form bodies
cross-site without a CORS preflight, so those are refused (415) before anything runs.
JSON is decoded strictly (UTF-8 only, finite numbers only, nesting within what the parser
can recurse) and no string may keep a lone UTF-16 surrogate: no later encoder (the
database driver, the JSON answer) could write it. Batches (a JSON list) are refused.
Every refusal is a 4xx `HTTPException`, answered as JSON with BAD_USER_INPUT.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from starlette.exceptions import HTTPException
from strawberry.http import GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type

JSON_MEDIA_TYPE = "application/json"
UTF8_CHARSETS = frozenset({"utf-8", "utf8"})
COMMON_JSON_CONTENT_TYPES = frozenset({JSON_MEDIA_TYPE, f"{JSON_MEDIA_TYPE}; charset=utf-8"})
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def bad_request(message: str) -> HTTPException:
    return HTTPException(400, message)


def require_json_content_type(content_type: str | None) -> None:
    """Pass for `application/json` (charset, if given, UTF-8); refuse anything else (415)."""
    if content_type in COMMON_JSON_CONTENT_TYPES:
        return  # what clients send, known good without parsing (the parser is slow)
    media_type, params = parse_content_type(content_type or "")
    charset = params.get("charset", "utf-8").lower()
    if media_type.strip().lower() != JSON_MEDIA_TYPE or charset not in UTF8_CHARSETS:
        raise HTTPException(
            415, "Send GraphQL requests with Content-Type: application/json (UTF-8)."
        )


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def _no_constant(text: str) -> Any:
    raise ValueError(text)


def decode_json(data: str | bytes) -> object:
    """The JSON value of a body or a query parameter, or a 400 saying what is wrong."""
    try:
        text = data.decode() if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise bad_request("The request is not valid UTF-8.") from None
    try:
        value = json.loads(text, parse_float=_finite_float, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise bad_request(
            f"The request is not valid JSON: {error.msg} "
            f"(line {error.lineno}, column {error.colno})."
        ) from None
    except RecursionError:
        raise bad_request("The request's JSON is nested too deeply.") from None
    except ValueError:
        raise bad_request(
            "The request's JSON holds a number out of range: numbers must be finite "
            "(no NaN or Infinity) and integers at most 4300 digits long."
        ) from None
    _refuse_lone_surrogates(value)
    return value


def _refuse_lone_surrogates(value: object) -> None:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if LONE_SURROGATE.search(item):
                raise bad_request(
                    "The request holds a lone UTF-16 surrogate (a \\ud800-\\udfff escape "
                    "without its pair), which is not text."
                )
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def graphql_request(fields: object) -> GraphQLRequestData:
    """The operation a decoded body (or the query parameters of a GET) asks for."""
    if isinstance(fields, list):
        raise bad_request(
            "Batched requests (a JSON list of operations) are not supported: "
            "send one operation per request."
        )
    if not isinstance(fields, dict):
        raise bad_request("The request must be a JSON object with a `query` string.")
    return GraphQLRequestData(
        query=_field(fields, "query", str, "a string"),
        variables=_field(fields, "variables", dict, "an object"),
        operation_name=_field(fields, "operationName", str, "a string"),
        extensions=_field(fields, "extensions", dict, "an object"),
    )


def _field(fields: dict[str, Any], name: str, kind: type, what: str) -> Any:
    value = fields.get(name)
    if value is not None and not isinstance(value, kind):
        raise bad_request(f"The request's `{name}` must be {what} or null.")
    return value
