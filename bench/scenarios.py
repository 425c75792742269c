"""What the benchmark sends: the tokens it signs in for, and each scenario's request (with the
check that its answer is what the scenario means to measure)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.load import Step, post_step
from bench.processes import GRAPHQL_PATH
from bench.record import Request, post

Data = dict[str, Any]

SUPPORT = ("support", "Support123!")
AUDITOR = ("auditor", "Auditor123!")
CUSTOMER_ID = "1"

TYPENAME = "{ __typename }"
BANNER = "{ customerSession { isLoginAsCustomer pageCacheDisabled banner { text } } }"
ORDERS = (
    "{ orders(first: 50) { edges { node { incrementId grandTotal { value currency }"
    " customer { email } storeView { code } canLoginAsCustomer } } } }"
)
LOG_PAGE = (
    "{ adminActionLog(filter: {actionGroups: [LOGIN_AS_CUSTOMER]}, first: 50) {%s"
    " edges { cursor node { id time action result username admin { username }"
    " customer { email } ipAddress } } pageInfo { hasNextPage endCursor } } }"
)
FULL_ENTRY = (
    "ipAddress actionGroup userAgent fullActionName loginAsCustomerSessionId details hash"
    " admin { id firstname lastname } customer { id name }"
)
ADMIN_LOGIN = (
    "mutation($u: String!, $p: String!) { adminLogin(username: $u, password: $p) { token } }"
)
START = (
    'mutation($id: ID!) { loginAsCustomer(input: {customerId: $id, reason: "bench"}) { secret } }'
)
EXCHANGE = "mutation($s: String!) { exchangeLoginAsCustomerSecret(secret: $s) { token } }"


def graphql(
    client: httpx.Client, query: str, variables: Data | None = None, token: str | None = None
) -> Data:
    """A call that must succeed; its data."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    response = client.post(
        GRAPHQL_PATH, json={"query": query, "variables": variables or {}}, headers=headers
    )
    body: Data = response.json()
    if response.status_code != 200 or "errors" in body:
        raise RuntimeError(f"GraphQL call failed ({response.status_code}): {body}")
    data: Data = body["data"]
    return data


@dataclass(frozen=True)
class Tokens:
    support: str
    auditor: str
    impersonation: str
    clerks: tuple[str, ...]  # admins like support, one per client that starts sessions


def sign_in(url: str, clerks: int) -> Tokens:
    """Over HTTP: the support admin, the auditor, an impersonation of customer 1, and the
    `clerks` copies of support."""
    with httpx.Client(base_url=url, timeout=30.0, trust_env=False) as client:

        def admin(user: tuple[str, str]) -> str:
            data = graphql(client, ADMIN_LOGIN, {"u": user[0], "p": user[1]})
            return str(data["adminLogin"]["token"])

        support = admin(SUPPORT)
        secret = graphql(client, START, {"id": CUSTOMER_ID}, support)["loginAsCustomer"]["secret"]
        token = graphql(client, EXCHANGE, {"s": secret})["exchangeLoginAsCustomerSecret"]["token"]
        return Tokens(
            support=support,
            auditor=admin(AUDITOR),
            impersonation=str(token),
            clerks=tuple(admin((f"clerk{n}", SUPPORT[1])) for n in range(1, clerks + 1)),
        )


@dataclass(frozen=True)
class Scenario:
    """One measured path: a fixed POST (with a floor replaying its SQL) or a custom step."""

    key: str
    label: str
    query: str = ""
    token: str | None = None
    concurrency: int | None = None  # None: the run's default
    warmup: int | None = None  # None: the run's default
    cap: float | None = None  # None: the run's default
    goal: str = "-"
    custom: Callable[[], Step] | None = field(default=None)
    recorded: Request | None = None  # how `bench.record` sends a custom step

    @property
    def body(self) -> bytes:
        return json.dumps({"query": self.query}).encode()

    @property
    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    @property
    def has_floor(self) -> bool:
        return self.custom is None

    def lac_step(self) -> Step:
        return self.custom() if self.custom is not None else post_step(self.body, self.headers)

    def floor_step(self) -> Step:
        path = GRAPHQL_PATH if self.query == TYPENAME else f"/floor/{self.key}"
        return post_step(self.body, self.headers, path)

    def request(self) -> Request:
        return self.recorded or post(self.body, self.headers)


def read_scenarios(tokens: Tokens, *, log: bool) -> list[Scenario]:
    """The read paths; the log pages only where the log is seeded (PostgreSQL)."""
    plans = [
        Scenario("typename", "{ __typename }", TYPENAME),
        Scenario(
            "banner",
            "banner customerSession, impersonation",
            BANNER,
            tokens.impersonation,
            goal="ratio >= 0.5",
        ),
        Scenario(
            "orders",
            "orders(first: 50), support admin",
            ORDERS,
            tokens.support,
            goal="ratio >= 0.25",
        ),
    ]
    if log:
        plans += [
            Scenario(
                "log",
                "adminActionLog group page of 50",
                LOG_PAGE % "",
                tokens.auditor,
                goal="ratio >= 0.5",
            ),
            Scenario(
                "log_full",
                "same, every entry field (details, hash, ...)",
                LOG_PAGE.replace("ipAddress", FULL_ENTRY) % "",
                tokens.auditor,
            ),
            Scenario(
                "log_total",
                "same + totalCount, 1 client",
                LOG_PAGE % " totalCount",
                tokens.auditor,
                concurrency=1,
                goal="p95 <= 50 ms",
            ),
        ]
    return plans


def exchange_scenario(tokens: Tokens) -> Scenario:
    """loginAsCustomer (by the client's own clerk: an admin has one live session at a time,
    a new one replaces it) + the exchange of its secret, per step, each exchange from its own
    shopper address behind the trusted proxy (no per-address rate limit)."""
    clerk_of: dict[int, str] = {}

    async def pair(client: httpx.AsyncClient, n: int) -> httpx.Response | None:
        """Start, then exchange from shopper address n; None when the start failed."""
        if id(client) not in clerk_of:
            clerk_of[id(client)] = tokens.clerks[len(clerk_of) % len(tokens.clerks)]
        admin = {"Authorization": f"Bearer {clerk_of[id(client)]}"}
        shopper = {"X-Forwarded-For": f"10.{n // 62500 % 250}.{n // 250 % 250}.{n % 250 + 1}"}
        started = await client.post(
            GRAPHQL_PATH, json={"query": START, "variables": {"id": CUSTOMER_ID}}, headers=admin
        )
        secret = (started.json().get("data") or {}).get("loginAsCustomer", {}).get("secret")
        if secret is None:
            return None
        return await client.post(
            GRAPHQL_PATH, json={"query": EXCHANGE, "variables": {"s": secret}}, headers=shopper
        )

    async def run(client: httpx.AsyncClient, n: int) -> bool:
        exchanged = await pair(client, n)
        data = (exchanged.json().get("data") if exchanged is not None else None) or {}
        return bool(data.get("exchangeLoginAsCustomerSecret", {}).get("token"))

    async def recorded(client: httpx.AsyncClient) -> httpx.Response | None:
        return await pair(client, 0)

    return Scenario(
        "exchange",
        "loginAsCustomer + exchange (2 requests)",
        token=tokens.support,
        concurrency=8,  # each pair waits on two serialized log appends: a few per second
        warmup=8,
        cap=40.0,
        goal="throughput, p95",
        custom=lambda: run,
        recorded=recorded,
    )
