"""The storefront over HTTP: catalog, cart and checkout with a customer's own token and with an
impersonation token, the shared cart, the order an admin places for the customer, the
action log and concurrent placements (DESIGN.md sections 3, 5, 7 "During.", 8, 13)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.db.models import (
    AdminActionLogEntry,
    CartItem,
    Customer,
    OrderComment,
    Product,
    SalesOrder,
)
from tests.sessions import start_live_session
from tests.support import Api

JANE = "jane.doe@example.com"
JOHN = "john.smith@example.com"
MARIE = "marie.curie@example.com"
PASSWORD = "Customer123!"
INTERNAL_COMMENT = "Order Placed by Sam Support using Login as Customer"
VISIBLE_COMMENT = "Order Placed by Store Administrator"
STOREFRONT_ACTIONS = ("cart.add", "cart.remove", "order.place")

PRODUCTS = "query Products { products { sku name price { value currency } isActive } }"
CART_FIELDS = """
  id storeView { code }
  items { id product { sku price { value } } quantity rowTotal { value currency } }
  itemsCount grandTotal { value currency }
"""
CART = f"query Cart {{ cart {{ {CART_FIELDS} }} }}"
ADD_TO_CART = f"""
mutation Add($sku: String!, $quantity: Int! = 1) {{
  addToCart(sku: $sku, quantity: $quantity) {{ {CART_FIELDS} }}
}}
"""
REMOVE_CART_ITEM = f"""
mutation Remove($itemId: ID!) {{ removeCartItem(itemId: $itemId) {{ {CART_FIELDS} }} }}
"""
ORDER_FIELDS = """
  id incrementId customerEmail status storeView { code }
  grandTotal { value currency }
  items { sku name quantity price { value } rowTotal { value } }
  comments { text isVisibleToCustomer }
  placedByAdmin { username firstname lastname }
