"""The README's walk-through, step by step, against a real `lac serve` over HTTP.

The steps are read from README.md itself, so the documentation cannot drift from the
product: each block's `# as:` line says whose token it is sent with.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from tests.server import LacDb, running_server
from tests.support import REPO_ROOT

LOG_OF_THE_WALKTHROUGH = """
{ adminActionLog(filter: {actionGroups: [LOGIN_AS_CUSTOMER]}, sort: TIME_ASC) {
    edges { node { action result username ipAddress loginAsCustomerSessionId details
                   customer { id email name } } } } }
"""
WHOLE_LOG = "{ adminActionLog(first: 200) { edges { node { action details username fullActionName userAgent } } } }"
STEP = re.compile(r"```graphql\n# as: (?P<caller>[^\n]+)\n(?P<query>.*?)```", re.DOTALL)


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


def test_readme_walkthrough_against_a_real_server(lac_db: LacDb) -> None:
    steps = walkthrough_steps()
    assert len(steps) == 12
    tokens: dict[str, str | None] = {"nobody": None}
    results: list[dict[str, Any]] = []
    with running_server(lac_db) as client:
        for caller, query in steps:
            if "PASTE-THE-SECRET" in query:
                query = query.replace("PASTE-THE-SECRET", results[-1]["loginAsCustomer"]["secret"])
            data = send(client, query, tokens[caller])
            results.append(data)
            if "adminLogin" in data:
                tokens["support"] = data["adminLogin"]["token"]
            if "exchangeLoginAsCustomerSecret" in data:
                tokens["jane (impersonation)"] = data["exchangeLoginAsCustomerSecret"]["token"]
            if "customerLogin" in data:
                tokens["jane"] = data["customerLogin"]["token"]
        admin = send(
            client,
            'mutation { adminLogin(username: "admin", password: "Admin123!") { token } }',
            None,
        )["adminLogin"]["token"]
        log = send(client, LOG_OF_THE_WALKTHROUGH, admin)["adminActionLog"]["edges"]
        everything = send(client, WHOLE_LOG, admin)["adminActionLog"]["edges"]
        banner_response = client.post(
            "/graphql",
            json={"query": "{ customerSession { isLoginAsCustomer } }"},
            headers={"Authorization": f"Bearer {tokens['jane (impersonation)']}"},
        )

    login, find, start, exchange, session, cart, order, end, check, _, history, ended = results
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
    assert order["placeOrder"]["incrementId"] == "000000005"
    assert order["placeOrder"]["grandTotal"] == {"value": 52.0}
    assert order["placeOrder"]["comments"] == [{"text": "Order Placed by Store Administrator"}]
    assert end == {"endLoginAsCustomer": True}
    [placed] = [edge["node"] for edge in check["orders"]["edges"]]
    assert placed["customer"] == {"email": "jane.doe@example.com"}
    assert placed["placedByAdmin"] == {"username": "support"}
    assert {
        "text": "Order Placed by Sam Support using Login as Customer",
        "isVisibleToCustomer": False,
    } in placed["comments"]
    # Jane sees who acted and what they did; nothing is left to end
    assert history["myAssistanceSessions"]["edges"] == [
        {
            "node": {
                "staffName": "Sam S.",
                "reason": "Ticket 1234: cart will not check out",
                "endCause": "LOGOUT",
                "isLive": False,
                "actions": [
                    {"action": "cart.add", "summary": "Added 1 x MH01 to the cart"},
                    {"action": "order.place", "summary": "Placed order 000000005"},
                ],
            }
        }
    ]
    assert ended == {"endMyAssistanceSessions": 0}
    # after the end, the impersonation token is dead
    assert banner_response.json()["data"]["customerSession"] == {"isLoginAsCustomer": False}

    # the action log tells the story, in order, each entry tied to support, Jane and the session
    session_id = start["loginAsCustomer"]["session"]["id"]
    nodes = [edge["node"] for edge in log]
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
        assert node["loginAsCustomerSessionId"] == session_id
        assert node["ipAddress"] == "127.0.0.1"
        assert node["result"] == "SUCCESS"
    assert nodes[2]["details"] == {"sku": "MH01", "quantity": 1}
    assert nodes[3]["details"] == {"incrementId": "000000005"}
    assert nodes[4]["details"] == {"cause": "LOGOUT"}
    # and holds no secret, token or password used on the way
    secrets_used = [
        start["loginAsCustomer"]["secret"],
        *(token for token in tokens.values() if token),
        admin,
        "Support123!",
        "Admin123!",
    ]
    stored = json.dumps(everything)
    assert len(everything) == 7  # two sign-ins and the five above
    for secret in secrets_used:
        assert secret not in stored
