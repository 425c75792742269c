"""Roles: named sets of ACL resources (Magento_User::acl_roles), and the rule that keeps
the shop administrable.

The rule: no change may leave the shop without an active admin user whose role holds
`Magento_Backend::all`. Changes that could break it run under one ACL lock (PostgreSQL
`pg_advisory_xact_lock`; SQLite's `BEGIN IMMEDIATE` already serializes writers), so
two admins demoting each other at once cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel import col, delete, func, select

from lac.db.locks import ACL_LOCK_KEY, advisory_xact_lock
from lac.db.models import AdminUser, Role, RoleResource
from lac.db.queries import require_id
from lac.resolvers.acl.resources import ALL, KNOWN_RESOURCES, holds_all
from lac.resolvers.auth.principals import AdminPrincipal
from lac.resolvers.context import ServiceContext
from lac.resolvers.errors import LacError
from lac.resolvers.inputs import TextInput, name_key, shown
from lac.resolvers.log.writer import Action, ActionRecord, run_logged

ROLE_NOT_FOUND = "This role no longer exists."
ROLE_NAME = TextInput.of(Role, "name", "The role name", required="The role name cannot be empty.")


async def list_roles(ctx: ServiceContext) -> Sequence[Role]:
    return (await ctx.db.exec(select(Role).order_by(col(Role.id)))).all()


async def find_role(ctx: ServiceContext, role_id: int) -> Role | None:
    statement = select(Role).where(col(Role.id) == role_id)
    return (await ctx.db.exec(statement.execution_options(populate_existing=True))).first()


async def get_role(ctx: ServiceContext, role_id: int) -> Role:
    """The role with this id, or NOT_FOUND."""
    role = await find_role(ctx, role_id)
    if role is None:
        raise LacError.not_found(ROLE_NOT_FOUND)
    return role


async def role_resources(ctx: ServiceContext, role_id: int) -> list[str]:
    """The role's resource ids, sorted as `check_resources` sorts (not by SQL collation)."""
    rows = await ctx.db.exec(
        select(RoleResource.resource_id).where(RoleResource.role_id == role_id)
    )
    return sorted(rows.all())


async def lock_acl(ctx: ServiceContext) -> None:
    """Serialize role and admin-user changes until the transaction ends.

    Called first in each such change, so the checks that follow read what every
    earlier change committed.
    """
    await advisory_xact_lock(ctx.db, ACL_LOCK_KEY)


async def count_superusers(ctx: ServiceContext) -> int:
    """How many active admin users have a role holding Magento_Backend::all."""
    await ctx.db.flush()
    statement = (
        select(func.count())
        .select_from(AdminUser)
        .join(RoleResource, col(RoleResource.role_id) == col(AdminUser.role_id))
        .where(col(AdminUser.is_active), RoleResource.resource_id == ALL)
    )
    return (await ctx.db.exec(statement)).one()


async def ensure_within_own_privileges(
    ctx: ServiceContext, resources: Iterable[str], *, doing: str
) -> None:
    """Refuse (FORBIDDEN) to grant, or to manage the holders of, resources the acting admin
    does not hold: holding acl_roles or acl_users must not be a way to become superuser.

    Magento_Backend::all holds everything. The command line (no admin principal) is the
    operator with database access and is not limited.
    """
    principal = ctx.principal
    if not isinstance(principal, AdminPrincipal) or holds_all(principal.resources, resources):
        return
    missing = ", ".join(sorted(set(resources) - principal.resources))
    raise LacError.forbidden(f"You may not {doing}: it needs {missing}, which you do not hold.")


async def ensure_superuser_remains(ctx: ServiceContext, message: str) -> None:
    """Refuse (BAD_USER_INPUT) a change that left no active admin with Magento_Backend::all."""
    if await count_superusers(ctx) == 0:
        raise LacError.bad_input(message)


def check_resources(resources: Iterable[str]) -> list[str]:
    """The distinct resource ids to grant, sorted; unknown ids are refused by name."""
    wanted = sorted(set(resources))
    unknown = [shown(resource) for resource in wanted if resource not in KNOWN_RESOURCES]
    if unknown:
        raise LacError.bad_input(f"Unknown ACL resources: {', '.join(unknown)}.")
    return wanted


async def _refuse_taken_name(ctx: ServiceContext, name: str, *, role_id: int | None) -> None:
    """Refuse a name another role has in any case or Unicode form (compared by
    `name_key` in Python, the same on both engines; the ACL lock keeps it race-free)."""
    rows = await ctx.db.exec(select(Role.id, Role.name))
    if any(name_key(other) == name_key(name) for id_, other in rows.all() if id_ != role_id):
        raise LacError.bad_input(f"A role named {shown(name)} already exists.")


