"""Websites and store views."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from lac.db.models import StoreView, Website
from lac.resolvers.context import ServiceContext


async def list_websites(ctx: ServiceContext) -> Sequence[Website]:
    return (await ctx.db.exec(select(Website).order_by(col(Website.id)))).all()


async def list_store_views(ctx: ServiceContext) -> Sequence[StoreView]:
    return (await ctx.db.exec(select(StoreView).order_by(col(StoreView.id)))).all()
