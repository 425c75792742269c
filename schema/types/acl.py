"""The ACL resource tree."""

from __future__ import annotations

import strawberry

from resolvers import acl


@strawberry.type(description="An ACL resource with Magento's id and title.")
class AclResource:
    id: str
    title: str
    children: list[AclResource]

    @classmethod
    def from_node(cls, node: acl.AclResource) -> AclResource:
        return cls(
            id=node.id,
            title=node.title,
            children=[cls.from_node(child) for child in node.children],
        )
