"""200 concurrent exchanges of one Login-as-Customer secret against a real `lac serve` of two
worker processes (PostgreSQL with LAC_TEST_DATABASE_URL, else SQLite): exactly one token.

The exchanges come from 200 shoppers behind a trusted proxy (as a storefront backend does,
DESIGN.md section 13), so the per-address rate limit is not what stops them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tests.databases import fresh_database
from tests.server import graphql, lac_serve, make_lac_db

EXCHANGES = 200
START = 'mutation { loginAsCustomer(input: {customerId: "1", reason: "race"}) { secret } }'
EXCHANGE = "mutation($s: String!) { exchangeLoginAsCustomerSecret(secret: $s) { token } }"
ADMIN_LOGIN = 'mutation { adminLogin(username: "support", password: "Support123!") { token } }'


async def exchange_all(base_url: str, secret: str) -> list[dict[str, object]]:
    limits = httpx.Limits(max_connections=EXCHANGES)
    async with httpx.AsyncClient(base_url=base_url, timeout=60.0, limits=limits) as client:
        responses = await asyncio.gather(
            *[
                client.post(
                    "/graphql",
                    json={"query": EXCHANGE, "variables": {"s": secret}},
                    headers={"X-Forwarded-For": f"10.0.{n // 250}.{n % 250 + 1}"},
                )
                for n in range(EXCHANGES)
            ]
        )
    return [response.json() for response in responses]


def test_concurrent_exchanges_of_one_secret_give_one_token_across_two_workers(
    tmp_path: Path,
) -> None:
    with fresh_database(tmp_path) as url:
        db = make_lac_db(tmp_path, url)
        env = {**db.env, "LAC_TRUSTED_PROXIES": "127.0.0.1"}
        with (
            lac_serve(env, db.workdir, workers=2) as server,
            httpx.Client(base_url=server.base_url, timeout=10.0) as client,
        ):
            admin = graphql(client, ADMIN_LOGIN)["adminLogin"]["token"]
            secret = graphql(client, START, token=admin)["loginAsCustomer"]["secret"]
            bodies = asyncio.run(exchange_all(server.base_url, secret))
            tokens = [
                body["data"]["exchangeLoginAsCustomerSecret"]["token"]  # type: ignore[index]
                for body in bodies
                if body.get("data")
            ]
            codes = [body["errors"][0]["extensions"]["code"] for body in bodies if "errors" in body]  # type: ignore[index]
            assert len(tokens) == 1
            assert codes == ["SECRET_INVALID_OR_EXPIRED"] * (EXCHANGES - 1)
            me = graphql(client, "{ me { email } }", token=str(tokens[0]))
            assert me["me"]["email"] == "jane.doe@example.com"
