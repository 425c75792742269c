"""The ACL resource tree."""

from __future__ import annotations

import strawberry

from lac.resolvers.acl import resources


@strawberry.type(description="An ACL resource with Magento's id and title.")
class AclResource:
    id: str
    title: str
    children: list[AclResource]

    @classmethod
    def from_node(cls, node: resources.AclResource) -> AclResource:
        return cls(
            id=node.id,
            title=node.title,
            children=[cls.from_node(child) for child in node.children],
        )
