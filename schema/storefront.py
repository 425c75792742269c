"""Root fields of the storefront: catalog, cart and checkout."""

from __future__ import annotations

from typing import Annotated

import strawberry

from lac.resolvers.catalog import products
from lac.resolvers.sales import cart
from lac.schema.context import Info, service
from lac.schema.permissions import Public, RequiresCustomer, guard
from lac.schema.types.sales import Order
from lac.schema.types.storefront import Cart, Product

Sku = Annotated[str, strawberry.argument(description="The product's SKU.")]
Quantity = Annotated[
    int, strawberry.argument(description="Units to add, 1 to 10000 per cart line in all.")
]
CartItemId = Annotated[strawberry.ID, strawberry.argument(description="The cart line's id.")]
LOGGED_WITH_ACTING_ADMIN = (
    "While an admin acts for the customer, the change is logged with the acting admin."
)


@strawberry.type
class StorefrontQuery:
    @strawberry.field(
        description="The products on sale (active ones), in catalog order. Callable by anyone.",
        extensions=guard(Public()),
    )
    async def products(self, info: Info) -> list[Product]:
        return [Product.from_row(row) for row in await products.active_products(service(info))]

    @strawberry.field(
        description=(
            "The caller's cart: one per customer and store view (the website's default store "
            "view for the customer's own sign-in, the session's store view while an admin "
            "acts for them), created empty on first use."
        ),
        extensions=guard(RequiresCustomer()),
    )
    async def cart(self, info: Info) -> Cart:
        return Cart.from_contents(await cart.current_cart(service(info)))


@strawberry.type
class StorefrontMutation:
    @strawberry.mutation(
        description=(
            "Add an active product to the caller's cart; a SKU already in the cart adds to "
            "its quantity. An unknown or inactive SKU, a quantity below 1, or a line above "
            f"10000 units is BAD_USER_INPUT. {LOGGED_WITH_ACTING_ADMIN}"
        ),
        extensions=guard(RequiresCustomer()),
    )
    async def add_to_cart(self, info: Info, sku: Sku, quantity: Quantity = 1) -> Cart:
        contents = await cart.add_to_cart(service(info), sku=sku, quantity=quantity)
        return Cart.from_contents(contents)

    @strawberry.mutation(
        description=(
            "Remove a whole line from the caller's cart; a line that is not in it is "
            f"NOT_FOUND. {LOGGED_WITH_ACTING_ADMIN}"
        ),
        extensions=guard(RequiresCustomer()),
    )
    async def remove_cart_item(self, info: Info, item_id: CartItemId) -> Cart:
        return Cart.from_contents(await cart.remove_cart_item(service(info), item_id))

    @strawberry.mutation(
        description=(
            "Order the caller's cart on the customer's account (status PENDING, in the cart's "
            "store view, at current prices, next increment id) and empty the cart. An empty "
            "cart is BAD_USER_INPUT. Placed while an admin acts for the customer, the order "
            "records that admin (placedByAdmin, seen only by admins) and gets the comments "
            "'Order Placed by {admin} using Login as Customer' (internal) and 'Order Placed "
            f"by Store Administrator'. {LOGGED_WITH_ACTING_ADMIN}"
        ),
        extensions=guard(RequiresCustomer()),
    )
    async def place_order(self, info: Info) -> Order:
        return Order.from_row(await cart.place_order(service(info)))
