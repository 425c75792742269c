"""The Login-as-Customer policy: every rule of DESIGN.md section 7, written once.

Availability (and so a start), the exchange and the per-request re-check of an
assistance session all decide from one `LacFacts`, and every query that gathers those
facts builds its columns here, so "the admin still holds ::login" means one thing in
SQL. Availability answers the first failing rule, in this order: FEATURE_DISABLED,
PERMISSION_DENIED, GUEST_ORDER, CUSTOMER_INACTIVE, CUSTOMER_CONSENT_REQUIRED,
NO_STORE_VIEW. An assistance session ends, first failing rule first: EXPIRED (per
request only), FEATURE_DISABLED, ADMIN_REVOKED, CUSTOMER_DEACTIVATED, CONSENT_REVOKED.

Consent is the customer's standing setting, or, when that is off, a one-time assistance
code given for one session (DESIGN.md section 15): the start redeems it, and the session
then rests on it (consent CODE) until it ends. Availability (`canLoginAsCustomer`)
describes standing consent only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Exists, ScalarSelect, exists, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Mapped
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.models import (
    AdminUser,
    ConfigValue,
    Customer,
    LoginAsCustomerSession,
    RoleResource,
    StoreView,
)
from lac.db.queries import IDS, table_of
from lac.resolvers.acl.resources import ALL, LOGIN_AS_CUSTOMER, holds_all
from lac.resolvers.auth.principals import AdminPrincipal, Principal
from lac.resolvers.context import ServiceContext
from lac.resolvers.log.writer import ActionRecord
from lac.resolvers.login_as_customer.assistance_codes import CodeGuess, redeem_code
from lac.resolvers.login_as_customer.config import ENABLED_PATH, is_enabled
from lac.resolvers.login_as_customer.session_end import EndCause, SessionState


class UnavailableReason(StrEnum):
    FEATURE_DISABLED = "FEATURE_DISABLED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    GUEST_ORDER = "GUEST_ORDER"
    CUSTOMER_INACTIVE = "CUSTOMER_INACTIVE"
    CUSTOMER_CONSENT_REQUIRED = "CUSTOMER_CONSENT_REQUIRED"
    NO_STORE_VIEW = "NO_STORE_VIEW"


class AssistanceConsent(StrEnum):
    """What an assistance session's consent rests on."""

    STANDING = "STANDING"  # the customer's "Allow remote shopping assistance" setting
    CODE = "CODE"  # a one-time assistance code, for this one session


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    is_active: bool
    consents: bool
    has_active_store_view: bool


@dataclass(frozen=True, slots=True)
class DocumentFacts:
    """What availability needs about one document, whoever asks: the feature flag and
    its customer (None: a guest document)."""

    feature_enabled: bool
    customer: CustomerFacts | None


@dataclass(frozen=True, slots=True)
class LacFacts:
    """Everything a Login-as-Customer rule looks at, for one admin and one customer.

    `assistance_expires_at` is the assistance session's end (None while it is pending);
    `consent` what the session rests on (CODE: a redeemed code stands in for the
    customer's standing consent).
    """

    feature_enabled: bool
    admin_may_login: bool
    customer: CustomerFacts | None
    assistance_expires_at: datetime | None = None
    consent: AssistanceConsent = AssistanceConsent.STANDING


def _consented(facts: LacFacts, customer: CustomerFacts) -> bool:
    return customer.consents or facts.consent is AssistanceConsent.CODE


def unavailable_reason(facts: LacFacts) -> UnavailableReason | None:
    """The first availability rule that fails (a start's error code), or None when allowed."""
    if not facts.feature_enabled:
        return UnavailableReason.FEATURE_DISABLED
    if not facts.admin_may_login:
        return UnavailableReason.PERMISSION_DENIED
    customer = facts.customer
    if customer is None:
        return UnavailableReason.GUEST_ORDER
    if not customer.is_active:
        return UnavailableReason.CUSTOMER_INACTIVE
    if not _consented(facts, customer):
        return UnavailableReason.CUSTOMER_CONSENT_REQUIRED
    if not customer.has_active_store_view:
        return UnavailableReason.NO_STORE_VIEW
    return None


