"""Turn a request's bearer token into a principal (schema/http/client.py reads the token and
the client address from the HTTP request).

Runs once per request, before GraphQL: one indexed, joined query reads the token,
its account, (for admins) the role's resources and (for impersonation) the assistance session
with everything its re-check and the storefront banner need, so a role change, a
disabled account or a withdrawn consent takes effect on the very next request.

The query is a Core statement built once, selecting only the columns a principal is made
of: it runs on every request, so it builds no ORM objects (`make bench`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam
from sqlalchemy import select as sa_select

from lac.db.models import (
    AdminUser,
    AuthToken,
    Customer,
    LoginAsCustomerSession,
    RoleResource,
    StoreView,
    Website,
)
from lac.db.queries import table_of
from lac.db.reads import ReadRow
from lac.db.session import RequestSession
from lac.resolvers.auth.principals import (
    AdminPrincipal,
    AdminSummary,
    Anonymous,
    CustomerPrincipal,
    CustomerSummary,
    ImpersonationPrincipal,
    Principal,
    copied_admin,
    full_name,
)
from lac.resolvers.auth.tokens import TokenKind, token_digest
from lac.resolvers.login_as_customer.config import (
    DISABLE_PAGE_CACHE_PATH,
    is_enabled,
    page_cache_disabled,
)
from lac.resolvers.login_as_customer.policy import (
    AssistanceConsent,
    CustomerFacts,
    LacFacts,
    admin_may_login_column,
    config_column,
    feature_enabled_column,
    has_active_store_view_column,
    request_end_cause,
)
from lac.resolvers.login_as_customer.session_end import EndCause, SessionState


@dataclass(frozen=True, slots=True)
class SessionEnding:
    """An assistance session that failed its per-request re-check and must end."""

    session_id: int
    cause: EndCause


@dataclass(frozen=True, slots=True)
class Identity:
    principal: Principal
    ending: SessionEnding | None = None


def _principal_statement() -> Select[Any]:
    """Token, account, role resources, assistance session and its re-check facts, and
    the banner names, in one indexed query of plain columns."""
    token = table_of(AuthToken)
    admin = table_of(AdminUser)
    grant = table_of(RoleResource)
    customer = table_of(Customer)
    assistance = table_of(LoginAsCustomerSession)
    website = table_of(Website)
    session_view = table_of(StoreView).alias()
    default_view = table_of(StoreView).alias()
    return (
        sa_select(
            token.c.id.label("token_id"),
            token.c.kind,
            token.c.expires_at,
            admin.c.id.label("admin_id"),
            admin.c.username,
            admin.c.firstname.label("admin_firstname"),
            admin.c.lastname.label("admin_lastname"),
            admin.c.role_id,
            grant.c.resource_id,
            customer.c.id.label("customer_id"),
            customer.c.email,
            customer.c.firstname,
            customer.c.lastname,
            customer.c.website_id,
            customer.c.is_active,
            customer.c.allow_remote_shopping_assistance,
            assistance.c.id.label("session_id"),
            assistance.c.state,
            assistance.c.expires_at.label("session_expires_at"),
            assistance.c.store_view_id,
            assistance.c.read_only,
            assistance.c.consent,
            assistance.c.admin_user_id.label("acting_admin_id"),
            assistance.c.admin_username.label("acting_username"),
            assistance.c.admin_firstname.label("acting_firstname"),
            assistance.c.admin_lastname.label("acting_lastname"),
            admin_may_login_column(assistance.c.admin_user_id).label("admin_may_login"),
            has_active_store_view_column(customer.c.website_id).label("has_active_view"),
            feature_enabled_column().label("enabled"),
            config_column(DISABLE_PAGE_CACHE_PATH).label("no_page_cache"),
            sa_select(default_view.c.id)
            .where(default_view.c.website_id == customer.c.website_id, default_view.c.is_default)
            .limit(1)
            .scalar_subquery()
            .label("default_view_id"),
            sa_select(website.c.name)
            .where(website.c.id == customer.c.website_id)
            .scalar_subquery()
            .label("website_name"),
            sa_select(session_view.c.name)
            .where(session_view.c.id == assistance.c.store_view_id)
            .scalar_subquery()
            .label("session_view_name"),
        )
        .select_from(token)
        .outerjoin(admin, and_(admin.c.id == token.c.admin_user_id, admin.c.is_active))
        .outerjoin(grant, grant.c.role_id == admin.c.role_id)
        .outerjoin(customer, customer.c.id == token.c.customer_id)
        .outerjoin(assistance, assistance.c.id == token.c.login_as_customer_session_id)
        .where(token.c.token_hash == bindparam("digest"), token.c.revoked_at.is_(None))
    )


# Built once: constructing this statement costs more CPU than running it (`make bench`).
PRINCIPAL_STATEMENT = _principal_statement()


async def resolve_identity(db: RequestSession, *, token: str | None, now: datetime) -> Identity:
    """Who the bearer of `token` is now; an impersonation that fails its re-check
    (resolvers.login_as_customer.policy: assistance session expired, feature off, admin disabled or
    without ::login, consent withdrawn) resolves as anonymous and names the assistance
    session to end with that cause."""
    if token is None:
        return Identity(Anonymous())
    rows = await db.rows(PRINCIPAL_STATEMENT, {"digest": token_digest(token)})
    if not rows:
        return Identity(Anonymous())
    row = rows[0]
    if row.expires_at <= now:
        # An expired impersonation token means its assistance session has run out: EXPIRED.
        if row.session_id is not None and row.state == SessionState.ACTIVE:
            return Identity(Anonymous(), SessionEnding(row.session_id, EndCause.EXPIRED))
        return Identity(Anonymous())
    if row.kind == TokenKind.ADMIN and row.admin_id is not None:
        return Identity(_admin_principal(rows))
    if row.customer_id is None:
        return Identity(Anonymous())
    if row.kind == TokenKind.CUSTOMER and row.is_active:
        return Identity(
            CustomerPrincipal(
                token_id=row.token_id,
                customer=_customer(row),
                website_id=row.website_id,
                store_view_id=row.default_view_id,
                expires_at=row.expires_at,
            )
        )
    if row.kind != TokenKind.IMPERSONATION or row.session_id is None:
        return Identity(Anonymous())
    if row.state != SessionState.ACTIVE:
        return Identity(Anonymous())
    return _impersonation(row, now=now)


def _admin_principal(rows: Sequence[ReadRow]) -> AdminPrincipal:
    """An admin token's principal: one row per resource of the role."""
    row = rows[0]
    return AdminPrincipal(
        token_id=row.token_id,
        admin=AdminSummary(
            id=row.admin_id,
            username=row.username,
            firstname=row.admin_firstname,
            lastname=row.admin_lastname,
        ),
        role_id=row.role_id,
        resources=frozenset(each.resource_id for each in rows if each.resource_id is not None),
    )


