"""canLoginAsCustomer and its reason on customers and sales documents (DESIGN.md section 7)."""

from __future__ import annotations

import pytest
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.engine import begin_write
from lac.db.models import ConfigValue, Customer, StoreView, Website
from lac.resolvers.login_as_customer.config import ENABLED_PATH
from tests.support import Api

FIELDS = "canLoginAsCustomer loginAsCustomerUnavailableReason"
JANES_DOCUMENTS = f"""
{{
  customers(filter: {{email: "jane.doe@example.com"}}) {{ edges {{ node {{ {FIELDS} }} }} }}
  orders(filter: {{incrementId: "000000001"}}) {{ edges {{ node {{ {FIELDS} }} }} }}
  invoices(filter: {{incrementId: "000000001"}}) {{ edges {{ node {{ {FIELDS} }} }} }}
  shipments(filter: {{incrementId: "000000001"}}) {{ edges {{ node {{ {FIELDS} }} }} }}
  creditMemos(filter: {{incrementId: "000000001"}}) {{ edges {{ node {{ {FIELDS} }} }} }}
}}
"""


def availability(
    data: dict[str, dict[str, list[dict[str, dict[str, object]]]]],
) -> set[tuple[object, object]]:
    return {
        (edge["node"]["canLoginAsCustomer"], edge["node"]["loginAsCustomerUnavailableReason"])
        for connection in data.values()
        for edge in connection["edges"]
    }


async def test_support_may_log_in_as_jane_from_every_document(api: Api) -> None:
    token = await api.admin_token("support", "Support123!")
    data = await api.data(JANES_DOCUMENTS, token=token)
    assert all(len(connection["edges"]) == 1 for connection in data.values())
    assert availability(data) == {(True, None)}


@pytest.mark.parametrize(
    ("filter_", "reason"),
    [
        ('{email: "john.smith@example.com"}', "CUSTOMER_CONSENT_REQUIRED"),
        ('{email: "inactive@example.com"}', "CUSTOMER_INACTIVE"),
        ('{email: "marie.curie@example.com"}', None),
    ],
)
async def test_customer_rules(api: Api, filter_: str, reason: str | None) -> None:
    token = await api.admin_token("support", "Support123!")
    data = await api.data(
        f"{{ customers(filter: {filter_}) {{ edges {{ node {{ {FIELDS} }} }} }} }}", token=token
    )
    assert availability(data) == {(reason is None, reason)}


@pytest.mark.parametrize(
    ("increment_id", "reason"),
    [("000000002", "CUSTOMER_CONSENT_REQUIRED"), ("000000003", "GUEST_ORDER"), ("000000004", None)],
)
async def test_order_rules(api: Api, increment_id: str, reason: str | None) -> None:
    token = await api.admin_token("support", "Support123!")
    query = f'{{ orders(filter: {{incrementId: "{increment_id}"}}) {{ edges {{ node {{ {FIELDS} }} }} }} }}'
    assert availability(await api.data(query, token=token)) == {(reason is None, reason)}


async def test_guest_invoice_is_a_guest_order(api: Api) -> None:
    token = await api.admin_token("support", "Support123!")
    query = f'{{ invoices(filter: {{incrementId: "000000003"}}) {{ edges {{ node {{ {FIELDS} customer {{ email }} }} }} }} }}'
    node = (await api.data(query, token=token))["invoices"]["edges"][0]["node"]
    assert node == {
        "canLoginAsCustomer": False,
        "loginAsCustomerUnavailableReason": "GUEST_ORDER",
        "customer": None,
    }


async def test_viewer_lacks_the_login_resource(api: Api) -> None:
    token = await api.admin_token("viewer", "Viewer123!")
    query = f"{{ customers {{ edges {{ node {{ {FIELDS} }} }} }} orders {{ edges {{ node {{ {FIELDS} }} }} }} }}"
    assert availability(await api.data(query, token=token)) == {(False, "PERMISSION_DENIED")}


