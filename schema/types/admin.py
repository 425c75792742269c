"""Admin users and roles."""

from __future__ import annotations

from datetime import datetime

import strawberry

from db import models
from schema.context import Info


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

    @strawberry.field(description="The admin's role.")
    async def role(self, info: Info) -> Role:
        row = await info.context.loaders.role.load(self.role_id)
        assert row is not None
        return Role.from_row(row)

    @strawberry.field(description="Until when sign-in is locked after failed attempts, if it is.")
    async def locked_until(self, info: Info) -> datetime | None:
        return await info.context.loaders.admin_locked_until.load(self.username)

    @classmethod
    def from_row(cls, row: models.AdminUser) -> AdminUser:
        return cls(
            id=strawberry.ID(str(row.id)),
            username=row.username,
            email=row.email,
            firstname=row.firstname,
            lastname=row.lastname,
            is_active=row.is_active,
            role_id=row.role_id,
        )
