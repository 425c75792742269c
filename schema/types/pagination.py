"""Relay-style connections: `edges { cursor node }`, `pageInfo`, `totalCount`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Generic, TypeVar

import strawberry

from lac.db.queries import HasId
from lac.resolvers.pagination import DEFAULT_PAGE_SIZE, Page

__all__ = ["DEFAULT_PAGE_SIZE", "Connection", "Edge", "PageInfo"]

Node = TypeVar("Node")
Row = TypeVar("Row", bound=HasId)


@strawberry.type(description="Where a page ends and whether more follow.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[Node]):
    cursor: str = strawberry.field(description="Pass as `after` to continue past this node.")
    node: Node


@strawberry.type
class Connection(Generic[Node]):
    edges: list[Edge[Node]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many nodes match the filter (counted only when asked).")
    async def total_count(self) -> int:
        return await self.count()

    @classmethod
    def from_page(cls, page: Page[Row], nodes: Iterable[Node]) -> Connection[Node]:
        return cls(
            edges=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            count=page.count,
        )
