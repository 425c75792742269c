"""Root fields for the Login-as-Customer configuration."""

from __future__ import annotations

from typing import Annotated

import strawberry

from lac.resolvers.acl import resources
from lac.resolvers.login_as_customer import config
from lac.schema.context import Info, service
from lac.schema.permissions import Public, RequiresPermission, guard
from lac.schema.types.config import (
    LoginAsCustomerConfig,
    LoginAsCustomerConfigInput,
    StorefrontLoginAsCustomerConfig,
)


@strawberry.type
class ConfigQuery:
    @strawberry.field(
        description="The Login as Customer settings.",
        extensions=guard(RequiresPermission(resources.CONFIG_SECTION)),
    )
    async def login_as_customer_config(self, info: Info) -> LoginAsCustomerConfig:
        return LoginAsCustomerConfig.from_config(await config.read_config(service(info)))

    @strawberry.field(
        description="Whether Login as Customer is on and the consent checkbox texts, for "
        "storefronts. Callable by anyone.",
        extensions=guard(Public()),
    )
    async def storefront_login_as_customer_config(
        self, info: Info
    ) -> StorefrontLoginAsCustomerConfig:
        return StorefrontLoginAsCustomerConfig.from_config(await config.read_config(service(info)))


@strawberry.type
class ConfigMutation:
    @strawberry.mutation(
        description=(
            "Change the Login as Customer settings; omitted fields keep their value. "
            "Out-of-range lifetimes or an empty "
            "checkbox title: BAD_USER_INPUT, nothing changes. Turning `enabled` off ends "
            "every live session (FEATURE_DISABLED). Logged as config.update with the "
            "changes."
        ),
        extensions=guard(RequiresPermission(resources.CONFIG_SECTION)),
    )
    async def update_login_as_customer_config(
        self,
        info: Info,
        input: Annotated[
            LoginAsCustomerConfigInput,
            strawberry.argument(description="The fields to change; the rest keep their value."),
        ],
    ) -> LoginAsCustomerConfig:
        updated = await config.update_config(service(info), input.to_update())
        return LoginAsCustomerConfig.from_config(updated)