"""
PLACE_ORDER = f"mutation Place {{ placeOrder {{ {ORDER_FIELDS} }} }}"
MY_ORDERS = f"query MyOrders {{ me {{ orders {{ edges {{ node {{ {ORDER_FIELDS} }} }} }} }} }}"
ADMIN_ORDER = f"query Order($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"


async def jane_token(api: Api) -> str:
    return await api.customer_token(JANE, PASSWORD)


async def add(api: Api, token: str, sku: str, quantity: int = 1) -> dict[str, Any]:
    data = await api.data(ADD_TO_CART, {"sku": sku, "quantity": quantity}, token=token)
    cart: dict[str, Any] = data["addToCart"]
    return cart


async def cart_of(api: Api, token: str) -> dict[str, Any]:
    cart: dict[str, Any] = (await api.data(CART, token=token))["cart"]
    return cart


def lines(cart: dict[str, Any]) -> list[tuple[str, int]]:
    return [(item["product"]["sku"], item["quantity"]) for item in cart["items"]]


async def log_entries(db_session: AsyncSession) -> list[AdminActionLogEntry]:
    await db_session.rollback()  # end the read snapshot to see what the API committed
    statement = (
        select(AdminActionLogEntry)
        .where(col(AdminActionLogEntry.action).in_(STOREFRONT_ACTIONS))
        .order_by(col(AdminActionLogEntry.id))
    )
    return list((await db_session.exec(statement)).all())


async def orders_in_db(db_session: AsyncSession) -> list[str]:
    await db_session.rollback()
    statement = select(SalesOrder.increment_id).order_by(col(SalesOrder.increment_id))
    return list((await db_session.exec(statement)).all())


async def set_active(db_session: AsyncSession, sku: str, active: bool) -> None:
    await db_session.exec(update(Product).where(col(Product.sku) == sku).values(is_active=active))
    await db_session.commit()


# --- catalog -----------------------------------------------------------------------------------


async def test_products_are_public_and_only_active_ones(api: Api, db_session: AsyncSession) -> None:
    data = await api.data(PRODUCTS)
    assert data["products"] == [
        {
            "sku": "MH01",
            "name": "Chaz Kangeroo Hoodie",
            "price": {"value": 52.0, "currency": "USD"},
            "isActive": True,
        },
        {
            "sku": "WS12",
            "name": "Radiant Tee",
            "price": {"value": 22.0, "currency": "USD"},
            "isActive": True,
        },
        {
            "sku": "24-MB01",
            "name": "Joust Duffle Bag",
            "price": {"value": 34.0, "currency": "USD"},
            "isActive": True,
        },
    ]
    assert await api.data(PRODUCTS, token=await jane_token(api)) == data
    await set_active(db_session, "WS12", False)
    assert [p["sku"] for p in (await api.data(PRODUCTS))["products"]] == ["MH01", "24-MB01"]


# --- cart with the customer's own token --------------------------------------------------------


async def test_cart_needs_a_customer(api: Api) -> None:
    assert await api.error_code(CART) == "UNAUTHENTICATED"
    admin = await api.admin_token("admin", "Admin123!")
    assert await api.error_code(CART, token=admin) == "FORBIDDEN"
    assert await api.error_code(ADD_TO_CART, {"sku": "MH01"}, token=admin) == "FORBIDDEN"
    assert await api.error_code(PLACE_ORDER) == "UNAUTHENTICATED"


async def test_cart_is_created_empty_once_in_the_default_store_view(api: Api) -> None:
    token = await jane_token(api)
    cart = await cart_of(api, token)
    assert cart["storeView"] == {"code": "default"}
    assert cart["items"] == []
    assert cart["itemsCount"] == 0
    assert cart["grandTotal"] == {"value": 0.0, "currency": "USD"}
    assert (await cart_of(api, token))["id"] == cart["id"]
    # a new sign-in finds the same cart
    assert (await cart_of(api, await jane_token(api)))["id"] == cart["id"]


async def test_first_cart_read_beside_sibling_fields(api: Api) -> None:
    """Root query fields run concurrently on the request's session; creating the cart must
    not disturb them (nor create two carts)."""
    token = await jane_token(api)
    query = "{ a: cart { id items { id } } products { sku } me { email } b: cart { id } }"
    data = await api.data(query, token=token)
    assert data["a"]["id"] == data["b"]["id"] == (await cart_of(api, token))["id"]
    assert data["me"] == {"email": JANE}
    assert len(data["products"]) == 3


async def test_add_add_again_and_remove(api: Api) -> None:
    token = await jane_token(api)
    cart = await add(api, token, "MH01", 2)
    assert lines(cart) == [("MH01", 2)]
    assert cart["items"][0]["rowTotal"] == {"value": 104.0, "currency": "USD"}
    cart = await add(api, token, "MH01")  # quantity defaults to 1 and adds to the line
    assert lines(cart) == [("MH01", 3)]
    cart = await add(api, token, "WS12", 2)
    assert lines(cart) == [("MH01", 3), ("WS12", 2)]
    assert cart["itemsCount"] == 5
    assert cart["grandTotal"] == {"value": 200.0, "currency": "USD"}
    hoodie = cart["items"][0]["id"]
    cart = (await api.data(REMOVE_CART_ITEM, {"itemId": hoodie}, token=token))["removeCartItem"]
    assert lines(cart) == [("WS12", 2)]
    assert cart["itemsCount"] == 2
    assert cart["grandTotal"]["value"] == 44.0
    assert lines(await cart_of(api, token)) == [("WS12", 2)]
    # the line is gone: removing it again is NOT_FOUND
    assert await api.error_code(REMOVE_CART_ITEM, {"itemId": hoodie}, token=token) == "NOT_FOUND"


@pytest.mark.parametrize(
    ("sku", "quantity", "message"),
    [
        ("NOPE-1", 1, 'Could not find a product with SKU "NOPE-1".'),
        ("WS12", 0, "The product quantity should be greater than 0."),
        ("WS12", -3, "The product quantity should be greater than 0."),
        ("WS12", 10_001, "The most you may purchase is 10000."),
    ],
)
async def test_bad_additions(api: Api, sku: str, quantity: int, message: str) -> None:
    token = await jane_token(api)
    body = await api.call(ADD_TO_CART, {"sku": sku, "quantity": quantity}, token=token)
    assert body["data"] is None
    assert [(e["extensions"]["code"], e["message"]) for e in body["errors"]] == [
        ("BAD_USER_INPUT", message)
    ]
    assert (await cart_of(api, token))["items"] == []


async def test_inactive_product_and_line_cap(api: Api, db_session: AsyncSession) -> None:
    token = await jane_token(api)
    await set_active(db_session, "24-MB01", False)
    assert await api.error_code(ADD_TO_CART, {"sku": "24-MB01"}, token=token) == "BAD_USER_INPUT"
    await add(api, token, "WS12", 9_999)
    assert await api.error_code(ADD_TO_CART, {"sku": "WS12", "quantity": 2}, token=token) == (
        "BAD_USER_INPUT"
    )
    assert lines(await add(api, token, "WS12")) == [("WS12", 10_000)]


async def test_another_customers_item_is_not_found(api: Api) -> None:
    john = await api.customer_token(JOHN, PASSWORD)
    johns_cart = await add(api, john, "24-MB01")
    assert johns_cart["storeView"] == {"code": "default"}  # the base website's default view
    jane = await jane_token(api)
    await add(api, jane, "MH01")
    johns_item = johns_cart["items"][0]["id"]
    body = await api.call(REMOVE_CART_ITEM, {"itemId": johns_item}, token=jane)
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["errors"][0]["message"] == "The cart doesn't contain the item."
    assert lines(await cart_of(api, john)) == [("24-MB01", 1)]
    assert lines(await cart_of(api, jane)) == [("MH01", 1)]
    assert await api.error_code(REMOVE_CART_ITEM, {"itemId": "4242"}, token=jane) == "NOT_FOUND"
    assert await api.error_code(REMOVE_CART_ITEM, {"itemId": "abc"}, token=jane) == "BAD_USER_INPUT"


# --- checkout with the customer's own token ----------------------------------------------------


async def test_place_order_with_own_token(api: Api, db_session: AsyncSession) -> None:
    token = await jane_token(api)
    cart_id = (await add(api, token, "MH01", 2))["id"]
    await add(api, token, "WS12")
    order = (await api.data(PLACE_ORDER, token=token))["placeOrder"]
    assert order["incrementId"] == "000000005"
    assert order["customerEmail"] == JANE
    assert order["status"] == "PENDING"
    assert order["storeView"] == {"code": "default"}
    assert order["grandTotal"] == {"value": 126.0, "currency": "USD"}
    assert order["items"] == [
        {
            "sku": "MH01",
            "name": "Chaz Kangeroo Hoodie",
            "quantity": 2,
            "price": {"value": 52.0},
            "rowTotal": {"value": 104.0},
        },
        {
            "sku": "WS12",
            "name": "Radiant Tee",
            "quantity": 1,
            "price": {"value": 22.0},
            "rowTotal": {"value": 22.0},
        },
    ]
    assert order["placedByAdmin"] is None
    assert order["comments"] == []

    cart = await cart_of(api, token)
    assert (cart["id"], cart["items"], cart["itemsCount"]) == (cart_id, [], 0)
    mine = [e["node"] for e in (await api.data(MY_ORDERS, token=token))["me"]["orders"]["edges"]]
    assert [o["incrementId"] for o in mine] == ["000000001", "000000005"]
    assert mine[1] == order

    await db_session.rollback()
    row = (
        await db_session.exec(select(SalesOrder).where(SalesOrder.increment_id == "000000005"))
    ).one()
    jane = (await db_session.exec(select(Customer).where(Customer.email == JANE))).one()
    assert row.customer_id == jane.id
    assert (row.customer_firstname, row.customer_lastname) == ("Jane", "Doe")
    assert (row.placed_by_admin_id, row.placed_by_admin_username) == (None, None)
    comments = await db_session.exec(select(OrderComment).where(OrderComment.order_id == row.id))
    assert comments.all() == []
    # the customer's own storefront writes are not admin actions: nothing is logged
    assert await log_entries(db_session) == []


async def test_empty_cart_cannot_be_ordered(api: Api, db_session: AsyncSession) -> None:
    token = await jane_token(api)
    body = await api.call(PLACE_ORDER, token=token)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    await add(api, token, "WS12")
    await api.data(PLACE_ORDER, token=token)
    assert await api.error_code(PLACE_ORDER, token=token) == "BAD_USER_INPUT"  # emptied
    assert (await orders_in_db(db_session))[-1] == "000000005"


async def test_failed_placement_leaves_no_order_and_keeps_the_cart(
    api: Api, db_session: AsyncSession
) -> None:
    token = await jane_token(api)
    await add(api, token, "MH01")
    await add(api, token, "24-MB01", 2)
    await set_active(db_session, "24-MB01", False)
    assert await api.error_code(PLACE_ORDER, token=token) == "BAD_USER_INPUT"
    assert await orders_in_db(db_session) == ["000000001", "000000002", "000000003", "000000004"]
    cart = await cart_of(api, token)
    assert lines(cart) == [("MH01", 1), ("24-MB01", 2)]
    await api.data(REMOVE_CART_ITEM, {"itemId": cart["items"][1]["id"]}, token=token)
    order = (await api.data(PLACE_ORDER, token=token))["placeOrder"]
    assert (order["incrementId"], order["grandTotal"]["value"]) == ("000000005", 52.0)


async def test_orders_use_current_prices(api: Api, db_session: AsyncSession) -> None:
    token = await jane_token(api)
    await add(api, token, "WS12", 3)
    await db_session.exec(
        update(Product).where(col(Product.sku) == "WS12").values(price_cents=1999)
    )
    await db_session.commit()
    assert (await cart_of(api, token))["grandTotal"]["value"] == 59.97
    order = (await api.data(PLACE_ORDER, token=token))["placeOrder"]
    assert order["items"][0]["price"] == {"value": 19.99}
    assert order["grandTotal"]["value"] == 59.97


async def test_concurrent_additions_are_all_counted(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    own = await jane_token(api)
    acting = await start_live_session(db_session, clock)
    tokens = [own, acting.token] * 3
    await asyncio.gather(*[add(api, token, "WS12") for token in tokens])
    assert lines(await cart_of(api, own)) == [("WS12", 6)]


async def test_concurrent_placements_get_distinct_increment_ids(api: Api) -> None:
    tokens = [
        await api.customer_token(JANE, PASSWORD),
        await api.customer_token(JOHN, PASSWORD),
        await api.customer_token(MARIE, PASSWORD, website_code="outlet"),
    ]
    for token in tokens:
        await add(api, token, "WS12")
    bodies = await asyncio.gather(*[api.data(PLACE_ORDER, token=t) for t in tokens])
    ids = sorted(body["placeOrder"]["incrementId"] for body in bodies)
    assert ids == ["000000005", "000000006", "000000007"]


async def test_concurrent_placements_of_one_cart_order_it_once(
    api: Api, db_session: AsyncSession
) -> None:
    token = await jane_token(api)
    await add(api, token, "MH01")
    bodies = await asyncio.gather(*[api.call(PLACE_ORDER, token=token) for _ in range(6)])
    placed = [b["data"]["placeOrder"]["incrementId"] for b in bodies if b.get("data")]
    refused = [b["errors"][0]["extensions"]["code"] for b in bodies if "errors" in b]
    assert placed == ["000000005"]
    assert refused == ["BAD_USER_INPUT"] * 5
    assert (await orders_in_db(db_session))[-1] == "000000005"


# --- an admin acting for the customer (impersonation token) ------------------------------------


async def test_admin_and_customer_share_the_cart_and_admin_writes_are_logged(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    jane = await jane_token(api)
    own_cart = await add(api, jane, "WS12")
    acting = await start_live_session(db_session, clock)

    cart = await cart_of(api, acting.token)
    assert (cart["id"], cart["storeView"], lines(cart)) == (
        own_cart["id"],
        {"code": "default"},
        [("WS12", 1)],
    )
    cart = await add(api, acting.token, "MH01", 2)
    assert lines(cart) == [("WS12", 1), ("MH01", 2)]
    tee = cart["items"][0]["id"]
    cart = (await api.data(REMOVE_CART_ITEM, {"itemId": tee}, token=acting.token))["removeCartItem"]
    assert lines(cart) == [("MH01", 2)]
    assert lines(await cart_of(api, jane)) == [("MH01", 2)]
    assert (
        await api.error_code(ADD_TO_CART, {"sku": "NOPE", "quantity": 1}, token=acting.token)
        == "BAD_USER_INPUT"
    )

    await db_session.rollback()
    item = (await db_session.exec(select(CartItem))).one()
    assert (item.quantity, item.added_by_admin_id) == (2, acting.admin_id)
    entries = await log_entries(db_session)
    assert [(e.action, e.result, json.loads(e.details)) for e in entries] == [
        ("cart.add", "SUCCESS", {"sku": "MH01", "quantity": 2}),
        ("cart.remove", "SUCCESS", {"sku": "WS12", "quantity": 1}),
        ("cart.add", "FAILURE", {"sku": "NOPE", "quantity": 1, "code": "BAD_USER_INPUT"}),
    ]
    for entry in entries:
        assert entry.action_group == "LOGIN_AS_CUSTOMER"
        assert (entry.username, entry.admin_id, entry.admin_username) == (
            "support",
            acting.admin_id,
            "support",
        )
        assert (entry.customer_id, entry.customer_email) == (acting.customer_id, JANE)
        assert entry.login_as_customer_session_id == acting.id
        assert acting.token not in entry.details


async def test_order_placed_by_admin_for_the_customer(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    acting = await start_live_session(db_session, clock)
    await add(api, acting.token, "24-MB01", 2)
    placed = (await api.data(PLACE_ORDER, token=acting.token))["placeOrder"]
    assert placed["incrementId"] == "000000005"
    assert placed["grandTotal"] == {"value": 68.0, "currency": "USD"}
    # the admin sees the storefront as the customer does
    assert placed["placedByAdmin"] is None
    assert placed["comments"] == [{"text": VISIBLE_COMMENT, "isVisibleToCustomer": True}]
    assert (await cart_of(api, acting.token))["items"] == []

    support = await api.admin_token("support", "Support123!")
    order = (await api.data(ADMIN_ORDER, {"id": placed["id"]}, token=support))["order"]
    assert order["placedByAdmin"] == {
        "username": "support",
        "firstname": "Sam",
        "lastname": "Support",
    }
    assert order["comments"] == [
        {"text": INTERNAL_COMMENT, "isVisibleToCustomer": False},
        {"text": VISIBLE_COMMENT, "isVisibleToCustomer": True},
    ]

    jane = await jane_token(api)
    mine = [e["node"] for e in (await api.data(MY_ORDERS, token=jane))["me"]["orders"]["edges"]]
    assert mine[-1]["incrementId"] == "000000005"
    assert mine[-1]["placedByAdmin"] is None
    assert mine[-1]["comments"] == [{"text": VISIBLE_COMMENT, "isVisibleToCustomer": True}]

    await db_session.rollback()
    row = (
        await db_session.exec(select(SalesOrder).where(SalesOrder.increment_id == "000000005"))
    ).one()
    assert row.customer_id == acting.customer_id
    assert (row.placed_by_admin_id, row.placed_by_admin_username) == (acting.admin_id, "support")
    entries = await log_entries(db_session)
    assert [(e.action, e.result, json.loads(e.details)) for e in entries] == [
        ("cart.add", "SUCCESS", {"sku": "24-MB01", "quantity": 2}),
        ("order.place", "SUCCESS", {"incrementId": "000000005"}),
    ]
    assert {(e.username, e.customer_id, e.login_as_customer_session_id) for e in entries} == {
        ("support", acting.customer_id, acting.id)
    }


async def test_failed_placement_by_admin_is_logged_and_leaves_no_order(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    acting = await start_live_session(db_session, clock)
    assert await api.error_code(PLACE_ORDER, token=acting.token) == "BAD_USER_INPUT"
    assert await orders_in_db(db_session) == ["000000001", "000000002", "000000003", "000000004"]
    entries = await log_entries(db_session)
    assert [(e.action, e.result, json.loads(e.details)) for e in entries] == [
        ("order.place", "FAILURE", {"code": "BAD_USER_INPUT"})
    ]
