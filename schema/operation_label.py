"""The name a request's GraphQL operation goes by in the access log and the metrics.

A named operation goes by its name; an unnamed one by its type and first root fields
(`mutation adminLogin`), so the README's unnamed walk-through steps are told apart too.
Only GraphQL names get through (at most 64 characters each): an `operationName` a
client sent that is not one is logged as `invalid`, never echoed.
"""

from __future__ import annotations

import re

from graphql import FieldNode
from strawberry.types import ExecutionContext
from strawberry.utils.operation import get_first_operation

GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
MAX_ROOT_FIELDS = 4
INVALID = "invalid"


def operation_label(execution: ExecutionContext) -> str:
    """The operation's name, or for an unnamed one its type and (up to 4) root fields."""
    name = execution.operation_name
    if name is not None:
        return name if GRAPHQL_NAME.fullmatch(name) else INVALID
    document = execution.graphql_document
    operation = get_first_operation(document) if document is not None else None
    if operation is None:
        return INVALID
    fields = dict.fromkeys(
        node.name.value
        for node in operation.selection_set.selections
        if isinstance(node, FieldNode) and GRAPHQL_NAME.fullmatch(node.name.value)
    )
    return f"{operation.operation.value} {','.join(list(fields)[:MAX_ROOT_FIELDS])}".strip()
