"""Helpers shared by the tests: a GraphQL client over the real ASGI app, common operations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

TEST_START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CLIENT_IP = "203.0.113.7"
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Api:
    """A GraphQL client over the real ASGI app."""

    http: httpx.AsyncClient

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
        )

    async def call(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        response = await self.post(query, variables, token=token)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        """The data of a call that must succeed."""
        body = await self.call(query, variables, token=token)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    async def error_code(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> str:
        """The code of the one error of a call that must fail."""
        body = await self.call(query, variables, token=token)
        assert len(body.get("errors", [])) == 1, body
        code: str = body["errors"][0]["extensions"]["code"]
        return code

    async def admin_token(self, username: str, password: str) -> str:
        data = await self.data(ADMIN_LOGIN, {"username": username, "password": password})
        token: str = data["adminLogin"]["token"]
        return token

    async def customer_token(self, email: str, password: str, website_code: str = "base") -> str:
        data = await self.data(
            CUSTOMER_LOGIN, {"email": email, "password": password, "websiteCode": website_code}
        )
        token: str = data["customerLogin"]["token"]
        return token


ADMIN_LOGIN = """
mutation AdminLogin($username: String!, $password: String!) {
  adminLogin(username: $username, password: $password) {
    token expiresAt admin { id username role { name } }
  }
}
"""
CUSTOMER_LOGIN = """
mutation CustomerLogin($email: String!, $password: String!, $websiteCode: String!) {
  customerLogin(email: $email, password: $password, websiteCode: $websiteCode) {
    token expiresAt customer { id email name website { code } }
  }
}
"""


def make_api(
    app: Any, client_ip: str = CLIENT_IP, *, raise_app_exceptions: bool = True
) -> httpx.AsyncClient:
    """A client of the ASGI app; with `raise_app_exceptions=False` an exception the app lets
    escape becomes the HTTP 500 a real server would send, instead of failing the call."""
    transport = httpx.ASGITransport(
        app=app, client=(client_ip, 51000), raise_app_exceptions=raise_app_exceptions
    )
    return httpx.AsyncClient(transport=transport, base_url="http://lac.test")
