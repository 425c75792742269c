"""A customer's own account and their Login-as-Customer consent (DESIGN.md section 7).

Customers change their names, email, consent and password; an admin acting for them
(impersonation) may change the names only. Admins holding Magento_Customer::manage and
::allow_shopping_assistance change consent from the back office. Every consent change
is logged as `consent.update` (by the customer themselves: username = their email, no
admin), and revoking consent ends the customer's live sessions (CONSENT_REVOKED) in the
same transaction. Passwords are verified and hashed before the write transaction opens.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select, update

from lac.core.passwords import hash_password, verify_password
from lac.db.engine import begin_write
from lac.db.models import AuthToken, Customer
from lac.db.queries import require_id
from lac.resolvers.account.customers import CUSTOMER_GONE
from lac.resolvers.account.fields import CUSTOMER_FIELDS
from lac.resolvers.account.password_policy import check_password_policy
from lac.resolvers.auth.principals import (
    CustomerPrincipal,
    ImpersonationPrincipal,
    customer_summary,
)
from lac.resolvers.auth.tokens import TokenKind
from lac.resolvers.context import ServiceContext
from lac.resolvers.errors import LacError
from lac.resolvers.inputs import row_id
from lac.resolvers.log.writer import (
    Action,
    ActionRecord,
    ActionResult,
    run_customer_change,
    run_logged,
    write_entry,
)
from lac.resolvers.login_as_customer.session_end import EndCause, end_live_sessions

CONSENT = "allowRemoteShoppingAssistance"  # the field's name in `changes`

NOT_WHILE_IMPERSONATING = (
    "The email and the remote shopping assistance consent cannot be changed while logged "
    "in as the customer; only the customer can change them."
)
CREDENTIALS_NOT_WHILE_IMPERSONATING = (
    "The password cannot be changed while logged in as the customer; only the customer "
    "can change it."
)
EMAIL_TAKEN = "A customer with the same email address already exists in an associated website."
WRONG_CURRENT_CREDENTIALS = "The password doesn't match this account."


async def update_my_account(
    ctx: ServiceContext,
    *,
    firstname: str | None = None,
    lastname: str | None = None,
    email: str | None = None,
    allow_remote_shopping_assistance: bool | None = None,
) -> Customer:
    """Change the caller's own account; None keeps a value.

    Empty or too long names, an invalid email or one another customer of the website
    has: BAD_USER_INPUT. While impersonating, giving an email or a consent value is
    FORBIDDEN (nothing changes) and a name change is logged as `account.update`. The
    customer's own consent change is logged as `consent.update`; revoking it ends their
    live sessions (CONSENT_REVOKED).
    """
    principal = ctx.principal
    assert isinstance(principal, CustomerPrincipal)
    impersonating = isinstance(principal, ImpersonationPrincipal)

    async def change(record: ActionRecord) -> Customer:
        if impersonating and (email is not None or allow_remote_shopping_assistance is not None):
            raise LacError.forbidden(NOT_WHILE_IMPERSONATING)
        customer = await _locked_customer(ctx, principal.customer.id)
        if customer is None:
            raise LacError.unauthenticated()
        changes: dict[str, dict[str, Any]] = {}
        record.details["changes"] = changes
        if firstname is not None:
            _set(customer, changes, "firstname", CUSTOMER_FIELDS.firstname.check(firstname))
        if lastname is not None:
            _set(customer, changes, "lastname", CUSTOMER_FIELDS.lastname.check(lastname))
        if email is not None:
            new_email = CUSTOMER_FIELDS.email.check(email)
            if new_email != customer.email:
                await _refuse_taken_email(ctx, customer, new_email)
            _set(customer, changes, "email", new_email)
        consent = _set_consent(customer, allow_remote_shopping_assistance)
        await _save(ctx, customer, changed=bool(changes or consent))
        await _end_sessions_if_revoked(ctx, customer, consent)
        if consent and not impersonating:
            await write_entry(
                ctx,
                action=Action.CONSENT_UPDATE,
                result=ActionResult.SUCCESS,
                customer=principal.customer,
                details={"changes": {CONSENT: consent}},
            )
        return customer

    return await run_customer_change(ctx, Action.ACCOUNT_UPDATE, change)


async def change_my_password(
    ctx: ServiceContext, *, current_password: str, new_password: str
) -> bool:
    """Change the caller's own password and revoke their other own tokens.

    FORBIDDEN while impersonating (the attempt is logged as `account.update`, refused as
    any storefront write is in a read-only session). A wrong current password or a new
    one against the policy: BAD_USER_INPUT.
    """
    principal = ctx.principal
    assert isinstance(principal, CustomerPrincipal)
    if isinstance(principal, ImpersonationPrincipal):

        async def refuse(_: ActionRecord) -> bool:
            raise LacError.forbidden(CREDENTIALS_NOT_WHILE_IMPERSONATING)

        return await run_customer_change(ctx, Action.ACCOUNT_UPDATE, refuse)

    customer = await ctx.db.get(Customer, principal.customer.id)
    if customer is None:
        raise LacError.unauthenticated()
    verified_hash = customer.password_hash
    if not await verify_password(verified_hash, current_password):
        raise LacError.bad_input(WRONG_CURRENT_CREDENTIALS)
    check_password_policy(new_password)
    new_hash = await hash_password(new_password)

    await begin_write(ctx.db)
    try:
        customer = await _locked_customer(ctx, principal.customer.id)
        if customer is None:
            raise LacError.unauthenticated()
        if customer.password_hash != verified_hash:  # changed since we verified it
            raise LacError.bad_input(WRONG_CURRENT_CREDENTIALS)
        customer.password_hash = new_hash
        await _save(ctx, customer, changed=True)
        await ctx.db.exec(
            update(AuthToken)
            .where(
                col(AuthToken.customer_id) == customer.id,
                col(AuthToken.kind) == TokenKind.CUSTOMER.value,
                col(AuthToken.id) != principal.token_id,
                col(AuthToken.revoked_at).is_(None),
            )
            .values(revoked_at=ctx.clock.now())
        )
    except Exception:
        await ctx.db.rollback()
        raise
    await ctx.db.commit()
    return True


async def set_remote_shopping_assistance(
    ctx: ServiceContext, customer_id: str, *, allowed: bool
) -> Customer:
    """An admin gives or withdraws a customer's consent; logged as `consent.update`.

    Malformed id: BAD_USER_INPUT; unknown customer: NOT_FOUND. Revoking ends the
    customer's live sessions (CONSENT_REVOKED).
    """

    async def change(record: ActionRecord) -> Customer:
        wanted = row_id(customer_id, what="customer id")
        customer = await _locked_customer(ctx, wanted)
        if customer is None:
            record.details["customerId"] = str(wanted)
            raise LacError.not_found(CUSTOMER_GONE)
        record.customer = customer_summary(customer)
        consent = _set_consent(customer, allowed)
        record.details["changes"] = {CONSENT: consent} if consent else {}
        await _save(ctx, customer, changed=bool(consent))
        await _end_sessions_if_revoked(ctx, customer, consent)
        return customer

    return await run_logged(ctx, Action.CONSENT_UPDATE, change)


async def _locked_customer(ctx: ServiceContext, customer_id: int) -> Customer | None:
    """The customer row, read afresh and locked until the transaction ends."""
    statement = select(Customer).where(col(Customer.id) == customer_id).with_for_update()
    return (await ctx.db.exec(statement.execution_options(populate_existing=True))).first()


def _set(customer: Customer, changes: dict[str, dict[str, Any]], name: str, value: str) -> None:
    old = getattr(customer, name)
    if value != old:
        changes[name] = {"old": old, "new": value}
        setattr(customer, name, value)


def _set_consent(customer: Customer, allowed: bool | None) -> dict[str, bool] | None:
    """Apply a consent value; the {old, new} change, or None when nothing changed."""
    old = customer.allow_remote_shopping_assistance
    if allowed is None or allowed == old:
        return None
    customer.allow_remote_shopping_assistance = allowed
    return {"old": old, "new": allowed}


async def _end_sessions_if_revoked(
    ctx: ServiceContext, customer: Customer, consent: dict[str, bool] | None
) -> None:
    """Revoked consent ends the customer's live Login-as-Customer sessions."""
    if consent is not None and not consent["new"]:
        await end_live_sessions(ctx, EndCause.CONSENT_REVOKED, customer_id=require_id(customer))


async def _save(ctx: ServiceContext, customer: Customer, *, changed: bool) -> None:
    """Write the customer row (stamping `updated_at` when something changed).

    A concurrent change that took the same email first is BAD_USER_INPUT.
    """
    if not changed:
        return
    customer.updated_at = ctx.clock.now()
    ctx.db.add(customer)
    try:
        await ctx.db.flush()
    except IntegrityError as error:
        raise LacError.bad_input(EMAIL_TAKEN) from error


async def _refuse_taken_email(ctx: ServiceContext, customer: Customer, email: str) -> None:
    """Refuse an email another customer of the same website has (in any case)."""
    statement = select(Customer.id).where(
        col(Customer.website_id) == customer.website_id,
        func.lower(Customer.email) == email,
        col(Customer.id) != customer.id,
    )
    if (await ctx.db.exec(statement)).first() is not None:
        raise LacError.bad_input(EMAIL_TAKEN)
