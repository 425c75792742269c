"""Root fields for websites, store views and the ACL resource tree."""

from __future__ import annotations

import strawberry

from lac.resolvers.acl import resources
from lac.resolvers.catalog import stores
from lac.schema.context import Info, service
from lac.schema.permissions import RequiresAdmin, RequiresPermission, guard
from lac.schema.types.acl import AclResource
from lac.schema.types.stores import StoreView, Website


@strawberry.type
class StoresQuery:
    @strawberry.field(description="All websites.", extensions=guard(RequiresAdmin()))
    async def websites(self, info: Info) -> list[Website]:
        return [Website.from_row(row) for row in await stores.list_websites(service(info))]

    @strawberry.field(description="All store views.", extensions=guard(RequiresAdmin()))
    async def store_views(self, info: Info) -> list[StoreView]:
        return [StoreView.from_row(row) for row in await stores.list_store_views(service(info))]

    @strawberry.field(
        description="The ACL resource tree roots, as roles grant them.",
        extensions=guard(RequiresPermission("Magento_User::acl_roles")),
    )
    def acl_resources(self) -> list[AclResource]:
        return [AclResource.from_node(node) for node in resources.ACL_TREE]
