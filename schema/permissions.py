"""The one permission mechanism: a permission class per schema directive.

Every root field carries exactly one of `@public`, `@requiresAdmin`,
`@requiresPermission(resources: [...])`, `@requiresCustomer`, `@requiresImpersonation`
(visible in schema.graphql). A refused call answers UNAUTHENTICATED when there is no
valid token and FORBIDDEN otherwise (DESIGN.md section 5).

Every nested field that links to a guarded type carries one too (`@requiresPermission`,
`@requiresPermissionOrOwn`, or `@grantedByParent` for a result's own payload). Such links are
nullable: a refused one resolves to null with FORBIDDEN at its path. Each guarded field's
description ends with its permission, generated from the directive, for introspection users.
"""

from __future__ import annotations

import abc
import dataclasses
import json
from collections.abc import Awaitable
from typing import Any, NoReturn, Protocol, cast

import strawberry
from strawberry.extensions.field_extension import (
    AsyncExtensionResolver,
    FieldExtension,
    SyncExtensionResolver,
)
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema_directive import Location
from strawberry.types.field import StrawberryField
from strawberry.utils.await_maybe import await_maybe

from lac.resolvers.acl.resources import holds_all
from lac.resolvers.auth.principals import (
    AdminPrincipal,
    Anonymous,
    CustomerPrincipal,
    ImpersonationPrincipal,
    Principal,
)
from lac.resolvers.errors import LacError
from lac.resolvers.log.refusals import Refusal
from lac.schema.context import Info, service


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
    name="requiresPermissionOrOwn",
    description="Needs an admin token whose role holds all these ACL resources, unless the "
    "parent object is the caller's own (a customer's account and orders, an admin's own "
    "account).",
)
class RequiresPermissionOrOwnDirective:
    resources: list[str]


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="grantedByParent",
    description="No check of its own: part of a result its root field already allowed (the "
    "caller's own account in a sign-in result, the customer an admin just logged in as).",
)
class GrantedByParentDirective:
    pass


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

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool | Awaitable[bool]:
        """True, or an awaitable of True when the decision needs the database; raises the
        refusal instead of answering False (`Guard` runs the field only after this)."""
        if not self.allows(info.context.service.principal):
            self.refuse(info)
        return True

    def check(self, principal: Principal) -> None:
        """Pass, or raise the refusal this principal gets at a root field."""
        if not self.allows(principal):
            raise refusal(principal)

    def refuse(self, info: Info) -> NoReturn:
        """Raise (and note for the log) the refusal: a root field's by caller, a nested
        link's always FORBIDDEN (the caller got this far, so is known)."""
        if info.path.prev is None:
            refused = refusal(info.context.service.principal)
        else:
            refused = self.nested_refusal()
        record_refusal(info, refused)
        raise refused

    def nested_refusal(self) -> LacError:
        """The FORBIDDEN error a nested link resolves to (null at its path)."""
        return LacError.forbidden()

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

    def nested_refusal(self) -> LacError:
        return LacError.forbidden(f"Reading this needs the {', '.join(self.resources)} resource.")


class OwnedObject(Protocol):
    """A parent object that can tell whether it is the caller's own."""

    async def is_callers_own(self, info: Info) -> bool: ...


class RequiresPermissionOrOwn(RequiresPermission):
    """The resource, unless the parent object is the caller's own (DESIGN.md section 5)."""

    def __init__(self, *resources: str) -> None:
        super().__init__(*resources)
        self.directive = RequiresPermissionOrOwnDirective(resources=list(resources))

    def has_permission(
        self, source: OwnedObject, info: Info, **kwargs: Any
    ) -> bool | Awaitable[bool]:
        if self.allows(info.context.service.principal):
            return True
        return self._owned(source, info)

    async def _owned(self, source: OwnedObject, info: Info) -> bool:
        if not await source.is_callers_own(info):
            self.refuse(info)
        return True


class GrantedByParent(LacPermission):
    directive = GrantedByParentDirective()

    def allows(self, principal: Principal) -> bool:
        return True


class RequiresCustomer(LacPermission):
    directive = RequiresCustomerDirective()

    def allows(self, principal: Principal) -> bool:
        return isinstance(principal, CustomerPrincipal)


class RequiresImpersonation(LacPermission):
    directive = RequiresImpersonationDirective()

    def allows(self, principal: Principal) -> bool:
        return isinstance(principal, ImpersonationPrincipal)


PERMISSION_DIRECTIVES = frozenset(
    {
        "public",
        "requiresAdmin",
        "requiresPermission",
        "requiresPermissionOrOwn",
        "grantedByParent",
        "requiresCustomer",
        "requiresImpersonation",
    }
)


def describe(directive: object) -> str:
    """The directive as the schema prints it, with its meaning: the sentence a field's
    description ends with, so GraphiQL and codegen users see who may call it."""
    definition = type(directive).__strawberry_directive__  # type: ignore[attr-defined]
    arguments = ", ".join(
        f"{field.name}: {json.dumps(getattr(directive, field.name))}"
        for field in dataclasses.fields(directive)  # type: ignore[arg-type]
    )
    usage = f"@{definition.graphql_name}" + (f"({arguments})" if arguments else "")
    return f"Permission: {usage}. {definition.description}"


class Guard(PermissionExtension):
    """Puts one permission on a field: its directive, its check, and its description line.

    It keeps a sync field sync: the check runs inline, and only a decision that needs the
    database (is this the caller's own?) makes the field's value an awaitable, which the
    executor awaits. strawberry's own extension would make every field whose permission
    may await an async field, and most nested fields of a page are decided at once.
    """

    supports_sync = True

    def __init__(self, permission: LacPermission) -> None:
        super().__init__(permissions=[permission], use_directives=True)
        self.permission = permission

    def resolve(self, next_: SyncExtensionResolver, source: Any, info: Info, **kwargs: Any) -> Any:
        allowed = self.permission.has_permission(source, info, **kwargs)
        if allowed is True:
            return next_(source, info, **kwargs)
        return self._resolve_after(allowed, next_, source, info, kwargs)

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any
    ) -> Any:
        allowed = self.permission.has_permission(source, info, **kwargs)
        if allowed is not True:
            await cast(Awaitable[bool], allowed)  # never False: a refusal raises
        return await next_(source, info, **kwargs)

    @staticmethod
    async def _resolve_after(
        decision: bool | Awaitable[bool],
        next_: SyncExtensionResolver,
        source: Any,
        info: Info,
        kwargs: dict[str, Any],
    ) -> Any:
        await cast(Awaitable[bool], decision)  # never False: a refusal raises
        return await await_maybe(next_(source, info, **kwargs))

    def apply(self, field: StrawberryField) -> None:
        super().apply(field)
        sentence = describe(self.permission.directive)
        if field.description is None:
            field.description = sentence
        elif not field.description.endswith(sentence):
            field.description = f"{field.description}\n\n{sentence}"


def guard(permission: LacPermission) -> list[FieldExtension]:
    """The field extensions that put one permission (and its directive) on a field."""
    return [Guard(permission)]
