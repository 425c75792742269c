"""Turn a request's bearer token and peer address into a principal and a client.

Runs once per request, before GraphQL: one indexed, joined query reads the token,
its account and (for admins) the role's resources, so a role change or a disabled
account takes effect on the very next request.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime

from sqlmodel import and_, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import AdminUser, AuthToken, Customer, RoleResource
from lac.settings import Network
from resolvers.principals import (
    AdminPrincipal,
    AdminSummary,
    Anonymous,
    CustomerPrincipal,
    CustomerSummary,
    Principal,
    full_name,
)
from resolvers.tokens import TokenKind, token_digest

BEARER = "bearer "


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if any."""
    if not authorization or not authorization.lower().startswith(BEARER):
        return None
    return authorization[len(BEARER) :].strip() or None


async def resolve_principal(
    session: AsyncSession, *, token: str | None, now: datetime
) -> Principal:
    if token is None:
        return Anonymous()
    statement = (
        select(AuthToken, AdminUser, RoleResource.resource_id, Customer)
        .outerjoin(
            AdminUser,
            and_(col(AdminUser.id) == col(AuthToken.admin_user_id), col(AdminUser.is_active)),
        )
        .outerjoin(RoleResource, col(RoleResource.role_id) == col(AdminUser.role_id))
        .outerjoin(
            Customer,
            and_(col(Customer.id) == col(AuthToken.customer_id), col(Customer.is_active)),
        )
        .where(
            AuthToken.token_hash == token_digest(token),
            col(AuthToken.revoked_at).is_(None),
            col(AuthToken.expires_at) > now,
        )
    )
    rows = (await session.exec(statement)).all()
    if not rows:
        return Anonymous()
    token_row, admin, _, customer = rows[0]
    assert token_row.id is not None
    if token_row.kind == TokenKind.ADMIN and admin is not None:
        assert admin.id is not None
        return AdminPrincipal(
            token_id=token_row.id,
            admin=AdminSummary(
                id=admin.id,
                username=admin.username,
                firstname=admin.firstname,
                lastname=admin.lastname,
            ),
            role_id=admin.role_id,
            resources=frozenset(resource for _, _, resource, _ in rows if resource is not None),
        )
    if token_row.kind == TokenKind.CUSTOMER and customer is not None:
        assert customer.id is not None
        return CustomerPrincipal(
            token_id=token_row.id,
            customer=CustomerSummary(
                id=customer.id,
                email=customer.email,
                name=full_name(customer.firstname, customer.lastname),
            ),
            website_id=customer.website_id,
        )
    return Anonymous()


def resolve_client_ip(
    peer: str | None, forwarded_for: str | None, trusted_proxies: tuple[Network, ...]
) -> str | None:
    """The client's address: the socket peer, or, behind trusted proxies, the nearest
    untrusted `X-Forwarded-For` hop.

    The header is read right to left and only while each hop is a trusted proxy, so a
    client cannot choose its logged address by sending its own header.
    """
    if peer is None or not forwarded_for or not _is_trusted(peer, trusted_proxies):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted_proxies):
            return hop if _parse_ip(hop) is not None else peer
    return hops[0] if hops else peer


def _parse_ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def _is_trusted(address: str, trusted_proxies: tuple[Network, ...]) -> bool:
    ip = _parse_ip(address)
    return ip is not None and any(ip in network for network in trusted_proxies)
