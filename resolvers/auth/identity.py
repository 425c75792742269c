"""Turn a request's bearer token into a principal (schema/http/client.py reads the token and
the client address from the HTTP request).

Runs once per request, before GraphQL: one indexed, joined query reads the token,
its account, (for admins) the role's resources and (for impersonation) the assistance session
with everything its re-check and the storefront banner need, so a role change, a
disabled account or a withdrawn consent takes effect on the very next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.models import (
    AdminUser,
    AuthToken,
    ConfigValue,
    Customer,
    LoginAsCustomerSession,
    RoleResource,
    StoreView,
    Website,
)
from lac.resolvers.auth.principals import (
    AdminPrincipal,
    Anonymous,
    CustomerPrincipal,
    ImpersonationPrincipal,
    Principal,
    admin_summary,
    customer_summary,
)
from lac.resolvers.auth.tokens import TokenKind, token_digest
from lac.resolvers.login_as_customer.config import (
    DISABLE_PAGE_CACHE_PATH,
    is_enabled,
    page_cache_disabled,
)
from lac.resolvers.login_as_customer.policy import (
    AssistanceConsent,
    LacFacts,
    admin_may_login_column,
    customer_facts,
    feature_enabled_column,
    has_active_store_view_column,
    request_end_cause,
)
from lac.resolvers.login_as_customer.session_end import EndCause, SessionState, session_admin


@dataclass(frozen=True, slots=True)
class SessionEnding:
    """An assistance session that failed its per-request re-check and must end."""

    session: LoginAsCustomerSession
    cause: EndCause


@dataclass(frozen=True, slots=True)
class Identity:
    principal: Principal
    ending: SessionEnding | None = None


def _principal_statement() -> Select[Any]:
    """Token, account, role resources, assistance session and its re-check facts, and
    the banner names, in one indexed query."""
    config_value = aliased(ConfigValue)
    session_view = aliased(StoreView)
    default_view = aliased(StoreView)

    def config(path: str) -> Any:
        return (
            sa_select(col(config_value.value))
            .where(col(config_value.path) == path)
            .scalar_subquery()
        )

    return (
        sa_select(
            AuthToken,
            AdminUser,
            col(RoleResource.resource_id),
            Customer,
            LoginAsCustomerSession,
            admin_may_login_column(col(LoginAsCustomerSession.admin_user_id)),
            has_active_store_view_column(col(Customer.website_id)),
            feature_enabled_column(),
            config(DISABLE_PAGE_CACHE_PATH),
            sa_select(col(default_view.id))
            .where(
                col(default_view.website_id) == col(Customer.website_id),
                col(default_view.is_default),
            )
            .limit(1)
            .scalar_subquery(),
            sa_select(col(Website.name))
            .where(col(Website.id) == col(Customer.website_id))
            .scalar_subquery(),
            sa_select(col(session_view.name))
            .where(col(session_view.id) == col(LoginAsCustomerSession.store_view_id))
            .scalar_subquery(),
        )
        .outerjoin(
            AdminUser,
            and_(col(AdminUser.id) == col(AuthToken.admin_user_id), col(AdminUser.is_active)),
        )
        .outerjoin(RoleResource, col(RoleResource.role_id) == col(AdminUser.role_id))
        .outerjoin(Customer, col(Customer.id) == col(AuthToken.customer_id))
        .outerjoin(
            LoginAsCustomerSession,
            col(LoginAsCustomerSession.id) == col(AuthToken.login_as_customer_session_id),
        )
        .where(
            col(AuthToken.token_hash) == bindparam("digest"), col(AuthToken.revoked_at).is_(None)
        )
    )


# Built once: constructing this statement costs more CPU than running it (bench/hot_paths.py).
PRINCIPAL_STATEMENT = _principal_statement()


async def resolve_identity(db: AsyncSession, *, token: str | None, now: datetime) -> Identity:
    """Who the bearer of `token` is now; an impersonation that fails its re-check
    (resolvers.login_as_customer.policy: assistance session expired, feature off, admin disabled or
    without ::login, consent withdrawn) resolves as anonymous and names the assistance
    session to end with that cause."""
    if token is None:
        return Identity(Anonymous())
    rows = (
        await db.exec(PRINCIPAL_STATEMENT, params={"digest": token_digest(token)})  # type: ignore[call-overload]
    ).all()
    if not rows:
        return Identity(Anonymous())
    (
        token_row,
        admin,
        _,
        customer,
        assistance,
        admin_may_login,
        has_active_view,
        enabled,
        no_page_cache,
        default_view_id,
        website_name,
        session_view_name,
    ) = rows[0]
    if token_row.expires_at <= now:
        # An expired impersonation token means its assistance session has run out: EXPIRED.
        if assistance is not None and assistance.state == SessionState.ACTIVE:
            return Identity(Anonymous(), SessionEnding(assistance, EndCause.EXPIRED))
        return Identity(Anonymous())
    if token_row.kind == TokenKind.ADMIN and admin is not None:
        return Identity(
            AdminPrincipal(
                token_id=token_row.id,
                admin=admin_summary(admin),
                role_id=admin.role_id,
                resources=frozenset(row[2] for row in rows if row[2] is not None),
            )
        )
    if customer is None:
        return Identity(Anonymous())
    summary = customer_summary(customer)
    if token_row.kind == TokenKind.CUSTOMER and customer.is_active:
        return Identity(
            CustomerPrincipal(
                token_id=token_row.id,
                customer=summary,
                website_id=customer.website_id,
                store_view_id=default_view_id,
                expires_at=token_row.expires_at,
            )
        )
    if (
        token_row.kind != TokenKind.IMPERSONATION
        or assistance is None
        or assistance.state != SessionState.ACTIVE
    ):
        return Identity(Anonymous())
    facts = LacFacts(
        feature_enabled=is_enabled(enabled),
        admin_may_login=bool(admin_may_login),
        customer=customer_facts(customer, has_active_view),
        assistance_expires_at=assistance.expires_at,
        consent=AssistanceConsent(assistance.consent),
    )
    failed = request_end_cause(facts, now=now)
    if failed is not None:
        return Identity(Anonymous(), SessionEnding(assistance, failed))
    return Identity(
        ImpersonationPrincipal(
            token_id=token_row.id,
            customer=summary,
            website_id=customer.website_id,
            store_view_id=assistance.store_view_id,
            expires_at=token_row.expires_at,
            session_id=assistance.id,
            acting_admin=session_admin(assistance),
            website_name=website_name or "",
            store_view_name=session_view_name or "",
            page_cache_disabled=page_cache_disabled(no_page_cache),
            read_only=assistance.read_only,
        )
    )