async def create_role(ctx: ServiceContext, *, name: str, resources: Sequence[str]) -> Role:
    """Create a role granting `resources`; logged as `role.create`."""

    async def create(record: ActionRecord) -> Role:
        record.details["role"] = name
        role_name = ROLE_NAME.check(name)
        granted = check_resources(resources)
        await ensure_within_own_privileges(ctx, granted, doing="grant these resources")
        await lock_acl(ctx)
        await _refuse_taken_name(ctx, role_name, role_id=None)
        role = Role(name=role_name)
        ctx.db.add(role)
        await ctx.db.flush()
        role_id = require_id(role)
        ctx.db.add_all(RoleResource(role_id=role_id, resource_id=r) for r in granted)
        await ctx.db.flush()
        record.details.update(roleId=str(role_id), role=role_name, resources=granted)
        return role

    return await run_logged(ctx, Action.ROLE_CREATE, create)


async def update_role(
    ctx: ServiceContext,
    role_id: str,
    *,
    name: str | None = None,
    resources: Sequence[str] | None = None,
) -> Role:
    """Rename a role and/or replace its resources (None keeps the value); logged as
    `role.update` with the changes. `role_id` is the id as sent (malformed:
    BAD_USER_INPUT, logged like any refusal).

    Taking Magento_Backend::all from the role that gives it to the last active admin
    holding it is refused.
    """

    async def update(record: ActionRecord) -> Role:
        id_ = record.id_argument("roleId", role_id, what="role id")
        await lock_acl(ctx)
        role = await get_role(ctx, id_)
        record.details["role"] = role.name
        await ensure_within_own_privileges(
            ctx, await role_resources(ctx, id_), doing="change this role"
        )
        changes: dict[str, dict[str, object]] = {}
        record.details["changes"] = changes
        if name is not None:
            new_name = ROLE_NAME.check(name)
            if new_name != role.name:
                await _refuse_taken_name(ctx, new_name, role_id=id_)
                changes["name"] = {"old": role.name, "new": new_name}
                role.name = new_name
                ctx.db.add(role)
        if resources is not None:
            old = await role_resources(ctx, id_)
            new = check_resources(resources)
            await ensure_within_own_privileges(ctx, new, doing="grant these resources")
            if new != old:
                changes["resources"] = {"old": old, "new": new}
                await _replace_resources(ctx, id_, old=old, new=new)
                if ALL in old and ALL not in new:
                    await ensure_superuser_remains(
                        ctx,
                        f"The role {role.name!r} gives {ALL} to the last active admin users "
                        f"who have it; at least one active admin user must keep {ALL}.",
                    )
        await ctx.db.flush()
        return role

    return await run_logged(ctx, Action.ROLE_UPDATE, update)


async def _replace_resources(
    ctx: ServiceContext, role_id: int, *, old: Sequence[str], new: Sequence[str]
) -> None:
    removed = set(old) - set(new)
    if removed:
        await ctx.db.exec(
            delete(RoleResource).where(
                col(RoleResource.role_id) == role_id, col(RoleResource.resource_id).in_(removed)
            )
        )
    added = sorted(set(new) - set(old))
    ctx.db.add_all(RoleResource(role_id=role_id, resource_id=r) for r in added)
    await ctx.db.flush()


async def delete_role(ctx: ServiceContext, role_id: str) -> bool:
    """Delete a role no admin user holds; logged as `role.delete` with what it granted.
    `role_id` is the id as sent (malformed: BAD_USER_INPUT, logged)."""

    async def remove(record: ActionRecord) -> bool:
        id_ = record.id_argument("roleId", role_id, what="role id")
        await lock_acl(ctx)
        role = await get_role(ctx, id_)
        record.details["role"] = role.name
        await ensure_within_own_privileges(
            ctx, await role_resources(ctx, id_), doing="delete this role"
        )
        principal = ctx.principal
        if isinstance(principal, AdminPrincipal) and principal.role_id == id_:
            raise LacError.bad_input("You cannot delete self-assigned roles.")
        holders = (
            await ctx.db.exec(
                select(func.count()).select_from(AdminUser).where(AdminUser.role_id == id_)
            )
        ).one()
        if holders:
            raise LacError.bad_input(
                f"The role {role.name!r} is assigned to {holders} admin user(s); "
                "give them another role first."
            )
        record.details["resources"] = await role_resources(ctx, id_)
        await ctx.db.exec(delete(RoleResource).where(col(RoleResource.role_id) == id_))
        await ctx.db.delete(role)
        await ctx.db.flush()
        return True

    return await run_logged(ctx, Action.ROLE_DELETE, remove)