def _customer(row: ReadRow) -> CustomerSummary:
    return CustomerSummary(
        id=row.customer_id, email=row.email, name=full_name(row.firstname, row.lastname)
    )


def _impersonation(row: ReadRow, *, now: datetime) -> Identity:
    """An active assistance session's principal, or the cause its re-check fails with."""
    facts = LacFacts(
        feature_enabled=is_enabled(row.enabled),
        admin_may_login=bool(row.admin_may_login),
        customer=CustomerFacts(
            is_active=row.is_active,
            consents=row.allow_remote_shopping_assistance,
            has_active_store_view=bool(row.has_active_view),
        ),
        assistance_expires_at=row.session_expires_at,
        consent=AssistanceConsent(row.consent),
    )
    failed = request_end_cause(facts, now=now)
    if failed is not None:
        return Identity(Anonymous(), SessionEnding(row.session_id, failed))
    return Identity(
        ImpersonationPrincipal(
            token_id=row.token_id,
            customer=_customer(row),
            website_id=row.website_id,
            store_view_id=row.store_view_id,
            expires_at=row.expires_at,
            session_id=row.session_id,
            acting_admin=copied_admin(
                row.acting_admin_id, row.acting_username, row.acting_firstname, row.acting_lastname
            ),
            website_name=row.website_name or "",
            store_view_name=row.session_view_name or "",
            page_cache_disabled=page_cache_disabled(row.no_page_cache),
            read_only=row.read_only,
        )
    )
