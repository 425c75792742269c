"""Root fields for roles and admin users (Magento_User::acl_roles, Magento_User::acl_users)."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated

import strawberry

from lac.db.queries import require_id
from lac.resolvers.acl import admin_users, resources, roles
from lac.schema.context import Info, service
from lac.schema.ids import parse_id
from lac.schema.permissions import RequiresPermission, guard
from lac.schema.types.admin import (
    AdminUser,
    CreateAdminUserInput,
    CreateRoleInput,
    Role,
    UpdateAdminUserInput,
    UpdateRoleInput,
)

RoleId = Annotated[strawberry.ID, strawberry.argument(description="The role's id.")]
AdminUserId = Annotated[strawberry.ID, strawberry.argument(description="The admin user's id.")]


def forget_role(info: Info, role_id: int) -> None:
    """Drop a changed role from this request's loaders, so later fields read it anew."""
    # strawberry's `DataLoader.clear` raises KeyError for a key it never loaded
    with suppress(KeyError):
        info.context.loaders.role.clear(role_id)
    with suppress(KeyError):
        info.context.loaders.role_resources.clear(role_id)


@strawberry.type
class AdminQuery:
    @strawberry.field(
        description="All roles, by id.",
        extensions=guard(RequiresPermission(resources.ROLES)),
    )
    async def roles(self, info: Info) -> list[Role]:
        return [Role.from_row(row) for row in await roles.list_roles(service(info))]

    @strawberry.field(
        description=(
            'One role; an unknown id is a NOT_FOUND error ("This role no longer exists.").'
        ),
        extensions=guard(RequiresPermission(resources.ROLES)),
    )
    async def role(self, info: Info, id: RoleId) -> Role | None:
        return Role.from_row(await roles.get_role(service(info), parse_id(id, what="role id")))

    @strawberry.field(
        description="All admin users, by id, active or not.",
        extensions=guard(RequiresPermission(resources.ADMIN_USERS)),
    )
    async def admin_users(self, info: Info) -> list[AdminUser]:
        return [
            AdminUser.from_row(row) for row in await admin_users.list_admin_users(service(info))
        ]


@strawberry.type
class AdminMutation:
    @strawberry.mutation(
        description=(
            "Create a role. An empty or taken name, or an "
            "unknown resource id, is BAD_USER_INPUT. Logged as role.create."
        ),
        extensions=guard(RequiresPermission(resources.ROLES)),
    )
    async def create_role(self, info: Info, input: CreateRoleInput) -> Role:
        row = await roles.create_role(service(info), name=input.name, resources=input.resources)
        return Role.from_row(row)

    @strawberry.mutation(
        description=(
            "Rename a role and/or replace its resources; omitted fields keep their value. "
            "Unknown id: NOT_FOUND. Empty or taken name, "
            "unknown resource ids, or taking Magento_Backend::all from the last active admin "
            "users who have it: BAD_USER_INPUT. Takes effect on the holders' next request. "
            "Logged as role.update with the changes."
        ),
        extensions=guard(RequiresPermission(resources.ROLES)),
    )
    async def update_role(
        self,
        info: Info,
        id: RoleId,
        input: UpdateRoleInput,
    ) -> Role:
        row = await roles.update_role(service(info), id, name=input.name, resources=input.resources)
        forget_role(info, require_id(row))
        return Role.from_row(row)

    @strawberry.mutation(
        description=(
            "Delete a role. Unknown id: NOT_FOUND. A role "
            "that admin users hold (your own included) cannot be deleted: BAD_USER_INPUT. "
            "Logged as role.delete."
        ),
        extensions=guard(RequiresPermission(resources.ROLES)),
    )
    async def delete_role(self, info: Info, id: RoleId) -> bool:
        deleted = await roles.delete_role(service(info), id)
        forget_role(info, parse_id(id, what="role id"))
        return deleted

    @strawberry.mutation(
        description=(
            "Create an active admin user. Unknown role id: "
            "NOT_FOUND. Taken user name or email, an empty name, an invalid email or a "
            "password against the policy: BAD_USER_INPUT. Logged as admin_user.create."
        ),
        extensions=guard(RequiresPermission(resources.ADMIN_USERS)),
    )
    async def create_admin_user(
        self,
        info: Info,
        input: CreateAdminUserInput,
    ) -> AdminUser:
        row = await admin_users.create_admin_user(
            service(info),
            username=input.username,
            email=input.email,
            firstname=input.firstname,
            lastname=input.lastname,
            password=input.password,
            role_id=input.role_id,
        )
        return AdminUser.from_row(row)

    @strawberry.mutation(
        description=(
            "Change an admin user; omitted fields keep their value. Unknown user or role "
            "id: NOT_FOUND. Invalid or taken "
            "values, or leaving no active admin user whose role holds Magento_Backend::all "
            "(e.g. deactivating or demoting yourself as the last one): BAD_USER_INPUT. "
            "Deactivating a user or changing their password revokes all their tokens at "
            "once. Logged as admin_user.update with the changes (never a password)."
        ),
        extensions=guard(RequiresPermission(resources.ADMIN_USERS)),
    )
    async def update_admin_user(
        self,
        info: Info,
        id: AdminUserId,
        input: UpdateAdminUserInput,
    ) -> AdminUser:
        row = await admin_users.update_admin_user(
            service(info),
            id,
            email=input.email,
            firstname=input.firstname,
            lastname=input.lastname,
            password=input.password,
            role_id=input.role_id,
            is_active=input.is_active,
        )
        return AdminUser.from_row(row)
