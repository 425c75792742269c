"""The pinned demo data of DESIGN.md section 12; tests and demos rely on it.

Idempotent: missing seed rows are created, the pinned fields of existing seed rows
(passwords, roles, consent, active flags, config) are put back, other rows are left
alone. Running it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlmodel import SQLModel, col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.passwords import hash_password, verify_password
from lac.db.engine import begin_write
from lac.db.models import (
    AdminUser,
    ConfigValue,
    CreditMemo,
    Customer,
    Invoice,
    OrderComment,
    OrderItem,
    Product,
    Role,
    RoleResource,
    SalesOrder,
    Shipment,
    StoreView,
    Website,
)
from lac.db.queries import require_id

M = TypeVar("M", bound=SQLModel)

SEED_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

WEBSITES = (("base", "Main Website"), ("outlet", "Outlet Website"))
STORE_VIEWS = (  # code, website, name, is_default
    ("default", "base", "Default Store View", True),
    ("french", "base", "French Store View", False),
    ("outlet_en", "outlet", "Outlet English", True),
)
SALES = (
    "Magento_Sales::sales_order",
    "Magento_Sales::sales_invoice",
    "Magento_Sales::shipment",
    "Magento_Sales::sales_creditmemo",
)
ROLES: dict[str, tuple[str, ...]] = {
    "Administrators": ("Magento_Backend::all",),
    "Support": (
        "Magento_Customer::manage",
        *SALES,
        "Magento_LoginAsCustomer::login",
        "Magento_LoginAsCustomerLog::login_log",
    ),
    "Viewer": ("Magento_Customer::manage", "Magento_Sales::sales_order"),
    "Auditor": ("Magento_Logging::magento_logging_events", "Magento_LoginAsCustomerLog::login_log"),
}


@dataclass(frozen=True)
class SeedAdmin:
    username: str
    password: str
    role: str
    firstname: str
    lastname: str


ADMINS = (
    SeedAdmin("admin", "Admin123!", "Administrators", "Store", "Owner"),
    SeedAdmin("support", "Support123!", "Support", "Sam", "Support"),
    SeedAdmin("viewer", "Viewer123!", "Viewer", "Vera", "Viewer"),
    SeedAdmin("auditor", "Auditor123!", "Auditor", "Aud", "Itor"),
)


@dataclass(frozen=True)
class SeedCustomer:
    email: str
    firstname: str
    lastname: str
    website: str
    store_view: str
    consent: bool
    active: bool


CUSTOMER_PASSWORD = "Customer123!"
CUSTOMERS = (
    SeedCustomer("jane.doe@example.com", "Jane", "Doe", "base", "default", True, True),
    SeedCustomer("john.smith@example.com", "John", "Smith", "base", "french", False, True),
    SeedCustomer("marie.curie@example.com", "Marie", "Curie", "outlet", "outlet_en", True, True),
    SeedCustomer("inactive@example.com", "Ina", "Active", "base", "default", True, False),
)
PRODUCTS = (
    ("MH01", "Chaz Kangeroo Hoodie", 5200),
    ("WS12", "Radiant Tee", 2200),
    ("24-MB01", "Joust Duffle Bag", 3400),
)


@dataclass(frozen=True)
class SeedOrder:
    increment_id: str
    customer_email: str
    customer: bool  # False: a guest order
    store_view: str
    status: str
    items: tuple[tuple[str, int], ...]  # sku, quantity
    day: int
    invoice: bool = False
    shipment: bool = False
    credit_memo_sku: str | None = None


ORDERS = (
    SeedOrder("000000001", "jane.doe@example.com", True, "default", "complete",
              (("MH01", 1), ("WS12", 1)), day=10, invoice=True, shipment=True,
              credit_memo_sku="WS12"),
    SeedOrder("000000002", "john.smith@example.com", True, "french", "processing",
              (("24-MB01", 1),), day=12, invoice=True),
    SeedOrder("000000003", "guest@example.com", False, "default", "processing",
              (("WS12", 2),), day=14, invoice=True),
    SeedOrder("000000004", "marie.curie@example.com", True, "outlet_en", "pending",
              (("MH01", 1),), day=16),
)  # fmt: skip
CONFIG = {"login_as_customer/general/enabled": "1"}


async def _upsert(
    session: AsyncSession,
    model: type[M],
    key: dict[str, Any],
    pinned: dict[str, Any],
    on_create: dict[str, Any] | None = None,
) -> M:
    """Find the row by its natural key, create it if missing, reset its pinned fields."""
    row = (await session.exec(select(model).filter_by(**key))).first()
    if row is None:
        row = model(**key, **pinned, **(on_create or {}))
        session.add(row)
    else:
        for name, value in pinned.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
    await session.flush()
    assert row is not None
    return row


async def _password_hash(current: str, password: str) -> str:
    """Keep a hash that already matches the pinned password (no churn on re-seed)."""
    if current and await verify_password(current, password):
        return current
    return await hash_password(password)


async def seed_demo(session: AsyncSession) -> None:
    """Create or restore the demo data in one write transaction."""
    await begin_write(session)
    websites = {
        code: await _upsert(session, Website, {"code": code}, {"name": name})
        for code, name in WEBSITES
    }
    views: dict[str, StoreView] = {}
    for code, website, name, is_default in STORE_VIEWS:
        views[code] = await _upsert(
            session,
            StoreView,
            {"code": code},
            {
                "website_id": websites[website].id,
                "name": name,
                "is_active": True,
                "is_default": is_default,
            },
        )
    roles = {name: await _seed_role(session, name, resources) for name, resources in ROLES.items()}
    for admin in ADMINS:
        admin_row = await _upsert(
            session,
            AdminUser,
            {"username": admin.username},
            {
                "email": f"{admin.username}@example.com",
                "firstname": admin.firstname,
                "lastname": admin.lastname,
                "is_active": True,
                "role_id": roles[admin.role].id,
            },
            on_create={"created_at": SEED_TIME, "password_hash": ""},
        )
        admin_row.password_hash = await _password_hash(admin_row.password_hash, admin.password)
    customers: dict[str, Customer] = {}
    for seed in CUSTOMERS:
        customer = await _upsert(
            session,
            Customer,
            {"website_id": websites[seed.website].id, "email": seed.email},
            {
                "firstname": seed.firstname,
                "lastname": seed.lastname,
                "is_active": seed.active,
                "allow_remote_shopping_assistance": seed.consent,
                "created_in_store_view_id": views[seed.store_view].id,
            },
            on_create={"created_at": SEED_TIME, "updated_at": SEED_TIME, "password_hash": ""},
        )
        customer.password_hash = await _password_hash(customer.password_hash, CUSTOMER_PASSWORD)
        customers[seed.email] = customer
    products = {
        sku: await _upsert(
            session,
            Product,
            {"sku": sku},
            {"name": name, "price_cents": cents, "currency": "USD", "is_active": True},
        )
        for sku, name, cents in PRODUCTS
    }
    for order in ORDERS:
        await _seed_order(session, order, views, customers, products)
    for path, value in CONFIG.items():
        await _upsert(session, ConfigValue, {"path": path}, {"value": value})
    await session.commit()


async def _seed_role(session: AsyncSession, name: str, resources: tuple[str, ...]) -> Role:
    role = await _upsert(session, Role, {"name": name}, {})
    await session.exec(
        delete(RoleResource).where(
            col(RoleResource.role_id) == role.id,
            col(RoleResource.resource_id).not_in(resources),
        )
    )
    for resource in resources:
        await _upsert(session, RoleResource, {"role_id": role.id, "resource_id": resource}, {})
    return role


async def _seed_order(
    session: AsyncSession,
    seed: SeedOrder,
    views: dict[str, StoreView],
    customers: dict[str, Customer],
    products: dict[str, Product],
) -> None:
    existing = select(SalesOrder).where(SalesOrder.increment_id == seed.increment_id)
    if (await session.exec(existing)).first():
        return
    created_at = SEED_TIME.replace(day=seed.day)
    customer = customers[seed.customer_email] if seed.customer else None
    lines = [(products[sku], quantity) for sku, quantity in seed.items]
    order = SalesOrder(
        increment_id=seed.increment_id,
        customer_id=customer.id if customer else None,
        customer_email=seed.customer_email,
        customer_firstname=customer.firstname if customer else "Guest",
        customer_lastname=customer.lastname if customer else "Shopper",
        store_view_id=require_id(views[seed.store_view]),
        status=seed.status,
        grand_total_cents=sum(product.price_cents * quantity for product, quantity in lines),
        created_at=created_at,
    )
    session.add(order)
    await session.flush()
    assert order.id is not None
    for product, quantity in lines:
        session.add(
            OrderItem(
                order_id=order.id,
                product_id=product.id,
                sku=product.sku,
                name=product.name,
                quantity=quantity,
                price_cents=product.price_cents,
                row_total_cents=product.price_cents * quantity,
            )
        )
    if seed.invoice:
        session.add(
            Invoice(
                increment_id=seed.increment_id,
                order_id=order.id,
                grand_total_cents=order.grand_total_cents,
                created_at=created_at.replace(hour=10),
            )
        )
    if seed.shipment:
        session.add(
            Shipment(
                increment_id=seed.increment_id,
                order_id=order.id,
                total_quantity=sum(quantity for _, quantity in lines),
                created_at=created_at.replace(hour=11),
            )
        )
    if seed.credit_memo_sku:
        session.add(
            CreditMemo(
                increment_id=seed.increment_id,
                order_id=order.id,
                grand_total_cents=products[seed.credit_memo_sku].price_cents,
                created_at=created_at.replace(hour=12),
            )
        )
    session.add(
        OrderComment(
            order_id=order.id,
            text="Order placed on the storefront.",
            is_visible_to_customer=True,
            created_at=created_at,
        )
    )
    await session.flush()
