"""Malformed requests for the fuzz test: what a broken or hostile client sends instead of a
GraphQL request. A fixed list of the classic ones, and hypothesis strategies for the rest."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import strategies as st

from tests.fuzz_documents import FuzzRequest, json_body
from tests.fuzz_values import hostile_values, json_values, strings, surrogates

PRODUCTS = "{ products { sku } }"
CUSTOMERS_PAGE = "query Page($first: Int) { customers(first: $first) { totalCount } }"
CUSTOMER_BY_ID = "query One($id: ID!) { customer(id: $id) { email } }"
DEEP = 5000


def _raw(label: str, body: bytes, content_type: str | None = "application/json") -> FuzzRequest:
    return FuzzRequest(label, body, content_type=content_type)


def _get(label: str, query_string: str) -> FuzzRequest:
    return FuzzRequest(
        label, b"", method="GET", content_type=None, target=f"/graphql?{query_string}"
    )


FIXED_REQUESTS = (
    _raw("empty body", b""),
    _raw("invalid UTF-8", b'{"query": "\xff\xfe{ products { sku } }"}'),
    _raw("UTF-8 encoded surrogate", b'{"query": "{ products { sku \xed\xa0\x80 } }"}'),
    _raw("JSON null", b"null"),
    _raw("JSON number", b"5"),
    _raw("JSON string", b'"{ products { sku } }"'),
    _raw("JSON true", b"true"),
    _raw("JSON list", b"[]"),
    _raw("batch", json_body([{"query": PRODUCTS}, {"query": PRODUCTS}])),
    _raw("JSON nested 5000 deep", b"[" * DEEP + b"]" * DEEP),
    _raw(
        "variables nested 5000 deep",
        b'{"query": "'
        + PRODUCTS.encode()
        + b'", "variables": {"a": '
        + b"[" * DEEP
        + b"]" * DEEP
        + b"}}",
    ),
    _raw(
        "GraphQL nested 5000 deep",
        json_body({"query": "{ products " + "{ sku " * DEEP + "}" * (DEEP + 1)}),
    ),
    _raw(
        "GraphQL list literal 5000 deep",
        json_body({"query": "{ customer(id: " + "[" * DEEP + "]" * DEEP + ") { id } }"}),
    ),
    _raw("escaped lone surrogate in query", json_body({"query": "{ products { sku } } #\ud800"})),
    _raw(
        "escaped lone surrogate in a string literal",
        json_body({"query": '{ customers(filter: {name: "\ud800"}) { totalCount } }'}),
    ),
    _raw(
        "escaped lone surrogate in variables",
        json_body({"query": CUSTOMER_BY_ID, "variables": {"id": "\udfff"}}),
    ),
    _raw(
        "escaped lone surrogate in operationName",
        json_body({"query": PRODUCTS, "operationName": "\ud800"}),
    ),
    _raw("raw NUL in JSON", b'{"query": "{ products { sku } }\x00"}'),
    _raw("escaped NUL in query", json_body({"query": "{ products { sku } }\x00"})),
    _raw(
        "escaped NUL in a string literal",
        json_body({"query": '{ customers(filter: {name: "a\\u0000b"}) { totalCount } }'}),
    ),
    _raw(
        "int beyond 2^63 in variables",
        json_body({"query": CUSTOMERS_PAGE, "variables": {"first": 2**64}}),
    ),
    _raw("int beyond 2^63 as id", json_body({"query": CUSTOMER_BY_ID, "variables": {"id": 2**64}})),
    _raw(
        "5000-digit int",
        b'{"query": "'
        + CUSTOMERS_PAGE.encode()
        + b'", "variables": {"first": '
        + b"9" * DEEP
        + b"}}",
    ),
    _raw("1e400", b'{"query": "' + CUSTOMERS_PAGE.encode() + b'", "variables": {"first": 1e400}}'),
    _raw("NaN", b'{"query": "' + CUSTOMERS_PAGE.encode() + b'", "variables": {"first": NaN}}'),
    _raw(
        "int literal beyond 2^63",
        json_body({"query": "{ customers(first: 99999999999999999999) { totalCount } }"}),
    ),
    _raw("float literal 1e400", json_body({"query": "{ customers(first: 1e400) { totalCount } }"})),
    _raw("duplicate keys", b'{"query": "{ products { sku } }", "query": "{ adminMe { id } }"}'),
    _raw("text/plain", json_body({"query": PRODUCTS}), content_type="text/plain"),
    _raw(
        "form",
        b"query=%7B+products+%7B+sku+%7D+%7D",
        content_type="application/x-www-form-urlencoded",
    ),
    _raw("multipart garbage", b"--x\r\n\r\n--x--", content_type="multipart/form-data; boundary=x"),
    _raw("no content type", json_body({"query": PRODUCTS}), content_type=None),
    _raw(
        "two operations, no name", json_body({"query": PRODUCTS + " query B { products { name } }"})
    ),
    _raw("unknown operationName", json_body({"query": PRODUCTS, "operationName": "Nope"})),
    _raw("subscription", json_body({"query": "subscription { products { sku } }"})),
    _get("GET without query", urlencode({"variables": "{}"})),
    _get("GET mutation", urlencode({"query": "mutation { adminLogout }"})),
    _get("GET bad variables", urlencode({"query": CUSTOMERS_PAGE, "variables": "{not json"})),
    _get("GET variables list", urlencode({"query": CUSTOMERS_PAGE, "variables": "[1]"})),
    _get("GET encoded surrogate", "query=%7B%20products%20%7B%20sku%20%7D%20%7D%20%23%ED%A0%80"),
    _get("GET invalid UTF-8", "query=%7B%20products%20%7B%20sku%20%7D%20%7D%20%23%FF"),
    _get("GET repeated query", "query=%7B%20products%20%7B%20sku%20%7D%20%7D&query=x"),
    FuzzRequest("PUT", json_body({"query": PRODUCTS}), method="PUT"),
    FuzzRequest("DELETE", b"", method="DELETE", content_type=None),
)

envelopes = st.fixed_dictionaries(
    {},
    optional={
        "query": st.one_of(json_values, strings, st.just(PRODUCTS)),
        "variables": st.one_of(json_values, st.dictionaries(strings, hostile_values)),
        "operationName": json_values,
        "extensions": json_values,
    },
)
malformed_requests = st.one_of(
    st.binary().map(lambda body: _raw("random bytes", body)),
    st.text(st.characters() | surrogates).map(
        lambda text: _raw("random text", text.encode(errors="surrogatepass"))
    ),
    envelopes.map(lambda envelope: _raw("wrong JSON types", json_body(envelope))),
    json_values.map(lambda value: _raw("JSON value, not an object", json_body(value))),
    st.lists(envelopes, max_size=3).map(lambda batch: _raw("batch", json_body(batch))),
)
