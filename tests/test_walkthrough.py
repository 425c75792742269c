"""The README's walk-through, step by step, against a real `lac serve` over HTTP.

The steps are read from README.md itself, so the documentation cannot drift from the
product: each block's `# as:` line says whose token it is sent with, and its
`PASTE-THE-...` placeholders take what an earlier step answered, as a reader would paste
it. The walk-through runs twice on one database: it must work on a used one too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.server import LacDb, running_server
from tests.support import REPO_ROOT

LOG_OF_THE_WALKTHROUGH = """
{ adminActionLog(filter: {actionGroups: [LOGIN_AS_CUSTOMER]}, sort: TIME_ASC, first: 200) {
    edges { node { action result username ipAddress loginAsCustomerSessionId details
                   customer { id email name } } } } }
"""
WHOLE_LOG = "{ adminActionLog(first: 200) { edges { node { action details username fullActionName userAgent } } } }"
ADMIN_LOGIN = 'mutation { adminLogin(username: "admin", password: "Admin123!") { token } }'
STEP = re.compile(r"```graphql\n# as: (?P<caller>[^\n]+)\n(?P<query>.*?)```", re.DOTALL)
PASSWORDS = ("Support123!", "Admin123!", "Customer123!")


def walkthrough_steps() -> list[tuple[str, str]]:
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("## Walk-through", 1)[1].split("\n## ", 1)[0]
    return [(m["caller"].strip(), m["query"].strip()) for m in STEP.finditer(section)]


def send(client: httpx.Client, query: str, token: str | None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post("/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, (query, body)
    data: dict[str, Any] = body["data"]
    return data


@dataclass
class Walk:
    """What one run of the walk-through answered, and the credentials it was handed."""

    results: list[dict[str, Any]] = field(default_factory=list)
    tokens: dict[str, str | None] = field(default_factory=lambda: {"nobody": None})

    def pasted(self, query: str) -> str:
        """`query` with what the reader pastes from earlier answers."""
        if "PASTE-THE-SECRET" in query:
            query = query.replace("PASTE-THE-SECRET", self.secret)
        if "PASTE-THE-INCREMENT-ID" in query:
            query = query.replace("PASTE-THE-INCREMENT-ID", self.increment_id)
        return query

    @property
    def secret(self) -> str:
        secret: str = self.results[2]["loginAsCustomer"]["secret"]
        return secret

    @property
    def increment_id(self) -> str:
        increment_id: str = self.results[6]["placeOrder"]["incrementId"]
        return increment_id

    def credentials(self) -> list[str]:
        """Every secret, token and password this run handled (none may be stored or logged)."""
        return [self.secret, *(token for token in self.tokens.values() if token), *PASSWORDS]


def walk(client: httpx.Client, after_step: Callable[[int], None] | None = None) -> Walk:
    """Run the README's steps in order as a reader would; `after_step(n)` after step n."""
    steps = walkthrough_steps()
    assert len(steps) == 12
    run = Walk()
    for number, (caller, query) in enumerate(steps, start=1):
        data = send(client, run.pasted(query), run.tokens[caller])
        run.results.append(data)
        if "adminLogin" in data:
            run.tokens["support"] = data["adminLogin"]["token"]
        if "exchangeLoginAsCustomerSecret" in data:
            run.tokens["jane (impersonation)"] = data["exchangeLoginAsCustomerSecret"]["token"]
        if "customerLogin" in data:
            run.tokens["jane"] = data["customerLogin"]["token"]
        if after_step is not None:
            after_step(number)
    return run


