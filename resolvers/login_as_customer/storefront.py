"""What a storefront asks on every page view: who is signed in, the banner, the page cache."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lac.resolvers.auth.principals import (
    CustomerPrincipal,
    CustomerSummary,
    ImpersonationPrincipal,
    Principal,
)


@dataclass(frozen=True, slots=True)
class Banner:
    text: str
    customer_name: str
    website_name: str
    store_view_name: str


@dataclass(frozen=True, slots=True)
class StorefrontSession:
    is_logged_in: bool
    is_login_as_customer: bool
    is_read_only: bool
    page_cache_disabled: bool
    expires_at: datetime | None
    customer: CustomerSummary | None
    banner: Banner | None


def storefront_session(principal: Principal) -> StorefrontSession:
    """The banner state for this request's caller; no database work (the principal has it all)."""
    if isinstance(principal, ImpersonationPrincipal):
        name = principal.customer.name
        read_only = " (read-only)" if principal.read_only else ""
        return StorefrontSession(
            is_logged_in=True,
            is_login_as_customer=True,
            is_read_only=principal.read_only,
            page_cache_disabled=principal.page_cache_disabled,
            expires_at=principal.expires_at,
            customer=principal.customer,
            banner=Banner(
                text=f"You are connected as {name} on {principal.website_name}{read_only}",
                customer_name=name,
                website_name=principal.website_name,
                store_view_name=principal.store_view_name,
            ),
        )
    if isinstance(principal, CustomerPrincipal):
        return StorefrontSession(
            True, False, False, False, principal.expires_at, principal.customer, None
        )
    return StorefrontSession(False, False, False, False, None, None, None)
