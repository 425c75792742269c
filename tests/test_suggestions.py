"""Production answers never suggest names ("Did you mean ...?"): not for fields, arguments,
types, enum values or input fields, whether in the document or in variables."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from lac.core.clock import ManualClock
from lac.core.settings import Settings
from lac.schema.app import create_app
from tests.support import Api, make_api

TYPOS: dict[str, tuple[str, dict[str, Any]]] = {
    "field": ("{ adminMee { id } }", {}),
    "argument": ("{ customers(firstt: 1) { totalCount } }", {}),
    "directive argument": ("{ __typename @include(iff: true) }", {}),
    "variable type": ("query($f: CustomerFiltr) { customers(filter: $f) { totalCount } }", {}),
    "fragment type": ("{ ... on Quer { __typename } }", {}),
    "enum value": ("{ adminActionLog(sort: TIME_DES) { totalCount } }", {}),
    "enum value in a variable": (
        "query($s: AdminActionLogSort) { adminActionLog(sort: $s) { totalCount } }",
        {"s": "TIME_DES"},
    ),
    "input field": ('{ customers(filter: {emial: "x"}) { totalCount } }', {}),
    "input field in a variable": (
        "query($f: CustomerFilter) { customers(filter: $f) { totalCount } }",
        {"f": {"emial": "x"}},
    ),
}


@pytest.fixture(params=["development", "production"])
async def env_api(
    request: pytest.FixtureRequest, engine: AsyncEngine, clock: ManualClock, migrated_url: str
) -> AsyncIterator[tuple[str, Api]]:
    settings = Settings(database_url=migrated_url, env=request.param)
    app = create_app(settings, clock, engine=engine)
    async with app.router.lifespan_context(app), make_api(app) as http:
        yield request.param, Api(http)


@pytest.mark.parametrize("kind", TYPOS)
async def test_names_are_suggested_only_in_development(env_api: tuple[str, Api], kind: str) -> None:
    env, api = env_api
    query, variables = TYPOS[kind]
    body = await api.call(query, variables)
    assert body["data"] is None
    assert {error["extensions"]["code"] for error in body["errors"]} == {"BAD_USER_INPUT"}
    suggests = ["Did you mean" in error["message"] for error in body["errors"]]
    assert any(suggests) is (env == "development"), body
