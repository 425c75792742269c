"""Role x field matrix: every root field, called by every demo admin, a customer and nobody,
answers allowed / FORBIDDEN / UNAUTHENTICATED exactly as DESIGN.md sections 4, 5 and 13 say
(the matrix itself is tests/access_matrix.py)."""

from __future__ import annotations

import pytest
from strawberry.types.base import StrawberryObjectDefinition

from lac.schema.build import schema
from tests.access_matrix import CALLERS, FIELDS, caller_token, outcome, own_logout_last
from tests.support import Api


def test_the_matrix_covers_every_root_field() -> None:
    names = set()
    for root in ("Query", "Mutation"):
        definition = schema.get_type_by_name(root)
        assert isinstance(definition, StrawberryObjectDefinition)
        names |= {schema.config.name_converter.get_graphql_name(f) for f in definition.fields}
    assert names == set(FIELDS)


@pytest.mark.parametrize("caller", CALLERS)
async def test_every_root_field_for(api: Api, caller: str) -> None:
    token = await caller_token(api, caller)
    mismatches = []
    for name, (query, guard, *business_error) in own_logout_last(caller):
        got = await outcome(api, query, token, business_error[0] if business_error else None)
        if got != guard.expected(caller):
            mismatches.append((name, got, guard.expected(caller)))
    assert mismatches == []