def check_answers(run: Walk, increment_id: str) -> None:
    """Each step answered what the README promises; the order placed is `increment_id`."""
    login, find, start, exchange, session, cart, order, end, check, _, history, ended = run.results
    assert login["adminLogin"]["admin"] == {"username": "support", "role": {"name": "Support"}}
    [jane] = [edge["node"] for edge in find["customers"]["edges"]]
    assert jane == {
        "id": "1",
        "name": "Jane Doe",
        "allowRemoteShoppingAssistance": True,
        "canLoginAsCustomer": True,
        "loginAsCustomerUnavailableReason": None,
    }
    assert start["loginAsCustomer"]["storeView"] == {"code": "default"}
    assert start["loginAsCustomer"]["session"]["state"] == "PENDING"
    exchanged = exchange["exchangeLoginAsCustomerSecret"]
    assert exchanged["customer"] == {"name": "Jane Doe"}
    assert exchanged["session"]["state"] == "ACTIVE"
    assert exchanged["session"]["admin"] == {"username": "support"}
    assert exchanged["session"]["id"] == start["loginAsCustomer"]["session"]["id"]
    assert session["customerSession"] == {
        "isLoginAsCustomer": True,
        "pageCacheDisabled": True,
        "banner": {"text": "You are connected as Jane Doe on Main Website"},
    }
    assert cart["addToCart"] == {"itemsCount": 1, "grandTotal": {"value": 52.0, "currency": "USD"}}
    assert order["placeOrder"]["incrementId"] == increment_id
    assert order["placeOrder"]["grandTotal"] == {"value": 52.0}
    assert order["placeOrder"]["comments"] == [{"text": "Order Placed by Store Administrator"}]
    assert end == {"endLoginAsCustomer": True}
    # step 9 finds exactly the order this run placed, on a fresh database or a used one
    [placed] = [edge["node"] for edge in check["orders"]["edges"]]
    assert placed["incrementId"] == increment_id
    assert placed["customer"] == {"email": "jane.doe@example.com"}
    assert placed["placedByAdmin"] == {"username": "support"}
    assert {
        "text": "Order Placed by Sam Support using Login as Customer",
        "isVisibleToCustomer": False,
    } in placed["comments"]
    # Jane sees who acted and what they did, newest session first; nothing is left to end
    assert history["myAssistanceSessions"]["edges"][0] == {
        "node": {
            "staffName": "Sam S.",
            "reason": "Ticket 1234: cart will not check out",
            "endCause": "LOGOUT",
            "isLive": False,
            "actions": [
                {"action": "cart.add", "summary": "Added 1 x MH01 to the cart"},
                {"action": "order.place", "summary": f"Placed order {increment_id}"},
            ],
        }
    }
    assert ended == {"endMyAssistanceSessions": 0}


def check_log(run: Walk, log: list[dict[str, Any]]) -> None:
    """The action log tells this run's story in order, each entry tied to support, Jane
    and the run's session."""
    session_id = run.results[2]["loginAsCustomer"]["session"]["id"]
    nodes = [edge["node"] for edge in log if edge["node"]["loginAsCustomerSessionId"] == session_id]
    assert [node["action"] for node in nodes] == [
        "login_as_customer.start",
        "login_as_customer.exchange",
        "cart.add",
        "order.place",
        "login_as_customer.end",
    ]
    for node in nodes:
        assert node["username"] == "support"
        assert node["customer"] == {"id": "1", "email": "jane.doe@example.com", "name": "Jane Doe"}
        assert node["ipAddress"] == "127.0.0.1"
        assert node["result"] == "SUCCESS"
    assert nodes[2]["details"] == {"sku": "MH01", "quantity": 1}
    assert nodes[3]["details"] == {"incrementId": run.increment_id}
    assert nodes[4]["details"] == {"cause": "LOGOUT"}


def test_readme_walkthrough_twice_on_one_database(live_db: LacDb) -> None:
    credentials: list[str] = []
    with running_server(live_db) as client:
        for number, increment_id in enumerate(("000000005", "000000006"), start=1):
            run = walk(client)
            check_answers(run, increment_id)
            admin = send(client, ADMIN_LOGIN, None)["adminLogin"]["token"]
            check_log(run, send(client, LOG_OF_THE_WALKTHROUGH, admin)["adminActionLog"]["edges"])
            everything = send(client, WHOLE_LOG, admin)["adminActionLog"]["edges"]
            # per run: the two admin sign-ins and the five above (customers' sign-ins are
            # not admin actions)
            assert len(everything) == 7 * number
            # after the end, the impersonation token is dead
            banner = send(
                client,
                "{ customerSession { isLoginAsCustomer } }",
                run.tokens["jane (impersonation)"],
            )
            assert banner["customerSession"] == {"isLoginAsCustomer": False}
            credentials += [*run.credentials(), admin]
    # and the log holds no secret, token or password used on the way
    stored = json.dumps(everything)
    for credential in credentials:
        assert credential not in stored
