"""The one permission mechanism: a permission class per schema directive.

Every root field carries exactly one of `@public`, `@requiresAdmin`,
`@requiresPermission(resources: [...])`, `@requiresCustomer`, `@requiresImpersonation`
(visible in schema.graphql). A refused call answers UNAUTHENTICATED when there is no
valid token and FORBIDDEN otherwise (DESIGN.md section 5).
"""

from __future__ import annotations

import abc
from typing import Any

import strawberry
from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema_directive import Location

from resolvers.access_log import Refusal
from resolvers.acl import holds_all
from resolvers.errors import LacError
from resolvers.principals import (
    AdminPrincipal,
    Anonymous,
    CustomerPrincipal,
    ImpersonationPrincipal,
    Principal,
)
from schema.context import Info, service


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION], name="public", description="Callable by anyone."
)
class PublicDirective:
    pass


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="requiresAdmin",
    description="Needs an admin token.",
)
class RequiresAdminDirective:
    pass


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="requiresPermission",
    description="Needs an admin token whose role holds all these ACL resources.",
)
class RequiresPermissionDirective:
    resources: list[str]


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="requiresCustomer",
    description="Needs a customer token: the customer's own or an impersonation token.",
)
class RequiresCustomerDirective:
    pass


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="requiresImpersonation",
    description="Needs an impersonation token (Login as Customer).",
)
class RequiresImpersonationDirective:
    pass


def record_refusal(info: Info, refused: LacError) -> None:
    """Note the request's first refusal; the request scope logs it once the request is done
    (`access.denied`), so no refusal is lost to a sibling field's error cancelling this one."""
    notes = info.context.notes
    if notes.refusal is None:
        path = ".".join(str(key) for key in info.path.as_list())
        notes.refusal = Refusal(
            field=path, code=refused.code, action=service(info).full_action_name
        )


def refusal(principal: Principal) -> LacError:
    """The error for a refused call: who is unknown must authenticate, who is known may not."""
    if isinstance(principal, Anonymous):
        return LacError.unauthenticated()
    return LacError.forbidden()


class LacPermission(BasePermission):
    """A permission that raises its own refusal (so the code depends on the caller)."""

    directive: object

    @property
    def schema_directive(self) -> object:
        return self.directive

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        try:
            self.check(info.context.service.principal)
        except LacError as refused:
            record_refusal(info, refused)
            raise
        return True

    def check(self, principal: Principal) -> None:
        """Pass, or raise the refusal this principal gets."""
        if not self.allows(principal):
            raise refusal(principal)

    @abc.abstractmethod
    def allows(self, principal: Principal) -> bool: ...


class Public(LacPermission):
    directive = PublicDirective()

    def allows(self, principal: Principal) -> bool:
        return True


class RequiresAdmin(LacPermission):
    directive = RequiresAdminDirective()

    def allows(self, principal: Principal) -> bool:
        return isinstance(principal, AdminPrincipal)


class RequiresPermission(LacPermission):
    def __init__(self, *resources: str) -> None:
        self.resources = resources
        self.directive = RequiresPermissionDirective(resources=list(resources))

    def allows(self, principal: Principal) -> bool:
        return isinstance(principal, AdminPrincipal) and holds_all(
            principal.resources, self.resources
        )


class RequiresCustomer(LacPermission):
    directive = RequiresCustomerDirective()

    def allows(self, principal: Principal) -> bool:
        return isinstance(principal, CustomerPrincipal)


class RequiresImpersonation(LacPermission):
    directive = RequiresImpersonationDirective()

    def allows(self, principal: Principal) -> bool:
        return isinstance(principal, ImpersonationPrincipal)


PERMISSION_DIRECTIVES = frozenset(
    {"public", "requiresAdmin", "requiresPermission", "requiresCustomer", "requiresImpersonation"}
)


def guard(permission: LacPermission) -> list[FieldExtension]:
    """The field extensions that put one permission (and its directive) on a field."""
    return [PermissionExtension(permissions=[permission], use_directives=True)]
