"""Catalog products and the customer's cart."""

from __future__ import annotations

import strawberry

from lac.db import models
from lac.resolvers.sales import cart
from lac.schema.context import Info
from lac.schema.types.sales import Money
from lac.schema.types.stores import StoreView, load_store_view


@strawberry.type(description="A product of the catalog.")
class Product:
    sku: str = strawberry.field(description="The stock keeping unit, unique in the catalog.")
    name: str = strawberry.field(description="The product's name.")
    price: Money = strawberry.field(description="The current price of one unit.")
    is_active: bool = strawberry.field(
        description="Whether it is on sale; only active products can be added to a cart."
    )

    @classmethod
    def from_row(cls, row: models.Product) -> Product:
        return cls(
            sku=row.sku,
            name=row.name,
            price=Money.from_cents(row.price_cents, row.currency),
            is_active=row.is_active,
        )


@strawberry.type(description="A line of a cart: one product and its quantity.")
class CartItem:
    id: strawberry.ID = strawberry.field(description="Pass it to removeCartItem.")
    product: Product = strawberry.field(description="The product, at its current price.")
    quantity: int = strawberry.field(description="How many units (1 to 10000).")
    row_total: Money = strawberry.field(description="Quantity times the current price.")

    @classmethod
    def from_line(cls, line: cart.CartLine) -> CartItem:
        product = Product.from_row(line.product)
        return cls(
            id=strawberry.ID(str(line.item.id)),
            product=product,
            quantity=line.item.quantity,
            row_total=Money.from_cents(line.row_total_cents, line.product.currency),
        )


@strawberry.type(
    description=(
        "A customer's cart in one store view. An admin acting for the customer through "
        "Login as Customer works on this same cart."
    )
)
class Cart:
    id: strawberry.ID = strawberry.field(description="The cart's id.")
    items: list[CartItem] = strawberry.field(description="The lines, in the order first added.")
    items_count: int = strawberry.field(description="The sum of the lines' quantities.")
    grand_total: Money = strawberry.field(description="The sum of the row totals.")
    store_view_id: strawberry.Private[int]

    @strawberry.field(description="The store view the cart belongs to (and orders are placed in).")
    async def store_view(self, info: Info) -> StoreView:
        return await load_store_view(info, self.store_view_id)

    @classmethod
    def from_contents(cls, contents: cart.CartContents) -> Cart:
        return cls(
            id=strawberry.ID(str(contents.cart.id)),
            items=[CartItem.from_line(line) for line in contents.lines],
            items_count=contents.items_count,
            grand_total=Money.from_cents(contents.grand_total_cents, contents.currency),
            store_view_id=contents.cart.store_view_id,
        )
