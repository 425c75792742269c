"""Admin user management (the CLI's `admin create`; GraphQL mutations build on it)."""

from __future__ import annotations

from sqlmodel import col, select

from db.models import AdminUser, Role
from resolvers.action_log import Action, ActionRecord, run_logged
from resolvers.context import ServiceContext
from resolvers.errors import LacError
from resolvers.passwords import check_password_policy, hash_password


async def create_admin_user(
    ctx: ServiceContext,
    *,
    username: str,
    email: str,
    firstname: str,
    lastname: str,
    role_name: str,
    password: str,
) -> AdminUser:
    """Create an active admin with a role; logged as `admin_user.create`."""

    async def create(record: ActionRecord) -> AdminUser:
        record.details["username"] = username
        check_password_policy(password)
        if not username.strip() or not firstname.strip() or not lastname.strip():
            raise LacError.bad_input("Username, first name and last name are required.")
        if "@" not in email:
            raise LacError.bad_input("Please enter a valid email address.")
        role = (await ctx.db.exec(select(Role).where(Role.name == role_name))).first()
        if role is None or role.id is None:
            raise LacError.bad_input(f"No role named {role_name!r}.")
        taken = (
            await ctx.db.exec(
                select(AdminUser.id).where(
                    (col(AdminUser.username) == username.strip())
                    | (col(AdminUser.email) == email.strip())
                )
            )
        ).first()
        if taken is not None:
            raise LacError.bad_input("A user with the same user name or email already exists.")
        admin = AdminUser(
            username=username.strip(),
            email=email.strip(),
            firstname=firstname.strip(),
            lastname=lastname.strip(),
            role_id=role.id,
            password_hash=await hash_password(password),
            created_at=ctx.clock.now(),
        )
        ctx.db.add(admin)
        await ctx.db.flush()
        record.details["role"] = role.name
        return admin

    return await run_logged(ctx, Action.ADMIN_USER_CREATE, create)
