"""The admin read API for customers and sales documents: filters, pagination, links and the
nested-field guard (DESIGN.md sections 5 and 13)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import pytest
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.models import OrderComment, Role, RoleResource, SalesOrder
from lac.db.seed import SEED_TIME
from tests.support import Api

CUSTOMERS = "query C($f: CustomerFilter, $first: Int, $after: String) { customers(filter: $f, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { email } } } }"


async def customer_emails(api: Api, token: str, filter_: Mapping[str, object]) -> list[str]:
    data = await api.data(CUSTOMERS, {"f": filter_}, token=token)
    return [edge["node"]["email"] for edge in data["customers"]["edges"]]


async def test_customer_filters(api: Api) -> None:
    token = await api.admin_token("support", "Support123!")
    assert await customer_emails(api, token, {}) == [
        "jane.doe@example.com",
        "john.smith@example.com",
        "marie.curie@example.com",
        "inactive@example.com",
    ]
    assert await customer_emails(api, token, {"email": "JANE.DOE@example.com"}) == [
        "jane.doe@example.com"
    ]
    assert await customer_emails(api, token, {"email": "jane"}) == []
    assert await customer_emails(api, token, {"name": "e cu"}) == ["marie.curie@example.com"]
    assert await customer_emails(api, token, {"name": "%"}) == []
    assert await customer_emails(api, token, {"websiteCode": "outlet"}) == [
        "marie.curie@example.com"
    ]
    assert await customer_emails(api, token, {"allowRemoteShoppingAssistance": False}) == [
        "john.smith@example.com"
    ]
    assert await customer_emails(api, token, {"isActive": False}) == ["inactive@example.com"]
    assert await customer_emails(
        api, token, {"websiteCode": "base", "allowRemoteShoppingAssistance": True, "isActive": True}
    ) == ["jane.doe@example.com"]


async def test_walking_pages_returns_every_customer_once(api: Api) -> None:
    token = await api.admin_token("support", "Support123!")
    seen: list[str] = []
    after = None
    while True:
        page = (await api.data(CUSTOMERS, {"first": 3, "after": after}, token=token))["customers"]
        assert page["totalCount"] == 4
        seen += [edge["node"]["email"] for edge in page["edges"]]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 4


@pytest.mark.parametrize(
    ("first", "after"), [(201, None), (-1, None), (5, "bm90LWEtY3Vyc29y"), (5, "%%%")]
)
async def test_bad_page_arguments(api: Api, first: int, after: str | None) -> None:
    token = await api.admin_token("support", "Support123!")
    assert (
        await api.error_code(CUSTOMERS, {"first": first, "after": after}, token=token)
        == "BAD_USER_INPUT"
    )


async def test_page_of_two_hundred_is_allowed(api: Api) -> None:
    token = await api.admin_token("support", "Support123!")
    data = await api.data(CUSTOMERS, {"first": 200}, token=token)
    assert len(data["customers"]["edges"]) == 4


async def test_customer_by_id(api: Api) -> None:
    token = await api.admin_token("support", "Support123!")
    query = "query($id: ID!) { customer(id: $id) { id email name isActive website { code } createdIn { code } allowRemoteShoppingAssistance createdAt orders { totalCount edges { node { incrementId } } } } }"
    customers = await api.data("{ customers(first: 1) { edges { node { id } } } }", token=token)
    jane = (
        await api.data(query, {"id": customers["customers"]["edges"][0]["node"]["id"]}, token=token)
    )["customer"]
    assert jane["email"] == "jane.doe@example.com"
    assert jane["createdAt"] == "2026-01-05T09:00:00.000000Z"
    assert jane["orders"] == {"totalCount": 1, "edges": [{"node": {"incrementId": "000000001"}}]}
    body = await api.call(query, {"id": "99999"}, token=token)
    assert body["data"] == {"customer": None}
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["errors"][0]["message"] == "Customer with this ID no longer exists."
    assert await api.error_code(query, {"id": "abc"}, token=token) == "BAD_USER_INPUT"


DOCUMENTS = """
query D($f: SalesDocumentFilter) {
  orders(filter: $f) { edges { node { incrementId } } }
  invoices(filter: $f) { edges { node { incrementId } } }
  shipments(filter: $f) { edges { node { incrementId } } }
  creditMemos(filter: $f) { edges { node { incrementId } } }
}
"""


async def increment_ids(
    api: Api, token: str, filter_: Mapping[str, object]
) -> dict[str, list[str]]:
    data = await api.data(DOCUMENTS, {"f": filter_}, token=token)
    return {kind: [e["node"]["incrementId"] for e in conn["edges"]] for kind, conn in data.items()}


async def test_sales_document_filters(api: Api) -> None:
    token = await api.admin_token("support", "Support123!")
    assert await increment_ids(api, token, {}) == {
        "orders": ["000000001", "000000002", "000000003", "000000004"],
        "invoices": ["000000001", "000000002", "000000003"],
        "shipments": ["000000001"],
        "creditMemos": ["000000001"],
    }
    jane = (
        await api.data(
            '{ customers(filter: {email: "jane.doe@example.com"}) { edges { node { id } } } }',
            token=token,
        )
    )["customers"]["edges"][0]["node"]["id"]
    assert await increment_ids(api, token, {"customerId": jane}) == {
        k: ["000000001"] for k in ("orders", "invoices", "shipments", "creditMemos")
    }
    assert (await increment_ids(api, token, {"storeViewCode": "french"}))["invoices"] == [
        "000000002"
    ]
    assert (await increment_ids(api, token, {"incrementId": "000000003"}))["orders"] == [
        "000000003"
    ]
    day = SEED_TIME.replace(day=12)
    window = {
        "createdFrom": day.isoformat(),
        "createdTo": (day + timedelta(days=2, hours=1)).isoformat(),
    }
    assert (await increment_ids(api, token, window))["orders"] == ["000000002", "000000003"]
    assert (
        await api.error_code(DOCUMENTS, {"f": {"createdFrom": "yesterday"}}, token=token)
        == "BAD_USER_INPUT"
    )


async def test_documents_link_to_order_customer_and_store_view(api: Api) -> None:
    token = await api.admin_token("support", "Support123!")
    query = """{
      invoices { edges { node { incrementId grandTotal { value currency } order { incrementId } customer { email } storeView { code website { code } } } } }
      shipments { edges { node { totalQuantity order { incrementId } customer { email } storeView { code } } } }
      creditMemos { edges { node { grandTotal { value } order { grandTotal { value } } } } }
    }"""
    data = await api.data(query, token=token)
    invoices = [e["node"] for e in data["invoices"]["edges"]]
    assert invoices[0] == {
        "incrementId": "000000001",
        "grandTotal": {"value": 74.0, "currency": "USD"},
        "order": {"incrementId": "000000001"},
        "customer": {"email": "jane.doe@example.com"},
        "storeView": {"code": "default", "website": {"code": "base"}},
    }
    assert invoices[2]["customer"] is None  # guest order
    assert data["shipments"]["edges"][0]["node"]["totalQuantity"] == 2
    assert data["creditMemos"]["edges"][0]["node"] == {
        "grandTotal": {"value": 22.0},
        "order": {"grandTotal": {"value": 74.0}},
    }


async def test_single_documents_and_not_found(api: Api) -> None:
    token = await api.admin_token("admin", "Admin123!")
    for field in ("order", "invoice", "shipment", "creditMemo"):
        data = await api.data(f'{{ {field}(id: "1") {{ id incrementId }} }}', token=token)
        assert data[field] == {"id": "1", "incrementId": "000000001"}
        body = await api.call(f'{{ {field}(id: "4242") {{ id }} }}', token=token)
        assert body["data"] == {field: None}
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_nested_links_need_the_target_resource(api: Api, db_session: AsyncSession) -> None:
    viewer = await api.admin_token("viewer", "Viewer123!")
    body = await api.call(
        '{ order(id: "1") { incrementId invoices { incrementId } shipments { incrementId } creditMemos { incrementId } customer { email } } }',
        token=viewer,
    )
    assert body["data"]["order"] == {
        "incrementId": "000000001",
        "invoices": None,
        "shipments": None,
        "creditMemos": None,
        "customer": {"email": "jane.doe@example.com"},
    }
    assert sorted((e["path"][-1], e["extensions"]["code"]) for e in body["errors"]) == [
        ("creditMemos", "FORBIDDEN"),
        ("invoices", "FORBIDDEN"),
        ("shipments", "FORBIDDEN"),
    ]
    # a role with invoices but neither orders nor customers cannot reach them through an invoice
    role = (await db_session.exec(select(Role).where(Role.name == "Viewer"))).one()
    await db_session.exec(
        update(RoleResource)
        .where(col(RoleResource.role_id) == role.id)
        .values(resource_id="Magento_Sales::sales_invoice")
        .where(col(RoleResource.resource_id) == "Magento_Sales::sales_order")
    )
    await db_session.exec(
        update(RoleResource)
        .where(col(RoleResource.role_id) == role.id)
        .values(resource_id="Magento_Sales::shipment")
        .where(col(RoleResource.resource_id) == "Magento_Customer::manage")
    )
    await db_session.commit()
    body = await api.call(
        '{ invoice(id: "1") { incrementId order { incrementId invoices { id } } customer { email } storeView { code } } }',
        token=viewer,
    )
    assert body["data"]["invoice"] == {
        "incrementId": "000000001",
        "order": None,
        "customer": None,
        "storeView": {"code": "default"},
    }
    assert sorted(e["path"][-1] for e in body["errors"]) == ["customer", "order"]
    assert await api.error_code("{ customers { totalCount } }", token=viewer) == "FORBIDDEN"


async def test_customers_see_their_own_orders_as_customers_do(
    api: Api, db_session: AsyncSession
) -> None:
    order = (
        await db_session.exec(select(SalesOrder).where(SalesOrder.increment_id == "000000001"))
    ).one()
    order.placed_by_admin_id, order.placed_by_admin_username = 2, "support"
    order.placed_by_admin_firstname, order.placed_by_admin_lastname = "Sam", "Support"
    db_session.add(
        OrderComment(
            order_id=order.id or 0,
            text="Order Placed by Sam Support using Login as Customer",
            is_visible_to_customer=False,
            created_at=SEED_TIME,
        )
    )
    await db_session.commit()
    query = "{ %s { orders { edges { node { incrementId placedByAdmin { username } comments { text } invoices { id } } } } } }"
    customer = await api.customer_token("jane.doe@example.com", "Customer123!")
    body = await api.call(query % "me", token=customer)
    node = body["data"]["me"]["orders"]["edges"][0]["node"]
    assert node == {
        "incrementId": "000000001",
        "placedByAdmin": None,
        "comments": [{"text": "Order placed on the storefront."}],
        "invoices": None,
    }
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    admin = await api.admin_token("support", "Support123!")
    order_query = f'{{ order(id: "{order.id}") {{ placedByAdmin {{ username firstname }} comments {{ text isVisibleToCustomer }} }} }}'
    seen = (await api.data(order_query, token=admin))["order"]
    assert seen["placedByAdmin"] == {"username": "support", "firstname": "Sam"}
    assert len(seen["comments"]) == 2
    assert await api.error_code("{ orders { totalCount } }", token=customer) == "FORBIDDEN"
