"""What GraphQL execution alone costs for a scenario's answer: graphql-core executing the
scenario's document against lac's schema with no resolvers of lac (each field read from
the recorded answer by graphql-core's default resolver), then encoded with orjson.

No GraphQL server in Python can answer the document for less than this plus the floor
(its SQL, its HTTP), so `floor / (floor + this)` is the highest ratio a scenario can
reach with graphql-core; the table prints that bound beside the measured ratio.
"""

from __future__ import annotations

import gc
import time
from functools import cache
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    GraphQLInterfaceType,
    GraphQLSchema,
    GraphQLUnionType,
    build_ast_schema,
    execute,
    parse,
    print_schema,
)

from lac.schema.build import build_schema

ROUNDS = 5
REPEATS = 100


@cache
def _schema_without_resolvers() -> GraphQLSchema:
    """lac's schema rebuilt from its SDL: the same types, graphql-core's default resolvers.
    An interface or union resolves to its first possible type (the answer carries no
    `__typename` unless asked)."""
    schema = build_ast_schema(parse(print_schema(build_schema()._schema)))
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
            first = schema.get_possible_types(type_)[0].name
            type_.resolve_type = lambda _value, _info, _type, name=first: name
    return schema


def graphql_alone_ms(query: str, data: dict[str, Any]) -> float:
    """CPU milliseconds per request to execute `query` over the answer `data` and encode it."""
    schema = _schema_without_resolvers()
    document = parse(query)
    answer = execute(schema, document, root_value=data)
    if answer.errors or answer.data != data:  # type: ignore[union-attr]
        raise RuntimeError(f"graphql-core alone does not reproduce the answer: {answer}")
    gc.collect()  # no collection of the schema's objects inside a round
    return min(_round(schema, document, data) for _ in range(ROUNDS))


def _round(schema: GraphQLSchema, document: DocumentNode, data: dict[str, Any]) -> float:
    """CPU ms per request over REPEATS requests (the best round is reported, as timeit
    does: the others were slowed by something else)."""
    started = time.process_time()
    for _ in range(REPEATS):
        result = execute(schema, document, root_value=data)
        orjson.dumps({"data": result.data})  # type: ignore[union-attr]
    return (time.process_time() - started) / REPEATS * 1000
