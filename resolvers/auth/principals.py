"""Who is calling: the principal resolved once per request, and people as value types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lac.db.models import AdminUser, Customer
from lac.db.queries import require_id
from lac.resolvers.errors import LacError


@dataclass(frozen=True, slots=True)
class AdminSummary:
    """An admin as copied into sessions, orders and log entries (outlives deletion)."""

    id: int
    username: str
    firstname: str
    lastname: str


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    """A customer as copied into sessions and log entries (outlives deletion)."""

    id: int
    email: str
    name: str


@dataclass(frozen=True, slots=True)
class Anonymous:
    """No token, or a token that is unknown, expired, revoked or of a disabled account."""


@dataclass(frozen=True, slots=True)
class AdminPrincipal:
    token_id: int
    admin: AdminSummary
    role_id: int
    resources: frozenset[str]


@dataclass(frozen=True, slots=True)
class CustomerPrincipal:
    """A customer acting with their own token.

    `store_view_id` is where their cart lives: the website's default store view for
    their own sign-in, the session's store view while impersonated.
    """

    token_id: int
    customer: CustomerSummary
    website_id: int
    store_view_id: int | None
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ImpersonationPrincipal(CustomerPrincipal):
    """A customer's account driven by an admin through a Login-as-Customer session.

    It passes every customer check; only `@requiresImpersonation` tells it apart. It
    carries what the storefront banner and the page-cache rule need, and whether the
    session is read-only (every storefront write refused).
    """

    session_id: int
    acting_admin: AdminSummary
    website_name: str
    store_view_name: str
    page_cache_disabled: bool
    read_only: bool = False


Principal = Anonymous | AdminPrincipal | CustomerPrincipal


def full_name(firstname: str, lastname: str) -> str:
    return f"{firstname} {lastname}".strip()


def admin_summary(admin: AdminUser) -> AdminSummary:
    """An admin account as sessions, orders and log entries copy it."""
    return AdminSummary(
        id=require_id(admin),
        username=admin.username,
        firstname=admin.firstname,
        lastname=admin.lastname,
    )


def customer_summary(customer: Customer) -> CustomerSummary:
    """A customer account as sessions and log entries copy it (the name in one piece)."""
    return CustomerSummary(
        id=require_id(customer),
        email=customer.email,
        name=full_name(customer.firstname, customer.lastname),
    )


def copied_admin(
    admin_id: int, username: str | None, firstname: str | None, lastname: str | None
) -> AdminSummary:
    """An admin as a row copied them at write time; a name not copied reads as empty."""
    return AdminSummary(
        id=admin_id, username=username or "", firstname=firstname or "", lastname=lastname or ""
    )


def copied_customer(customer_id: int, email: str | None, name: str | None) -> CustomerSummary:
    """A customer as a row copied them at write time; a value not copied reads as empty."""
    return CustomerSummary(id=customer_id, email=email or "", name=name or "")


OWN_ACCOUNT_ONLY = (
    "Only the customer, signed in with their own account, can do this: staff acting for them "
    "cannot."
)


def own_customer(principal: Principal) -> CustomerSummary:
    """The caller's account when they call with their own customer token. Staff acting for
    the customer (an impersonation token) is FORBIDDEN: the customer's side of assistance
    (history, ending it, codes; DESIGN.md section 15) is theirs alone."""
    assert isinstance(principal, CustomerPrincipal)  # the fields are @requiresCustomer
    if isinstance(principal, ImpersonationPrincipal):
        raise LacError.forbidden(OWN_ACCOUNT_ONLY)
    return principal.customer
