"""Admin users and roles."""

from __future__ import annotations

from datetime import datetime

import strawberry

from lac.db import models
from lac.resolvers.acl import resources
from lac.schema.context import Info
from lac.schema.permissions import RequiresPermissionOrOwn, guard


@strawberry.type(description="A role: a named set of ACL resources.")
class Role:
    id: strawberry.ID
    name: str

    @strawberry.field(description='ACL resource ids; ["Magento_Backend::all"] grants everything.')
    async def resources(self, info: Info) -> list[str]:
        return await info.context.loaders.role_resources.load(int(self.id))

    @classmethod
    def from_row(cls, row: models.Role) -> Role:
        return cls(id=strawberry.ID(str(row.id)), name=row.name)


@strawberry.type(description="A member of the store staff.")
class AdminUser:
    id: strawberry.ID
    username: str
    email: str
    firstname: str
    lastname: str
    is_active: bool
    role_id: strawberry.Private[int]
    is_caller: strawberry.Private[bool] = False

    async def is_callers_own(self, info: Info) -> bool:
        """Whether this is the caller's own account (adminMe, adminLogin)."""
        return self.is_caller

    @strawberry.field(
        description="The admin's role.", extensions=guard(RequiresPermissionOrOwn(resources.ROLES))
    )
    async def role(self, info: Info) -> Role | None:
        row = await info.context.loaders.role.load(self.role_id)
        assert row is not None
        return Role.from_row(row)

    @strawberry.field(description="Until when sign-in is locked after failed attempts, if it is.")
    async def locked_until(self, info: Info) -> datetime | None:
        return await info.context.loaders.admin_locked_until.load(self.username)

    @classmethod
    def from_row(cls, row: models.AdminUser, *, is_caller: bool = False) -> AdminUser:
        """`is_caller`: the account is the caller's own, so its role is theirs to see."""
        return cls(
            is_caller=is_caller,
            id=strawberry.ID(str(row.id)),
            username=row.username,
            email=row.email,
            firstname=row.firstname,
            lastname=row.lastname,
            is_active=row.is_active,
            role_id=row.role_id,
        )


@strawberry.input(description="A new role (createRole).")
class CreateRoleInput:
    name: str = strawberry.field(
        description="Unique role name (case-insensitive), not empty, at most 255 characters."
    )
    resources: list[str] = strawberry.field(
        description=(
            "ACL resource ids to grant (see `aclResources`); unknown ids are refused "
            'with BAD_USER_INPUT, duplicates ignored. ["Magento_Backend::all"] grants '
            "everything."
        )
    )


@strawberry.input(
    description="Changes to a role (updateRole); omitted (or null) fields keep their value."
)
class UpdateRoleInput:
    name: str | None = strawberry.field(
        default=None,
        description="New unique role name (case-insensitive), not empty, at most 255 characters.",
    )
    resources: list[str] | None = strawberry.field(
        default=None,
        description=(
            "The complete new list of ACL resource ids (replaces the old one); unknown ids "
            "are refused with BAD_USER_INPUT. Magento_Backend::all cannot be taken from the "
            "role that gives it to the last active admin user holding it."
        ),
    )


@strawberry.input(description="A new, active admin user (createAdminUser).")
class CreateAdminUserInput:
    username: str = strawberry.field(
        description="Sign-in name, unique (case-insensitive), at most 255 characters."
    )
    email: str = strawberry.field(
        description="Email address, unique among admin users (case-insensitive)."
    )
    firstname: str = strawberry.field(description="First name, not empty.")
    lastname: str = strawberry.field(description="Last name, not empty.")
    password: str = strawberry.field(
        description="At least 8 characters with both letters and digits; never logged."
    )
    role_id: strawberry.ID = strawberry.field(description="The id of the user's role.")


@strawberry.input(
    description="Changes to an admin user (updateAdminUser); omitted (or null) fields keep "
    "their value."
)
class UpdateAdminUserInput:
    email: str | None = strawberry.field(
        default=None, description="New email address, unique among admin users."
    )
    firstname: str | None = strawberry.field(default=None, description="New first name.")
    lastname: str | None = strawberry.field(default=None, description="New last name.")
    password: str | None = strawberry.field(
        default=None,
        description=(
            "New password (at least 8 characters with letters and digits); revokes all the "
            "user's live tokens. Never logged."
        ),
    )
    role_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "The id of the new role. Refused when it would leave no active admin user "
            "whose role holds Magento_Backend::all."
        ),
    )
    is_active: bool | None = strawberry.field(
        default=None,
        description=(
            "false deactivates the user and revokes all their live tokens; refused for the "
            "last active admin user whose role holds Magento_Backend::all."
        ),
    )
