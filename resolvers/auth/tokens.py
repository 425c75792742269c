"""Opaque bearer tokens: random, SHA-256 at rest, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import col, update
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.models import AuthToken


class TokenKind(StrEnum):
    ADMIN = "admin"
    CUSTOMER = "customer"
    IMPERSONATION = "impersonation"


TOKEN_PREFIX = {
    TokenKind.ADMIN: "lac_a_",
    TokenKind.CUSTOMER: "lac_c_",
    TokenKind.IMPERSONATION: "lac_c_",
}


def token_digest(token: str) -> str:
    """The stored form of a token.

    Lookups compare digests inside an index, so a caller cannot learn a stored
    token byte by byte from answer times.
    """
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    row: AuthToken

    @property
    def expires_at(self) -> datetime:
        return self.row.expires_at


async def issue_token(
    session: AsyncSession,
    *,
    kind: TokenKind,
    now: datetime,
    lifetime: timedelta,
    admin_user_id: int | None = None,
    customer_id: int | None = None,
    login_as_customer_session_id: int | None = None,
) -> IssuedToken:
    token = TOKEN_PREFIX[kind] + secrets.token_urlsafe(32)
    row = AuthToken(
        token_hash=token_digest(token),
        kind=kind.value,
        admin_user_id=admin_user_id,
        customer_id=customer_id,
        login_as_customer_session_id=login_as_customer_session_id,
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    await session.flush()
    return IssuedToken(token=token, row=row)


async def revoke_token(session: AsyncSession, *, token_id: int, now: datetime) -> None:
    await session.exec(
        update(AuthToken)
        .where(col(AuthToken.id) == token_id, col(AuthToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )
