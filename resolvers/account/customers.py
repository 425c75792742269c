"""Customer accounts as the admin grid shows them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from lac.db.models import Customer, Website
from lac.resolvers.context import ServiceContext
from lac.resolvers.errors import LacError
from lac.resolvers.inputs import TextInput, column_length
from lac.resolvers.pagination import Page, paginate

CUSTOMER_GONE = "Customer with this ID no longer exists."


EMAIL_FILTER = TextInput.of(Customer, "email", "The email filter")
NAME_FILTER = TextInput(  # a part of "first last"
    "The name filter",
    (column_length(Customer, "firstname") or 0) + 1 + (column_length(Customer, "lastname") or 0),
)
WEBSITE_FILTER = TextInput.of(Website, "code", "The website code filter")


@dataclass(frozen=True, slots=True)
class CustomerFilter:
    """All given conditions must hold. Email is exact (any case), name a substring.

    Each text is checked against the column it is compared with (no longer than any
    stored value, no character no column holds): BAD_USER_INPUT otherwise.
    """

    email: str | None = None
    name: str | None = None
    website_code: str | None = None
    allow_remote_shopping_assistance: bool | None = None
    is_active: bool | None = None

    def __post_init__(self) -> None:
        EMAIL_FILTER.check_optional(self.email)
        NAME_FILTER.check_optional(self.name)
        WEBSITE_FILTER.check_optional(self.website_code)


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
                select(Website.id).where(Website.code == where.website_code.strip())
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
