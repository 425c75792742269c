"""People as other objects refer to them: copied at write time, readable wherever the
referring object is."""

from __future__ import annotations

import strawberry

from lac.resolvers.auth import principals


@strawberry.type(description="An admin as sessions, orders and log entries name them.")
class AdminSummary:
    id: strawberry.ID
    username: str
    firstname: str
    lastname: str

    @classmethod
    def from_summary(cls, summary: principals.AdminSummary) -> AdminSummary:
        return cls(
            id=strawberry.ID(str(summary.id)),
            username=summary.username,
            firstname=summary.firstname,
            lastname=summary.lastname,
        )


@strawberry.type(description="A customer as sessions and log entries name them.")
class CustomerSummary:
    id: strawberry.ID
    email: str
    name: str

    @classmethod
    def from_summary(cls, summary: principals.CustomerSummary) -> CustomerSummary:
        return cls(id=strawberry.ID(str(summary.id)), email=summary.email, name=summary.name)
