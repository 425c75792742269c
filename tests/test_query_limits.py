"""Query limits (DESIGN.md section 11): depth 10, aliases 30, tokens 2000, cost 5000.

Each limit is tried just under (the mutation runs and writes its log entry) and just over
(one QUERY_TOO_COMPLEX error, nothing runs, nothing is logged), in the operation itself,
in a named fragment and in an inline fragment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import Lexer, Source, TokenKind, get_introspection_query
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.models import Customer
from lac.schema.limits import MAX_ALIASES, MAX_COST, MAX_DEPTH, MAX_TOKENS
from tests.sessions import JANE, log
from tests.support import Api

HIDINGS = ["operation", "fragment", "inline fragment"]


@dataclass(frozen=True)
class Document:
    text: str
    variables: dict[str, Any] | None = None


def consent_change(customer: Customer, body: str, hiding: str, extra: str = "") -> str:
    """A consent change (logged as consent.update) selecting `body` on the Customer it returns,
    written directly, in a named fragment or in an inline fragment."""
    selection, fragment = {
        "operation": (body, ""),
        "fragment": ("...Hidden", f"fragment Hidden on Customer {{ {body} }}"),
        "inline fragment": (f"... on Customer {{ {body} }}", ""),
    }[hiding]
    allowed = "false" if customer.allow_remote_shopping_assistance else "true"
    return (
        f'mutation Change {{ setRemoteShoppingAssistance(customerId: "{customer.id}", '
        f"allowed: {allowed}) {{ {selection} }} }} {fragment} {extra}"
    )


CHAIN = ["orders(first: 1)", "edges", "node", "customer"]
LEAF = {"orders(first: 1)": "totalCount", "edges": "cursor", "node": "id", "customer": "id"}


def nested(levels: int) -> str:
    """`levels` nested fields with selections below a Customer (orders, edges, node, ...)."""
    fields = [CHAIN[i % len(CHAIN)] for i in range(levels)]
    return "".join(f"{f} {{ " for f in fields) + LEAF[fields[-1]] + " }" * levels


def depth(customer: Customer, total: int, hiding: str) -> Document:
    # the root field is the first level, as strawberry's QueryDepthLimiter counts
    return Document(consent_change(customer, nested(total - 1), hiding))


def aliases(customer: Customer, count: int, hiding: str) -> Document:
    return Document(consent_change(customer, " ".join(f"a{i}: id" for i in range(count)), hiding))


def cost(customer: Customer, total: int, hiding: str) -> Document:
    # orders(first: 50) of orders(first: n): 50 * (1 + n)
    inner = total // 50 - 1
    body = (
        "orders(first: 50) { edges { node { customer { "
        f"orders(first: {inner}) {{ edges {{ node {{ id }} }} }}"
        " } } } }"
    )
    assert 50 * (1 + inner) == total
    return Document(consent_change(customer, body, hiding))


def token_count(text: str) -> int:
    lexer = Lexer(Source(text))
    count = 0
    while lexer.advance().kind is not TokenKind.EOF:
        count += 1
    return count


PADDING = {
    "operation": "query P{i} {{ __typename }}",
    "fragment": "query P{i} {{ ...Q{i} }} fragment Q{i} on Query {{ __typename }}",
    "inline fragment": "query P{i} {{ ... on Query {{ __typename }} }}",
}


def tokens(customer: Customer, total: int, hiding: str) -> Document:
    """The consent change padded with other operations to exactly `total` tokens."""
    unit = PADDING[hiding]
    base = token_count(consent_change(customer, "id", hiding))
    units = (total - base - 5) // token_count(unit.format(i=0))
    padding = " ".join(unit.format(i=i) for i in range(units))
    filler = total - base - token_count(padding) - 4  # query F { __typename ... }
    text = consent_change(
        customer, "id", hiding, f"{padding} query F {{ {'__typename ' * filler}}}"
    )
    assert token_count(text) == total
    return Document(text)


LIMITS: dict[str, tuple[Callable[[Customer, int, str], Document], int]] = {
    "depth": (depth, MAX_DEPTH),
    "aliases": (aliases, MAX_ALIASES),
    "tokens": (tokens, MAX_TOKENS),
    "cost": (cost, MAX_COST),
}


async def jane(db_session: AsyncSession) -> Customer:
    await db_session.rollback()
    statement = select(Customer).where(Customer.email == JANE).order_by(col(Customer.id))
    statement = statement.execution_options(populate_existing=True)
    return (await db_session.exec(statement)).first() or pytest.fail("no Jane in the seed")


async def send(api: Api, document: Document, token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    payload: dict[str, Any] = {"query": document.text, "variables": document.variables or {}}
    if document.text.startswith("mutation Change"):
        payload["operationName"] = "Change"
    response = await api.http.post("/graphql", json=payload, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_too_complex(body: dict[str, Any]) -> None:
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["QUERY_TOO_COMPLEX"]


@pytest.mark.parametrize("over", [False, True], ids=["just under", "just over"])
@pytest.mark.parametrize("hiding", HIDINGS)
@pytest.mark.parametrize("limit", LIMITS)
async def test_a_limit_refuses_just_over_it_and_runs_nothing(
    api: Api, db_session: AsyncSession, limit: str, hiding: str, over: bool
) -> None:
    build, maximum = LIMITS[limit]
    step = 50 if limit == "cost" else 1  # the cost document grows in steps of 50
    token = await api.admin_token("admin", "Admin123!")
    customer = await jane(db_session)
    consent = customer.allow_remote_shopping_assistance
    body = await send(api, build(customer, maximum + (step if over else 0), hiding), token)
    if over:
        assert_too_complex(body)
    else:
        assert "errors" not in body, body
        assert body["data"]["setRemoteShoppingAssistance"]
    assert len(await log(db_session, "consent.update")) == (0 if over else 1)
    assert (await jane(db_session)).allow_remote_shopping_assistance is (
        consent if over else not consent
    )


COST_BY_VARIABLES = (
    "query Pages($customers: Int, $orders: Int = 100) { customers(first: $customers) "
    "{ edges { node { orders(first: $orders) { edges { node { id } } } } } } }"
)


@pytest.mark.parametrize(
    ("variables", "too_complex"),
    [
        ({"customers": 50, "orders": 99}, False),  # 50 * (1 + 99) = 5000
        ({"customers": 50, "orders": 100}, True),  # 5050
        ({"customers": 50}, True),  # the variable's default: 100
        ({"customers": 50, "orders": None}, False),  # null is the page default, 20
        ({"orders": 200}, False),  # an absent `first` is 20: 20 * 201 = 4020
    ],
)
async def test_cost_uses_the_values_of_variables(
    api: Api, variables: dict[str, Any], too_complex: bool
) -> None:
    token = await api.admin_token("admin", "Admin123!")
    body = await send(api, Document(COST_BY_VARIABLES, variables), token)
    if too_complex:
        assert_too_complex(body)
    else:
        assert "errors" not in body, body


async def test_a_page_over_the_maximum_size_is_bad_input_not_cost(api: Api) -> None:
    token = await api.admin_token("admin", "Admin123!")
    body = await send(api, Document("{ customers(first: 1000000) { totalCount } }"), token)
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]


async def test_a_fragment_cycle_is_a_validation_error(api: Api, db_session: AsyncSession) -> None:
    token = await api.admin_token("admin", "Admin123!")
    customer = await jane(db_session)
    text = consent_change(
        customer,
        "...A",
        "operation",
        "fragment A on Customer { id ...B } fragment B on Customer { email ...A }",
    )
    body = await send(api, Document(text), token)
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]
    assert "within itself" in body["errors"][0]["message"]
    assert await log(db_session, "consent.update") == []


async def test_an_unknown_fragment_is_a_validation_error(api: Api) -> None:
    body = await send(api, Document("{ ...Missing }"))
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]


def exponential_fragments(levels: int) -> str:
    """Each fragment spreads the next twice: 2**levels selections once expanded."""
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"{{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(
            "{ customers(first: 1) { edges { node { " + nested(46) + " } } } }", id="depth 50"
        ),
        pytest.param("{" + " products { name }" * 600 + " }", id="600 repeated lists"),
        pytest.param("{" + " products { name }" * 400 + " }", id="400 repeated lists"),
        pytest.param(
            "{" + " storefrontLoginAsCustomerConfig { __typename }" * 300 + " }",
            id="300 repeated objects",
        ),
        pytest.param(exponential_fragments(40), id="fragments spread 2**40 times"),
        pytest.param(
            " ".join(f"query P{i} {{ ...F }}" for i in range(200))
            + " fragment F on Query {"
            + " __typename" * 100
            + " }",
            id="one fragment in 200 operations",
        ),
        pytest.param("{" + " ... on Query {" * 150 + " __typename" + " }" * 150 + " }", id="nest"),
    ],
)
async def test_pathological_queries_are_refused_without_a_token(api: Api, query: str) -> None:
    assert_too_complex(await send(api, Document(query)))


async def test_introspection_for_graphiql_stays_within_the_limits(api: Api) -> None:
    body = await send(api, Document(get_introspection_query(descriptions=True)))
    assert "errors" not in body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"