async def test_a_customer_reading_their_account_gets_permission_denied(api: Api) -> None:
    token = await api.customer_token("jane.doe@example.com", "Customer123!")
    me = (await api.data(f"{{ me {{ {FIELDS} }} }}", token=token))["me"]
    assert me == {
        "canLoginAsCustomer": False,
        "loginAsCustomerUnavailableReason": "PERMISSION_DENIED",
    }


async def test_feature_disabled_comes_first_for_everybody(
    api: Api, db_session: AsyncSession
) -> None:
    await db_session.exec(
        update(ConfigValue).where(col(ConfigValue.path) == ENABLED_PATH).values(value="0")
    )
    await db_session.commit()
    for username, password in (
        ("support", "Support123!"),
        ("viewer", "Viewer123!"),
        ("admin", "Admin123!"),
    ):
        token = await api.admin_token(username, password)
        data = await api.data(
            JANES_DOCUMENTS
            if username != "viewer"
            else f"{{ orders {{ edges {{ node {{ {FIELDS} }} }} }} }}",
            token=token,
        )
        assert availability(data) == {(False, "FEATURE_DISABLED")}, username
    customer = await api.customer_token("jane.doe@example.com", "Customer123!")
    me = (await api.data(f"{{ me {{ {FIELDS} }} }}", token=customer))["me"]
    assert me["loginAsCustomerUnavailableReason"] == "FEATURE_DISABLED"


async def test_feature_is_off_when_never_configured(api: Api, db_session: AsyncSession) -> None:
    row = (await db_session.exec(select(ConfigValue).where(ConfigValue.path == ENABLED_PATH))).one()
    await db_session.delete(row)
    await db_session.commit()
    token = await api.admin_token("support", "Support123!")
    assert availability(await api.data(JANES_DOCUMENTS, token=token)) == {
        (False, "FEATURE_DISABLED")
    }
    guest = '{ orders(filter: {incrementId: "000000003"}) { edges { node { loginAsCustomerUnavailableReason } } } }'
    assert (await api.data(guest, token=token))["orders"]["edges"][0]["node"] == {
        "loginAsCustomerUnavailableReason": "FEATURE_DISABLED"
    }


async def test_website_without_an_active_store_view(api: Api, db_session: AsyncSession) -> None:
    outlet = (await db_session.exec(select(Website).where(Website.code == "outlet"))).one()
    await db_session.exec(
        update(StoreView).where(col(StoreView.website_id) == outlet.id).values(is_active=False)
    )
    await db_session.commit()
    token = await api.admin_token("support", "Support123!")
    query = (
        f'{{ orders(filter: {{incrementId: "000000004"}}) {{ edges {{ node {{ {FIELDS} }} }} }} }}'
    )
    assert availability(await api.data(query, token=token)) == {(False, "NO_STORE_VIEW")}


async def test_rules_apply_in_order_when_several_fail(api: Api, db_session: AsyncSession) -> None:
    await begin_write(db_session)
    await db_session.exec(
        update(Customer)
        .where(col(Customer.email) == "john.smith@example.com")
        .values(is_active=False)
    )
    await db_session.exec(
        update(Customer)
        .where(col(Customer.email) == "marie.curie@example.com")
        .values(allow_remote_shopping_assistance=False)
    )
    outlet = (await db_session.exec(select(Website).where(Website.code == "outlet"))).one()
    await db_session.exec(
        update(StoreView).where(col(StoreView.website_id) == outlet.id).values(is_active=False)
    )
    await db_session.commit()
    token = await api.admin_token("support", "Support123!")
    for email, reason in (
        ("john.smith@example.com", "CUSTOMER_INACTIVE"),  # inactive and no consent
        ("marie.curie@example.com", "CUSTOMER_CONSENT_REQUIRED"),  # no consent, no store view
    ):
        query = (
            f'{{ customers(filter: {{email: "{email}"}}) {{ edges {{ node {{ {FIELDS} }} }} }} }}'
        )
        assert availability(await api.data(query, token=token)) == {(False, reason)}, email
