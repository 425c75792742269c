"""Whether the calling admin may log in as a document's customer (DESIGN.md section 7).

The first failing rule gives the reason, in this order: FEATURE_DISABLED,
PERMISSION_DENIED, GUEST_ORDER, CUSTOMER_INACTIVE, CUSTOMER_CONSENT_REQUIRED,
NO_STORE_VIEW. The facts are read in one statement for a whole page of documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import and_, col, exists, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import ConfigValue, Customer, StoreView
from resolvers.acl import LOGIN_AS_CUSTOMER, holds_all
from resolvers.config import ENABLED_PATH, is_enabled
from resolvers.principals import AdminPrincipal, Principal


class UnavailableReason(StrEnum):
    FEATURE_DISABLED = "FEATURE_DISABLED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    GUEST_ORDER = "GUEST_ORDER"
    CUSTOMER_INACTIVE = "CUSTOMER_INACTIVE"
    CUSTOMER_CONSENT_REQUIRED = "CUSTOMER_CONSENT_REQUIRED"
    NO_STORE_VIEW = "NO_STORE_VIEW"


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    is_active: bool
    consents: bool
    has_active_store_view: bool


@dataclass(frozen=True, slots=True)
class AvailabilityFacts:
    """What the rules need about one document: the feature flag and its customer (None: guest)."""

    feature_enabled: bool
    customer: CustomerFacts | None


def unavailable_reason(principal: Principal, facts: AvailabilityFacts) -> UnavailableReason | None:
    """The first rule that fails for this caller and document, or None when allowed."""
    if not facts.feature_enabled:
        return UnavailableReason.FEATURE_DISABLED
    if not isinstance(principal, AdminPrincipal) or not holds_all(
        principal.resources, (LOGIN_AS_CUSTOMER,)
    ):
        return UnavailableReason.PERMISSION_DENIED
    customer = facts.customer
    if customer is None:
        return UnavailableReason.GUEST_ORDER
    if not customer.is_active:
        return UnavailableReason.CUSTOMER_INACTIVE
    if not customer.consents:
        return UnavailableReason.CUSTOMER_CONSENT_REQUIRED
    if not customer.has_active_store_view:
        return UnavailableReason.NO_STORE_VIEW
    return None


async def availability_facts(
    session: AsyncSession, customer_ids: Sequence[int | None]
) -> list[AvailabilityFacts]:
    """Facts for many documents' customers (None for a guest) in one statement."""
    enabled = select(ConfigValue.value).where(ConfigValue.path == ENABLED_PATH).scalar_subquery()
    known = sorted({id_ for id_ in customer_ids if id_ is not None})
    if not known:
        flag = (await session.exec(select(enabled))).one()
        return [AvailabilityFacts(is_enabled(flag), None) for _ in customer_ids]
    has_active_view = exists().where(
        and_(col(StoreView.website_id) == col(Customer.website_id), col(StoreView.is_active))
    )
    rows = (
        await session.exec(
            select(Customer, has_active_view, enabled).where(col(Customer.id).in_(known))
        )
    ).all()
    flag = is_enabled(rows[0][2]) if rows else False
    customers = {
        customer.id: CustomerFacts(
            is_active=customer.is_active,
            consents=customer.allow_remote_shopping_assistance,
            has_active_store_view=bool(has_view),
        )
        for customer, has_view, _ in rows
    }
    return [
        AvailabilityFacts(flag, customers.get(id_) if id_ is not None else None)
        for id_ in customer_ids
    ]
