"""Websites and their store views."""

from __future__ import annotations

import strawberry

from lac.db import models
from lac.schema.context import Info


@strawberry.type(description="A website: customers belong to one.")
class Website:
    id: strawberry.ID
    code: str
    name: str

    @strawberry.field(description="The website's store views.")
    async def store_views(self, info: Info) -> list[StoreView]:
        rows = await info.context.loaders.store_views_of_website.load(int(self.id))
        return [StoreView.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: models.Website) -> Website:
        return cls(id=strawberry.ID(str(row.id)), code=row.code, name=row.name)


@strawberry.type(description="A store view: orders are placed in one.")
class StoreView:
    id: strawberry.ID
    code: str
    name: str
    is_active: bool
    is_default: bool
    website_id: strawberry.Private[int]

    @strawberry.field(description="The website the store view belongs to.")
    async def website(self, info: Info) -> Website:
        row = await info.context.loaders.website.load(self.website_id)
        assert row is not None
        return Website.from_row(row)

    @classmethod
    def from_row(cls, row: models.StoreView) -> StoreView:
        return cls(
            id=strawberry.ID(str(row.id)),
            code=row.code,
            name=row.name,
            is_active=row.is_active,
            is_default=row.is_default,
            website_id=row.website_id,
        )


async def load_store_view(info: Info, store_view_id: int) -> StoreView:
    row = await info.context.loaders.store_view.load(store_view_id)
    assert row is not None
    return StoreView.from_row(row)


async def load_website(info: Info, website_id: int) -> Website:
    row = await info.context.loaders.website.load(website_id)
    assert row is not None
    return Website.from_row(row)
