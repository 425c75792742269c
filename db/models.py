"""SQLModel tables: the whole persistent state of lac.

Plain data only: no business rule lives here (those are in `resolvers/`). Money is
stored in minor units (cents) as integers, timestamps as UTC (`UTCDateTime`).
Every foreign key and every lookup column is indexed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Index, String, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from lac.db.types import UTCDateTime


def utc_column(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Website(SQLModel, table=True):
    __tablename__ = "website"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=255)


class StoreView(SQLModel, table=True):
    __tablename__ = "store_view"

    id: int | None = Field(default=None, primary_key=True)
    website_id: int = Field(foreign_key="website.id", index=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=255)
    is_active: bool = True
    is_default: bool = False


class Customer(SQLModel, table=True):
    __tablename__ = "customer"
    __table_args__ = (UniqueConstraint("website_id", "email", name="uq_customer_website_email"),)

    id: int | None = Field(default=None, primary_key=True)
    website_id: int = Field(foreign_key="website.id", index=True)
    email: str = Field(max_length=255, index=True)
    firstname: str = Field(max_length=255)
    lastname: str = Field(max_length=255)
    is_active: bool = True
    password_hash: str = Field(max_length=255)
    created_in_store_view_id: int = Field(foreign_key="store_view.id", index=True)
    allow_remote_shopping_assistance: bool = False
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())


class Product(SQLModel, table=True):
    __tablename__ = "product"

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=255)
    price_cents: int
    currency: str = Field(default="USD", max_length=3)
    is_active: bool = True


class Cart(SQLModel, table=True):
    """A customer's one cart in a store view, shared with an impersonating admin."""

    __tablename__ = "cart"
    __table_args__ = (
        UniqueConstraint("customer_id", "store_view_id", name="uq_cart_customer_store_view"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    store_view_id: int = Field(foreign_key="store_view.id", index=True)
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())


class CartItem(SQLModel, table=True):
    __tablename__ = "cart_item"
    __table_args__ = (UniqueConstraint("cart_id", "product_id", name="uq_cart_item_product"),)

    id: int | None = Field(default=None, primary_key=True)
    cart_id: int = Field(foreign_key="cart.id", index=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    quantity: int
    added_by_admin_id: int | None = Field(default=None, foreign_key="admin_user.id", index=True)
    created_at: datetime = Field(sa_column=utc_column())


class SalesOrder(SQLModel, table=True):
    __tablename__ = "sales_order"

    id: int | None = Field(default=None, primary_key=True)
    increment_id: str = Field(max_length=32, unique=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    customer_email: str = Field(max_length=255, index=True)
    customer_firstname: str = Field(max_length=255)
    customer_lastname: str = Field(max_length=255)
    store_view_id: int = Field(foreign_key="store_view.id", index=True)
    status: str = Field(max_length=32)
    grand_total_cents: int
    currency: str = Field(default="USD", max_length=3)
    placed_by_admin_id: int | None = Field(default=None, index=True)
    placed_by_admin_username: str | None = Field(default=None, max_length=255)
    placed_by_admin_firstname: str | None = Field(default=None, max_length=255)
    placed_by_admin_lastname: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(sa_column=utc_column(index=True))


class OrderItem(SQLModel, table=True):
    __tablename__ = "sales_order_item"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    product_id: int | None = Field(default=None, foreign_key="product.id", index=True)
    sku: str = Field(max_length=64)
    name: str = Field(max_length=255)
    quantity: int
    price_cents: int
    row_total_cents: int


class OrderComment(SQLModel, table=True):
    __tablename__ = "sales_order_comment"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    is_visible_to_customer: bool = False
    created_at: datetime = Field(sa_column=utc_column())


class Invoice(SQLModel, table=True):
    __tablename__ = "sales_invoice"

    id: int | None = Field(default=None, primary_key=True)
    increment_id: str = Field(max_length=32, unique=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    grand_total_cents: int
    currency: str = Field(default="USD", max_length=3)
    created_at: datetime = Field(sa_column=utc_column(index=True))


class Shipment(SQLModel, table=True):
    __tablename__ = "sales_shipment"

    id: int | None = Field(default=None, primary_key=True)
    increment_id: str = Field(max_length=32, unique=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    total_quantity: int
    created_at: datetime = Field(sa_column=utc_column(index=True))


class CreditMemo(SQLModel, table=True):
    __tablename__ = "sales_creditmemo"

    id: int | None = Field(default=None, primary_key=True)
    increment_id: str = Field(max_length=32, unique=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    grand_total_cents: int
    currency: str = Field(default="USD", max_length=3)
    created_at: datetime = Field(sa_column=utc_column(index=True))


class Role(SQLModel, table=True):
    __tablename__ = "admin_role"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255, unique=True)


class RoleResource(SQLModel, table=True):
    """One ACL resource id granted to a role (`Magento_Backend::all` grants everything)."""

    __tablename__ = "admin_role_resource"

    role_id: int = Field(foreign_key="admin_role.id", primary_key=True)
    resource_id: str = Field(max_length=128, primary_key=True)


class AdminUser(SQLModel, table=True):
    __tablename__ = "admin_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=255, unique=True)
    email: str = Field(max_length=255, unique=True)
    firstname: str = Field(max_length=255)
    lastname: str = Field(max_length=255)
    is_active: bool = True
    password_hash: str = Field(max_length=255)
    role_id: int = Field(foreign_key="admin_role.id", index=True)
    created_at: datetime = Field(sa_column=utc_column())


class AuthToken(SQLModel, table=True):
    """A bearer token, stored only as the SHA-256 of its value.

    An impersonation token also names its Login-as-Customer session.
    """

    __tablename__ = "auth_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=16)
    admin_user_id: int | None = Field(default=None, foreign_key="admin_user.id", index=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    login_as_customer_session_id: int | None = Field(
        default=None, foreign_key="login_as_customer_session.id", index=True
    )
    created_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class LoginAsCustomerSession(SQLModel, table=True):
    """One admin acting as one customer, from start (PENDING) through exchange (ACTIVE) to end.

    The admin and customer are also copied in at start, so the session log outlives
    renamed or deleted accounts. The hand-off secret is stored only as its SHA-256.
    """

    __tablename__ = "login_as_customer_session"
    __table_args__ = (
        Index("ix_lac_session_admin_state", "admin_user_id", "state"),
        Index("ix_lac_session_customer_state", "customer_id", "state"),
        Index("ix_lac_session_state_started", "state", "started_at"),
        Index("ix_lac_session_admin_username_started_id", "admin_username", "started_at", "id"),
        Index("ix_lac_session_customer_started_id", "customer_id", "started_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    admin_user_id: int = Field(foreign_key="admin_user.id")
    admin_username: str = Field(max_length=255)
    admin_firstname: str = Field(max_length=255)
    admin_lastname: str = Field(max_length=255)
    customer_id: int = Field(foreign_key="customer.id")
    customer_email: str = Field(max_length=255)
    customer_name: str = Field(max_length=511)
    store_view_id: int = Field(foreign_key="store_view.id", index=True)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    state: str = Field(max_length=8)
    started_at: datetime = Field(sa_column=utc_column(index=True))
    expires_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    ended_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    end_cause: str | None = Field(default=None, max_length=32)
    ip_address: str | None = Field(default=None, max_length=64)
    secret_hash: str = Field(max_length=64, unique=True)
    secret_expires_at: datetime = Field(sa_column=utc_column())
    secret_used_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    read_only: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    consent: str = Field(
        default="STANDING",
        sa_column=Column(String(16), nullable=False, server_default="STANDING"),
    )  # AssistanceConsent: STANDING (the customer's setting) or CODE (a one-time code)


class AssistanceCode(SQLModel, table=True):
    """A customer's one-time assistance code (DESIGN.md section 15): at most one per customer.

    Only the code's hash is kept. A new code replaces the row; using it, or the fifth wrong
    guess, deletes it.
    """

    __tablename__ = "assistance_code"

    customer_id: int = Field(foreign_key="customer.id", primary_key=True)
    code_hash: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
    failed_attempts: int = 0


class LoginThrottle(SQLModel, table=True):
    """Consecutive failed logins per login name, whether or not the account exists."""

    __tablename__ = "login_throttle"

    login_name: str = Field(max_length=512, primary_key=True)
    failure_count: int = 0
    locked_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    recent_failures: str = Field(
        default="[]", sa_column=Column(Text, nullable=False, server_default="[]")
    )  # JSON list of the latest failure times (ISO, UTC), at most the lockout threshold


class AuthFailure(SQLModel, table=True):
    """One failed sign-in or secret exchange from a client address, for the rate limit."""

    __tablename__ = "auth_failure"
    __table_args__ = (Index("ix_auth_failure_kind_ip_time", "kind", "ip_address", "time"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    ip_address: str = Field(max_length=64)
    time: datetime = Field(sa_column=utc_column())


class ConfigValue(SQLModel, table=True):
    """A configuration value at a Magento config path (global scope)."""

    __tablename__ = "config_value"

    path: str = Field(max_length=255, primary_key=True)
    value: str = Field(sa_column=Column(Text, nullable=False))


class AdminActionLogEntry(SQLModel, table=True):
    """One append-only entry of the admin action log.

    People are copied in at write time (username, admin and customer summaries), so the
    log outlives deleted accounts; there are deliberately no foreign keys.
    """

    __tablename__ = "admin_action_log"
    __table_args__ = (
        # one (filter column, time, id) index per filter: a page is one range scan in
        # keyset order (resolvers/audit.py)
        Index("ix_admin_action_log_time_id", "time", "id"),
        Index("ix_admin_action_log_group_time_id", "action_group", "time", "id"),
        Index("ix_admin_action_log_action_time_id", "action", "time", "id"),
        Index("ix_admin_action_log_username_time_id", "username", "time", "id"),
        Index("ix_admin_action_log_customer_time_id", "customer_id", "time", "id"),
        Index("ix_admin_action_log_ip_time_id", "ip_address", "time", "id"),
        Index("ix_admin_action_log_result_time_id", "result", "time", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    time: datetime = Field(sa_column=utc_column())  # indexed with id, see __table_args__
    action_group: str = Field(max_length=32)
    action: str = Field(max_length=64)
    result: str = Field(max_length=8)
    username: str | None = Field(default=None, max_length=255)
    admin_id: int | None = None
    admin_username: str | None = Field(default=None, max_length=255)
    admin_firstname: str | None = Field(default=None, max_length=255)
    admin_lastname: str | None = Field(default=None, max_length=255)
    ip_address: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=512)
    full_action_name: str = Field(max_length=255)
    customer_id: int | None = None
    customer_email: str | None = Field(default=None, max_length=255)
    customer_name: str | None = Field(default=None, max_length=511)
    login_as_customer_session_id: int | None = Field(default=None, index=True)
    details: str = Field(sa_column=Column(Text, nullable=False))
    hash: str | None = Field(default=None, max_length=64)


class AdminActionLogCounter(SQLModel, table=True):
    """How many log entries one UTC day holds per (group, action, result).

    Written in the same transaction as each entry (`resolvers/log/counters.py`) and kept
    exact by prune, so `totalCount` of a group, action, result or whole-day filter sums a
    few counter rows instead of counting millions of entries.
    """

    __tablename__ = "admin_action_log_counter"

    day: date = Field(primary_key=True)
    action_group: str = Field(primary_key=True, max_length=32)
    action: str = Field(primary_key=True, max_length=64)
    result: str = Field(primary_key=True, max_length=8)
    entries: int
