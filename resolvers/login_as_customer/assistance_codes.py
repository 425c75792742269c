"""One-time assistance codes (DESIGN.md section 15): a customer's consent for one session.

A customer without standing consent reads a 6-digit code to staff (on the phone, say);
`loginAsCustomer` with that code may start one session. A code is stored only as a salted
argon2id digest (core.passwords.code_digest: a million codes are too few for a fast hash),
lives `assistanceCodeLifetimeSeconds`, is used up by the start that redeems it (a
conditional DELETE whose row count decides, race-free on SQLite and PostgreSQL alike), and
a new code replaces the previous one. The fifth wrong code for a customer voids their live
code. Whether a code satisfies consent is the policy's to say
(resolvers.login_as_customer.policy); this module keeps the codes.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, delete, select, update

from lac.core.passwords import code_digest
from lac.db.models import AssistanceCode
from lac.db.upsert import insert_if_missing
from lac.resolvers.auth.principals import CustomerPrincipal, own_customer
from lac.resolvers.context import ServiceContext
from lac.resolvers.errors import ErrorCode, LacError
from lac.resolvers.inputs import row_id
from lac.resolvers.log.writer import Action, ActionRecord, run_logged
from lac.resolvers.login_as_customer.config import LoginAsCustomerConfig, load_config

CODE_DIGITS = 6
SALT_BYTES = 16
MAX_WRONG_CODES = 5
FEATURE_OFF = "Login as Customer is disabled."
CODES_OFF = "One-time assistance codes are disabled."
# stands in for a missing code, so a guess costs the same whether the customer has one
# (its salt never matches a stored one: those are random)
_NO_CODE = "0" * (2 * SALT_BYTES) + "0" * 32


@dataclass(frozen=True, slots=True)
class IssuedCode:
    code: str  # shown once, to the customer who asked; never stored or logged
    expires_at: datetime


async def create_code(ctx: ServiceContext) -> IssuedCode:
    """Give the calling customer a new code, replacing their previous one.

    Own token only (an impersonation token is FORBIDDEN: staff cannot consent for the
    customer). FEATURE_DISABLED while Login as Customer or assistance codes are off.
    Logged as `login_as_customer.code_create` by the customer (the code never in it).
    """
    principal = ctx.principal
    assert isinstance(principal, CustomerPrincipal)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    salt = secrets.token_bytes(SALT_BYTES)
    stored = salt.hex() + (await code_digest(code, salt)).hex()

    async def create(record: ActionRecord) -> IssuedCode:
        record.customer = principal.customer  # a refused try is on record against the account
        own_customer(principal)
        config = await load_config(ctx.db)
        _refuse_if_codes_off(config)
        now = ctx.clock.now()
        expires_at = now + timedelta(seconds=config.assistance_code_lifetime_seconds)
        row = {"code_hash": stored, "created_at": now, "expires_at": expires_at}
        await insert_if_missing(
            ctx.db, AssistanceCode, customer_id=principal.customer.id, failed_attempts=0, **row
        )
        await ctx.db.exec(
            update(AssistanceCode)
            .where(col(AssistanceCode.customer_id) == principal.customer.id)
            .values(failed_attempts=0, **row)
        )
        record.details["expiresAt"] = expires_at.isoformat()
        return IssuedCode(code=code, expires_at=expires_at)

    return await run_logged(ctx, Action.LOGIN_AS_CUSTOMER_CODE_CREATE, create)


def parse_code(code: str | None) -> str | None:
    """A consent code as sent: None or blank is no code, anything but 6 ASCII digits is
    BAD_USER_INPUT (a matter of format: it tells nothing about any customer's code)."""
    if code is None or not code.strip():
        return None
    cleaned = code.strip()
    if len(cleaned) != CODE_DIGITS or not (cleaned.isascii() and cleaned.isdigit()):
        raise LacError.bad_input(f"An assistance code is {CODE_DIGITS} digits.")
    return cleaned


def _refuse_if_codes_off(config: LoginAsCustomerConfig) -> None:
    if not config.enabled:
        raise LacError(ErrorCode.FEATURE_DISABLED, FEATURE_OFF)
    if not config.allow_assistance_codes:
        raise LacError(ErrorCode.FEATURE_DISABLED, CODES_OFF)


@dataclass(frozen=True, slots=True)
class CodeGuess:
    """A code sent by staff, hashed with the salt of the code the customer had when it
    arrived (or a stand-in salt when they had none)."""

    digest: str  # salt and digest, in the stored form


async def prepare_guess(
    ctx: ServiceContext, customer_id: str, code: str | None
) -> CodeGuess | None:
    """Hash a sent code before the start's write transaction opens, so the slow hash never
    holds the writers' lock. None when no code or no well-formed code and id were sent
    (the start then refuses a malformed one, logged, in its transaction).

    The digest is computed whether or not the customer has a code, so timing does not
    tell which.
    """
    try:
        wanted, guessed = row_id(customer_id, what="customer id"), parse_code(code)
    except LacError:
        return None
    if guessed is None:
        return None
    stored = await _stored_digest(ctx, wanted)
    salt_hex = (stored or _NO_CODE)[: 2 * SALT_BYTES]
    return CodeGuess(salt_hex + (await code_digest(guessed, bytes.fromhex(salt_hex))).hex())


async def redeem_code(
    ctx: ServiceContext, record: ActionRecord, customer_id: int, guess: CodeGuess
) -> bool:
    """Use up the customer's live code if `guess` is it; True when this call used it.

    Runs in the start's savepoint: a start that fails later gives the code back (the
    DELETE rolls back), and of concurrent starts with one code only one DELETE finds the
    row. A wrong code is counted against the customer's live code after the start's
    change rolls back, with its FAILURE entry (`ActionRecord.after_failure`); the fifth
    voids the code. A guess hashed for a code replaced since is no guess at that code.
    """
    stored = await _stored_digest(ctx, customer_id)
    if stored is None or stored[: 2 * SALT_BYTES] != guess.digest[: 2 * SALT_BYTES]:
        return False
    if not hmac.compare_digest(guess.digest, stored):
        record.after_failure.append(lambda: _count_wrong_code(ctx, customer_id))
        return False
    used = await ctx.db.exec(
        delete(AssistanceCode).where(
            col(AssistanceCode.customer_id) == customer_id,
            col(AssistanceCode.code_hash) == stored,
            col(AssistanceCode.expires_at) > ctx.clock.now(),
        )
    )
    return used.rowcount == 1


async def _stored_digest(ctx: ServiceContext, customer_id: int) -> str | None:
    statement = select(AssistanceCode.code_hash).where(
        col(AssistanceCode.customer_id) == customer_id
    )
    return (await ctx.db.exec(statement)).first()


async def _count_wrong_code(ctx: ServiceContext, customer_id: int) -> None:
    """One more wrong code for the customer; the fifth deletes their live code."""
    await ctx.db.exec(
        update(AssistanceCode)
        .where(col(AssistanceCode.customer_id) == customer_id)
        .values(failed_attempts=col(AssistanceCode.failed_attempts) + 1)
    )
    await ctx.db.exec(
        delete(AssistanceCode).where(
            col(AssistanceCode.customer_id) == customer_id,
            col(AssistanceCode.failed_attempts) >= MAX_WRONG_CODES,
        )
    )