def exchange_end_cause(facts: LacFacts) -> EndCause | None:
    """Why a pending assistance session may not become active, or None.

    A customer made inactive: CUSTOMER_DEACTIVATED (DESIGN.md section 15); one who is
    gone may no longer be assisted either: CONSENT_REVOKED.
    """
    if not facts.feature_enabled:
        return EndCause.FEATURE_DISABLED
    if not facts.admin_may_login:
        return EndCause.ADMIN_REVOKED
    customer = facts.customer
    if customer is not None and not customer.is_active:
        return EndCause.CUSTOMER_DEACTIVATED
    if customer is None or not _consented(facts, customer):
        return EndCause.CONSENT_REVOKED
    return None


def assistance_expired(expires_at: datetime | None, *, now: datetime) -> bool:
    """Whether an assistance session's time has run out (None: it never became active)."""
    return expires_at is None or expires_at <= now


def assistance_is_live(state: str, expires_at: datetime | None, *, now: datetime) -> bool:
    """Whether staff can still act through a session that reached ACTIVE: it has not
    ended and its time has not run out (the per-request re-check ends it then)."""
    return state == SessionState.ACTIVE.value and not assistance_expired(expires_at, now=now)


def request_end_cause(facts: LacFacts, *, now: datetime) -> EndCause | None:
    """Why an active assistance session must end before this request, or None: its time
    ran out, else the exchange's rules no longer hold."""
    if assistance_expired(facts.assistance_expires_at, now=now):
        return EndCause.EXPIRED
    return exchange_end_cause(facts)


def principal_may_login(principal: Principal) -> bool:
    """Whether the caller is an admin holding ::login (resolved, active, this request)."""
    return isinstance(principal, AdminPrincipal) and holds_all(
        principal.resources, (LOGIN_AS_CUSTOMER,)
    )


def availability(principal: Principal, document: DocumentFacts) -> UnavailableReason | None:
    """Availability of a document's customer for the calling principal."""
    return unavailable_reason(_facts_for(principal, document))


def _facts_for(principal: Principal, document: DocumentFacts) -> LacFacts:
    return LacFacts(document.feature_enabled, principal_may_login(principal), document.customer)


@dataclass(frozen=True, slots=True)
class StartDecision:
    """A start's availability (None: allowed) and the consent it rests on."""

    blocked: UnavailableReason | None
    consent: AssistanceConsent


async def decide_start(
    ctx: ServiceContext,
    record: ActionRecord,
    document: DocumentFacts,
    *,
    customer_id: int,
    code: CodeGuess | None,
    codes_allowed: bool,
) -> StartDecision:
    """Whether the caller may start a session for this customer, and on which consent.

    Standing consent first; when only consent is missing and codes are allowed, a live
    code for this customer stands in for it and is used up (in the start's savepoint, so
    a start failing later gives it back). An absent, wrong, used or expired code leaves
    CUSTOMER_CONSENT_REQUIRED, indistinguishable from no code.
    """
    facts = _facts_for(ctx.principal, document)
    blocked = unavailable_reason(facts)
    if (
        blocked is not UnavailableReason.CUSTOMER_CONSENT_REQUIRED
        or code is None
        or not codes_allowed
        or not await redeem_code(ctx, record, customer_id, code)
    ):
        return StartDecision(blocked, AssistanceConsent.STANDING)
    coded = replace(facts, consent=AssistanceConsent.CODE)
    return StartDecision(unavailable_reason(coded), AssistanceConsent.CODE)


# The columns every fact-loading query is built from: Core, so that a statement built
# only from them (the per-request re-check) runs without the ORM.


def config_column(path: str) -> ScalarSelect[Any]:
    """A stored config value (None when unset)."""
    config = table_of(ConfigValue).alias()
    return sa_select(config.c.value).where(config.c.path == path).scalar_subquery()


def feature_enabled_column() -> ScalarSelect[Any]:
    """The stored Login-as-Customer flag (read with `is_enabled`)."""
    return config_column(ENABLED_PATH)


