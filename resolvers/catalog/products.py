"""The catalog as the storefront sees it: products on sale, found by SKU."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from lac.db.models import Product
from lac.resolvers.context import ServiceContext
from lac.resolvers.errors import LacError
from lac.resolvers.inputs import TextInput

DEFAULT_CURRENCY = "USD"
SKU = TextInput.of(Product, "sku", "The SKU")


async def active_products(ctx: ServiceContext) -> Sequence[Product]:
    """Every product on sale, in catalog order."""
    statement = select(Product).where(col(Product.is_active)).order_by(col(Product.id))
    return (await ctx.db.exec(statement)).all()


async def product_for_sale(ctx: ServiceContext, sku: str) -> Product:
    """The active product with this SKU; an unknown or inactive SKU is BAD_USER_INPUT."""
    sku = SKU.check(sku)
    product = (await ctx.db.exec(select(Product).where(col(Product.sku) == sku))).first()
    if product is None:
        raise LacError.bad_input(f'Could not find a product with SKU "{sku}".')
    if not product.is_active:
        raise LacError.bad_input(
            f'The product with SKU "{sku}" is not available: it cannot be added to the cart.'
        )
    return product
