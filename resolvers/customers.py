"""Customer accounts as the admin grid shows them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from db.models import Customer, Website
from resolvers.context import ServiceContext
from resolvers.errors import LacError
from resolvers.pagination import Page, paginate

CUSTOMER_GONE = "Customer with this ID no longer exists."


@dataclass(frozen=True, slots=True)
class CustomerFilter:
    """All given conditions must hold. Email is exact (any case), name a substring."""

    email: str | None = None
    name: str | None = None
    website_code: str | None = None
    allow_remote_shopping_assistance: bool | None = None
    is_active: bool | None = None


async def list_customers(
    ctx: ServiceContext, *, where: CustomerFilter, first: int | None, after: str | None
) -> Page[Customer]:
    statement = select(Customer)
    if where.email is not None:
        statement = statement.where(Customer.email == where.email.strip().lower())
    if where.name is not None:
        full_name = col(Customer.firstname) + " " + col(Customer.lastname)
        statement = statement.where(
            full_name.ilike(f"%{_escape_like(where.name.strip())}%", escape="\\")
        )
    if where.website_code is not None:
        statement = statement.where(
            col(Customer.website_id).in_(
                select(Website.id).where(Website.code == where.website_code)
            )
        )
    if where.allow_remote_shopping_assistance is not None:
        statement = statement.where(
            Customer.allow_remote_shopping_assistance == where.allow_remote_shopping_assistance
        )
    if where.is_active is not None:
        statement = statement.where(Customer.is_active == where.is_active)
    return await paginate(ctx.db, statement, Customer.id, first=first, after=after)


async def get_customer(ctx: ServiceContext, customer_id: int) -> Customer:
    customer = await ctx.db.get(Customer, customer_id)
    if customer is None:
        raise LacError.not_found(CUSTOMER_GONE)
    return customer


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