def admin_may_login_column(admin_id: Mapped[int] | ColumnElement[int]) -> Exists:
    """Whether the admin `admin_id` is active and their role holds ::login (or all)."""
    admin = table_of(AdminUser).alias()
    grant = table_of(RoleResource).alias()
    return exists().where(
        admin.c.id == admin_id,
        admin.c.is_active,
        grant.c.role_id == admin.c.role_id,
        # Two comparisons, not IN: an IN list is re-rendered on every execution.
        or_(grant.c.resource_id == LOGIN_AS_CUSTOMER, grant.c.resource_id == ALL),
    )


def has_active_store_view_column(website_id: Mapped[int] | ColumnElement[int]) -> Exists:
    """Whether the website `website_id` has an active store view to act in."""
    view = table_of(StoreView).alias()
    return exists().where(view.c.website_id == website_id, view.c.is_active)


def customer_facts(customer: Customer | None, has_view: object) -> CustomerFacts | None:
    """A loaded customer row (None: none) and its store-view column as facts."""
    if customer is None:
        return None
    return CustomerFacts(
        is_active=customer.is_active,
        consents=customer.allow_remote_shopping_assistance,
        has_active_store_view=bool(has_view),
    )


@dataclass(frozen=True, slots=True)
class FactsOfCustomers:
    """The feature flag and some customers with their availability facts."""

    feature_enabled: bool
    customers: dict[int, tuple[Customer, CustomerFacts | None]]

    def of(self, customer_id: int | None) -> DocumentFacts:
        """The facts of a document of this customer (None: a guest document)."""
        known = self.customers.get(customer_id) if customer_id is not None else None
        return DocumentFacts(self.feature_enabled, known[1] if known else None)


CUSTOMER_FACTS_STATEMENT = sa_select(
    Customer,
    has_active_store_view_column(col(Customer.website_id)),
    feature_enabled_column(),
).where(col(Customer.id).in_(IDS))
"""Built once (building it costs more than running it); the ids are bound per call."""


async def facts_of_customers(db: AsyncSession, customer_ids: Sequence[int]) -> FactsOfCustomers:
    """Customers (rows and facts) and the feature flag, in one statement."""
    known = sorted(set(customer_ids))
    if not known:
        flag = (await db.exec(sa_select(feature_enabled_column()))).one()[0]  # type: ignore[call-overload]
        return FactsOfCustomers(is_enabled(flag), {})
    rows = (await db.exec(CUSTOMER_FACTS_STATEMENT, params={"ids": known})).all()  # type: ignore[call-overload]
    return FactsOfCustomers(
        feature_enabled=is_enabled(rows[0][2]) if rows else False,
        customers={
            customer.id: (customer, customer_facts(customer, has_view))
            for customer, has_view, _ in rows
        },
    )


async def document_facts(
    db: AsyncSession, customer_ids: Sequence[int | None]
) -> list[DocumentFacts]:
    """Facts for many documents' customers (None for a guest) in one statement."""
    facts = await facts_of_customers(db, [id_ for id_ in customer_ids if id_ is not None])
    return [facts.of(id_) for id_ in customer_ids]


async def assistance_facts(db: AsyncSession, assistance: LoginAsCustomerSession) -> LacFacts:
    """The facts of an assistance session's admin and customer, as they stand now."""
    statement = (
        sa_select(
            Customer,
            has_active_store_view_column(col(Customer.website_id)),
            feature_enabled_column(),
            admin_may_login_column(col(LoginAsCustomerSession.admin_user_id)),
        )
        .select_from(LoginAsCustomerSession)
        .outerjoin(Customer, col(Customer.id) == col(LoginAsCustomerSession.customer_id))
        .where(col(LoginAsCustomerSession.id) == assistance.id)
    )
    row, has_view, flag, may_login = (await db.exec(statement)).one()  # type: ignore[call-overload]
    return LacFacts(
        feature_enabled=is_enabled(flag),
        admin_may_login=bool(may_login),
        customer=customer_facts(row, has_view),
        assistance_expires_at=assistance.expires_at,
        consent=AssistanceConsent(assistance.consent),
    )
