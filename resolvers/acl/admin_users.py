"""Admin user management (Magento_User::acl_users; the CLI's `admin create` too).

Every change runs under the ACL lock of `resolvers.acl.roles` and keeps its rule: at least
one active admin user whose role holds Magento_Backend::all. Deactivating an admin or
changing their password revokes their live tokens, so it takes effect at once.
Passwords are hashed before the write transaction opens, so the slow hash never holds
the write lock, and never reach the action log.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select, update

from lac.core.passwords import hash_password
from lac.db.models import AdminUser, AuthToken, Role
from lac.db.queries import require_id
from lac.resolvers.account.fields import ADMIN_FIELDS, ADMIN_USERNAME
from lac.resolvers.account.password_policy import check_password_policy
from lac.resolvers.acl.resources import ALL
from lac.resolvers.acl.roles import (
    ROLE_NAME,
    ensure_superuser_remains,
    ensure_within_own_privileges,
    get_role,
    lock_acl,
    role_resources,
)
from lac.resolvers.auth.principals import AdminPrincipal
from lac.resolvers.context import ServiceContext
from lac.resolvers.errors import LacError
from lac.resolvers.inputs import name_key, row_id, shown
from lac.resolvers.log.writer import Action, ActionRecord, run_logged

USER_NOT_FOUND = "This user no longer exists."
USER_TAKEN = "A user with the same user name or email already exists."
HIDDEN = "***"  # what the log says for a password, old and new


async def list_admin_users(ctx: ServiceContext) -> Sequence[AdminUser]:
    return (await ctx.db.exec(select(AdminUser).order_by(col(AdminUser.id)))).all()


async def create_admin_user(
    ctx: ServiceContext,
    *,
    username: str,
    email: str,
    firstname: str,
    lastname: str,
    password: str,
    role_id: str | None = None,
    role_name: str | None = None,
) -> AdminUser:
    """Create an active admin with the role of this id (GraphQL) or name (CLI); logged as
    `admin_user.create`.

    An unknown role id is NOT_FOUND, a malformed one or an unknown role name
    BAD_USER_INPUT (ids come as sent and are parsed inside the logged change).
    """
    if (role_id is None) == (role_name is None):
        raise ValueError("give exactly one of role_id and role_name")
    password_hash = await _hash_if_allowed(password)

    async def create(record: ActionRecord) -> AdminUser:
        record.details["username"] = username
        new_username = ADMIN_USERNAME.check(username)
        new_firstname = ADMIN_FIELDS.firstname.check(firstname)
        new_lastname = ADMIN_FIELDS.lastname.check(lastname)
        new_email = ADMIN_FIELDS.email.check(email)
        check_password_policy(password)
        assert password_hash is not None
        wanted_role = None if role_id is None else row_id(role_id, what="role id")
        await lock_acl(ctx)
        role = await _role_for(ctx, role_id=wanted_role, role_name=role_name)
        await ensure_within_own_privileges(
            ctx, await role_resources(ctx, require_id(role)), doing="give this role"
        )
        await _refuse_taken(ctx, username=new_username, email=new_email, admin_user_id=None)
        admin = AdminUser(
            username=new_username,
            email=new_email,
            firstname=new_firstname,
            lastname=new_lastname,
            role_id=require_id(role),
            password_hash=password_hash,
            created_at=ctx.clock.now(),
        )
        ctx.db.add(admin)
        await ctx.db.flush()
        record.details.update(adminUserId=str(admin.id), role=role.name)
        return admin

    return await run_logged(ctx, Action.ADMIN_USER_CREATE, create)


async def update_admin_user(
    ctx: ServiceContext,
    admin_user_id: str,
    *,
    email: str | None = None,
    firstname: str | None = None,
    lastname: str | None = None,
    password: str | None = None,
    role_id: str | None = None,
    is_active: bool | None = None,
) -> AdminUser:
    """Change an admin user's fields (None keeps the value); logged as `admin_user.update`
    with the changes (a password change shows as "***", never the value).

    Refused when it would leave no active admin user with Magento_Backend::all.
    Deactivating the user or changing their password revokes all their live tokens.
    Ids come as sent (malformed: BAD_USER_INPUT, logged).
    """
    password_hash = None if password is None else await _hash_if_allowed(password)

    async def change(record: ActionRecord) -> AdminUser:
        user_id = record.id_argument("adminUserId", admin_user_id, what="admin user id")
        new_role_id = None if role_id is None else row_id(role_id, what="role id")
        await lock_acl(ctx)
        admin = await _get_admin_user(ctx, user_id)
        record.details["username"] = admin.username
        old_role = await get_role(ctx, admin.role_id)
        record.details["role"] = old_role.name
        old_resources = await role_resources(ctx, admin.role_id)
        await ensure_within_own_privileges(ctx, old_resources, doing="change this admin user")
        was_superuser = admin.is_active and ALL in old_resources
        changes: dict[str, dict[str, object]] = {}
        record.details["changes"] = changes

        if email is not None:
            new_email = ADMIN_FIELDS.email.check(email)
            if new_email != admin.email:
                await _refuse_taken(ctx, username=None, email=new_email, admin_user_id=admin.id)
                changes["email"] = {"old": admin.email, "new": new_email}
                admin.email = new_email
        if firstname is not None:
            new_firstname = ADMIN_FIELDS.firstname.check(firstname)
            if new_firstname != admin.firstname:
                changes["firstname"] = {"old": admin.firstname, "new": new_firstname}
                admin.firstname = new_firstname
        if lastname is not None:
            new_lastname = ADMIN_FIELDS.lastname.check(lastname)
            if new_lastname != admin.lastname:
                changes["lastname"] = {"old": admin.lastname, "new": new_lastname}
                admin.lastname = new_lastname
        if password is not None:
            check_password_policy(password)
            assert password_hash is not None
            changes["password"] = {"old": HIDDEN, "new": HIDDEN}
            admin.password_hash = password_hash
        if new_role_id is not None and new_role_id != admin.role_id:
            new_role = await get_role(ctx, new_role_id)
            await ensure_within_own_privileges(
                ctx, await role_resources(ctx, new_role_id), doing="give this role"
            )
            changes["roleId"] = {"old": str(admin.role_id), "new": str(new_role_id)}
            changes["role"] = {"old": old_role.name, "new": new_role.name}
            admin.role_id = new_role_id
        if is_active is not None and is_active != admin.is_active:
            changes["isActive"] = {"old": admin.is_active, "new": is_active}
            admin.is_active = is_active
        ctx.db.add(admin)
        await ctx.db.flush()

        is_superuser = admin.is_active and ALL in await role_resources(ctx, admin.role_id)
        if was_superuser and not is_superuser:
            await ensure_superuser_remains(ctx, _last_superuser_message(ctx, admin, changes))
        if "password" in changes or ("isActive" in changes and not admin.is_active):
            record.details["revokedTokens"] = await _revoke_live_tokens(ctx, user_id)
        return admin

    return await run_logged(ctx, Action.ADMIN_USER_UPDATE, change)


def _last_superuser_message(
    ctx: ServiceContext, admin: AdminUser, changes: dict[str, dict[str, object]]
) -> str:
    principal = ctx.principal
    yourself = isinstance(principal, AdminPrincipal) and principal.admin.id == admin.id
    who = "You are" if yourself else f"{admin.username!r} is"
    what = "deactivated" if "isActive" in changes else f"given a role without {ALL}"
    return (
        f"{who} the last active admin user with {ALL} and cannot be {what}: "
        f"at least one active admin user must keep {ALL}."
    )


async def _hash_if_allowed(password: str) -> str | None:
    """The hash of a password the policy allows; None for one it refuses (the logged
    change then refuses it)."""
    try:
        check_password_policy(password)
    except LacError:
        return None
    return await hash_password(password)


async def _get_admin_user(ctx: ServiceContext, admin_user_id: int) -> AdminUser:
    statement = select(AdminUser).where(col(AdminUser.id) == admin_user_id)
    admin = (await ctx.db.exec(statement.execution_options(populate_existing=True))).first()
    if admin is None:
        raise LacError.not_found(USER_NOT_FOUND)
    return admin


async def _role_for(ctx: ServiceContext, *, role_id: int | None, role_name: str | None) -> Role:
    if role_id is not None:
        return await get_role(ctx, role_id)
    assert role_name is not None
    name = ROLE_NAME.check(role_name)
    role = (await ctx.db.exec(select(Role).where(Role.name == name))).first()
    if role is None:
        raise LacError.bad_input(f"No role named {shown(name)}.")
    return role


async def _refuse_taken(
    ctx: ServiceContext, *, username: str | None, email: str, admin_user_id: int | None
) -> None:
    """Refuse a user name or email another admin user has, in any case or Unicode form
    (compared by `name_key` in Python, the same on both engines; the ACL lock keeps it
    race-free)."""
    email_key = name_key(email)
    username_key = None if username is None else name_key(username)
    rows = await ctx.db.exec(select(AdminUser.id, AdminUser.username, AdminUser.email))
    for id_, other_username, other_email in rows.all():
        if id_ != admin_user_id and (
            name_key(other_email) == email_key or name_key(other_username) == username_key
        ):
            raise LacError.bad_input(USER_TAKEN)


async def _revoke_live_tokens(ctx: ServiceContext, admin_user_id: int) -> int:
    """Revoke every unexpired, unrevoked token of an admin user; how many there were."""
    now = ctx.clock.now()
    result = await ctx.db.exec(
        update(AuthToken)
        .where(
            col(AuthToken.admin_user_id) == admin_user_id,
            col(AuthToken.revoked_at).is_(None),
            col(AuthToken.expires_at) > now,
        )
        .values(revoked_at=now)
    )
    return int(result.rowcount)
