"""Helpers shared by the HTTP-rule tests: raw requests, JSON error answers, "nothing changed"."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from tests.support import ADMIN_LOGIN, Api

JSON = {"Content-Type": "application/json"}
TYPENAME = {"query": "{ __typename }"}
WRONG_PASSWORD = {"username": "support", "password": "not-the-password-1"}
SECURITY_HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}


async def everything(engine: AsyncEngine) -> dict[str, list[Any]]:
    """Every row of every table: what a request that changes nothing leaves as it was."""
    async with engine.connect() as connection:
        return {
            table.name: sorted(map(repr, (await connection.execute(select(table))).all()))
            for table in SQLModel.metadata.sorted_tables
        }


def json_error(response: httpx.Response, status: int, code: str) -> str:
    """The message of a JSON GraphQL error answer with this status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["data"] is None
    assert len(body["errors"]) == 1, body
    assert body["errors"][0]["extensions"] == {"code": code}
    assert "Traceback" not in response.text
    message: str = body["errors"][0]["message"]
    return message


def login_body(**overrides: Any) -> dict[str, Any]:
    return {"query": ADMIN_LOGIN, "variables": {**WRONG_PASSWORD, **overrides}}


async def post_bytes(
    api: Api, body: bytes, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await api.http.post(
        "/graphql", content=body, headers=JSON if headers is None else headers
    )


def padded(size: int) -> bytes:
    """A valid request of exactly `size` bytes (an unused variable pads it)."""
    empty = json.dumps({"query": "{ __typename }", "variables": {"pad": ""}}).encode()
    return json.dumps(
        {"query": "{ __typename }", "variables": {"pad": "x" * (size - len(empty))}}
    ).encode()
