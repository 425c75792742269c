"""The customer's cart and checkout (DESIGN.md section 7, "During.").

A cart belongs to (customer, store view): a customer's own sign-in shops in the
website's default store view, an impersonation session in its chosen one, so an admin
acting for the customer shares the customer's cart. Every write runs through
`run_customer_change` (logged when an admin acts through Login as Customer) and first
locks the cart row (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE`
already serializes writers), so a line added while the cart is being ordered is
neither lost nor ordered twice. Placing orders also serializes on the increment id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.engine import write_transaction
from lac.db.locks import ORDER_INCREMENT_LOCK_KEY, advisory_xact_lock
from lac.db.models import Cart, CartItem, Customer, OrderComment, OrderItem, Product, SalesOrder
from lac.db.queries import require_id
from lac.db.upsert import insert_if_missing
from lac.resolvers.auth.principals import CustomerPrincipal, ImpersonationPrincipal
from lac.resolvers.catalog.products import DEFAULT_CURRENCY, product_for_sale
from lac.resolvers.context import ServiceContext
from lac.resolvers.errors import ErrorCode, LacError
from lac.resolvers.inputs import row_id
from lac.resolvers.log.writer import Action, ActionRecord, run_customer_change

MAX_LINE_QUANTITY = 10_000  # Magento's default "Maximum Qty Allowed in Shopping Cart"
NEW_ORDER_STATUS = "pending"
INCREMENT_ID_DIGITS = 9
ITEM_NOT_IN_CART = "The cart doesn't contain the item."
CUSTOMER_VISIBLE_COMMENT = "Order Placed by Store Administrator"


@dataclass(frozen=True, slots=True)
class CartLine:
    item: CartItem
    product: Product

    @property
    def row_total_cents(self) -> int:
        """At the product's current price."""
        return self.product.price_cents * self.item.quantity


@dataclass(frozen=True, slots=True)
class CartContents:
    cart: Cart
    lines: list[CartLine]

    @property
    def items_count(self) -> int:
        return sum(line.item.quantity for line in self.lines)

    @property
    def grand_total_cents(self) -> int:
        return sum(line.row_total_cents for line in self.lines)

    @property
    def currency(self) -> str:
        return self.lines[0].product.currency if self.lines else DEFAULT_CURRENCY


@dataclass(frozen=True, slots=True)
class CartOwner:
    customer_id: int
    store_view_id: int


def cart_owner(ctx: ServiceContext) -> CartOwner:
    """Whose cart the caller works on: the customer, in the principal's store view."""
    principal = ctx.principal
    if not isinstance(principal, CustomerPrincipal):
        raise LacError.forbidden()
    if principal.store_view_id is None:
        raise LacError(
            ErrorCode.NO_STORE_VIEW, "Your website has no store view to shop in at the moment."
        )
    return CartOwner(principal.customer.id, principal.store_view_id)


async def current_cart(ctx: ServiceContext) -> CartContents:
    """The caller's cart, created (empty, not logged) on first use.

    The creation is a write transaction of its own on the request's session, beside the
    query's sibling fields (which keep reading on it).
    """
    owner = cart_owner(ctx)
    cart = await _find_cart(ctx.db, owner, lock=False)
    if cart is not None:
        return await cart_contents(ctx.db, cart)
    async with write_transaction(ctx.db):
        cart = await _locked_cart(ctx.db, owner, now=ctx.clock.now())
        return await cart_contents(ctx.db, cart)


async def add_to_cart(ctx: ServiceContext, *, sku: str, quantity: int) -> CartContents:
    """Add `quantity` of an active product; a SKU already in the cart adds to its line.

    Logged as `cart.add` (details sku, quantity) when an admin acts for the customer,
    who is then stored as the line's `added_by_admin_id`.
    """

    async def add(record: ActionRecord) -> Cart:
        record.details.update(sku=sku, quantity=quantity)
        if quantity < 1:
            raise LacError.bad_input("The product quantity should be greater than 0.")
        product = await product_for_sale(ctx, sku)
        record.details["sku"] = product.sku
        cart = await _locked_cart(ctx.db, cart_owner(ctx), now=ctx.clock.now())
        lines = await _lines(ctx.db, require_id(cart))
        if any(line.product.currency != product.currency for line in lines):
            raise LacError.bad_input(
                f"The cart is in {lines[0].product.currency}; {product.sku} is priced in "
                f"{product.currency}. Place or empty the cart first."
            )
        item = next((line.item for line in lines if line.product.id == product.id), None)
        total = quantity + (item.quantity if item else 0)
        if total > MAX_LINE_QUANTITY:
            raise LacError.bad_input(f"The most you may purchase is {MAX_LINE_QUANTITY}.")
        now = ctx.clock.now()
        if item is None:
            item = CartItem(
                cart_id=require_id(cart), product_id=require_id(product), quantity=0, created_at=now
            )
        item.quantity = total
        if isinstance(ctx.principal, ImpersonationPrincipal):
            item.added_by_admin_id = ctx.principal.acting_admin.id
        cart.updated_at = now
        ctx.db.add_all([item, cart])
        await ctx.db.flush()
        return cart

    return await cart_contents(ctx.db, await run_customer_change(ctx, Action.CART_ADD, add))


async def remove_cart_item(ctx: ServiceContext, item_id: str) -> CartContents:
    """Remove a whole line of the caller's cart; a line of any other cart is NOT_FOUND,
    a malformed id BAD_USER_INPUT.

    Logged as `cart.remove` (details sku, quantity) when an admin acts for the customer.
    """

    async def remove(record: ActionRecord) -> Cart:
        wanted = row_id(item_id, what="cart item id")
        cart = await _find_cart(ctx.db, cart_owner(ctx), lock=True)
        lines = await _lines(ctx.db, require_id(cart)) if cart else []
        line = next((line for line in lines if line.item.id == wanted), None)
        if cart is None or line is None:
            raise LacError.not_found(ITEM_NOT_IN_CART)
        record.details.update(sku=line.product.sku, quantity=line.item.quantity)
        await ctx.db.delete(line.item)
        cart.updated_at = ctx.clock.now()
        ctx.db.add(cart)
        await ctx.db.flush()
        return cart

    return await cart_contents(ctx.db, await run_customer_change(ctx, Action.CART_REMOVE, remove))


async def place_order(ctx: ServiceContext) -> SalesOrder:
    """Order the caller's cart on the customer's account, then empty the cart.

    The order is `pending`, in the cart's store view, at current prices, with the next
    increment id. Placed by an admin acting for the customer, it records that admin
    (`placedByAdmin`), gets Magento's two comments (an internal one naming the admin, a
    customer-visible one) and is logged as `order.place` (details incrementId).
    """

    async def place(record: ActionRecord) -> SalesOrder:
        owner = cart_owner(ctx)
        cart = await _find_cart(ctx.db, owner, lock=True)
        contents = await cart_contents(ctx.db, cart) if cart else None
        if contents is None or not contents.lines:
            raise LacError.bad_input("Unable to place order: the cart doesn't contain any items.")
        for line in contents.lines:
            if not line.product.is_active:
                raise LacError.bad_input(
                    f'The product with SKU "{line.product.sku}" is no longer available: '
                    "remove it from the cart to place the order."
                )
        customer = await ctx.db.get(Customer, owner.customer_id)
        if customer is None:
            raise LacError.unauthenticated()
        await advisory_xact_lock(ctx.db, ORDER_INCREMENT_LOCK_KEY)
        increment_id = await _next_increment_id(ctx)
        record.details["incrementId"] = increment_id
        order = _new_order(ctx, contents, customer, increment_id)
        ctx.db.add(order)
        await ctx.db.flush()
        order_id = require_id(order)
        ctx.db.add_all(
            OrderItem(
                order_id=order_id,
                product_id=line.product.id,
                sku=line.product.sku,
                name=line.product.name,
                quantity=line.item.quantity,
                price_cents=line.product.price_cents,
                row_total_cents=line.row_total_cents,
            )
            for line in contents.lines
        )
        ctx.db.add_all(_placed_by_admin_comments(ctx, order_id))
        await ctx.db.exec(delete(CartItem).where(col(CartItem.cart_id) == contents.cart.id))
        contents.cart.updated_at = order.created_at
        ctx.db.add(contents.cart)
        await ctx.db.flush()
        return order

    return await run_customer_change(ctx, Action.ORDER_PLACE, place)


def _new_order(
    ctx: ServiceContext, contents: CartContents, customer: Customer, increment_id: str
) -> SalesOrder:
    principal = ctx.principal
    admin = principal.acting_admin if isinstance(principal, ImpersonationPrincipal) else None
    return SalesOrder(
        increment_id=increment_id,
        customer_id=customer.id,
        customer_email=customer.email,
        customer_firstname=customer.firstname,
        customer_lastname=customer.lastname,
        store_view_id=contents.cart.store_view_id,
        status=NEW_ORDER_STATUS,
        grand_total_cents=contents.grand_total_cents,
        currency=contents.currency,
        placed_by_admin_id=admin.id if admin else None,
        placed_by_admin_username=admin.username if admin else None,
        placed_by_admin_firstname=admin.firstname if admin else None,
        placed_by_admin_lastname=admin.lastname if admin else None,
        created_at=ctx.clock.now(),
    )


def _placed_by_admin_comments(ctx: ServiceContext, order_id: int) -> list[OrderComment]:
    """Magento's comments on an order placed through Login as Customer (none otherwise)."""
    principal = ctx.principal
    if not isinstance(principal, ImpersonationPrincipal):
        return []
    admin = principal.acting_admin
    now = ctx.clock.now()
    internal = f"Order Placed by {admin.firstname} {admin.lastname} using Login as Customer"
    return [
        OrderComment(
            order_id=order_id, text=internal, is_visible_to_customer=False, created_at=now
        ),
        OrderComment(
            order_id=order_id,
            text=CUSTOMER_VISIBLE_COMMENT,
            is_visible_to_customer=True,
            created_at=now,
        ),
    ]


async def _next_increment_id(ctx: ServiceContext) -> str:
    """One more than the highest increment id; call it holding ORDER_INCREMENT_LOCK_KEY.

    Increment ids are zero-padded to the same width, so the highest string is the
    highest number (and the unique index answers MAX).
    """
    highest = (await ctx.db.exec(select(func.max(SalesOrder.increment_id)))).one()
    number = int(highest) + 1 if highest else 1
    return str(number).zfill(INCREMENT_ID_DIGITS)


async def _find_cart(db: AsyncSession, owner: CartOwner, *, lock: bool) -> Cart | None:
    statement = (
        select(Cart)
        .where(
            col(Cart.customer_id) == owner.customer_id,
            col(Cart.store_view_id) == owner.store_view_id,
        )
        .execution_options(populate_existing=True)
    )
    if lock:
        statement = statement.with_for_update()
    return (await db.exec(statement)).first()


async def _locked_cart(db: AsyncSession, owner: CartOwner, *, now: datetime) -> Cart:
    """The owner's cart, created if missing, locked until the write transaction ends."""
    cart = await _find_cart(db, owner, lock=True)
    if cart is None:
        await insert_if_missing(
            db,
            Cart,
            customer_id=owner.customer_id,
            store_view_id=owner.store_view_id,
            created_at=now,
            updated_at=now,
        )
        cart = await _find_cart(db, owner, lock=True)
    assert cart is not None
    return cart


async def _lines(db: AsyncSession, cart_id: int) -> list[CartLine]:
    statement = (
        select(CartItem, Product)
        .join(Product, col(Product.id) == col(CartItem.product_id))
        .where(col(CartItem.cart_id) == cart_id)
        .order_by(col(CartItem.id))
        .execution_options(populate_existing=True)
    )
    return [CartLine(item, product) for item, product in (await db.exec(statement)).all()]


async def cart_contents(db: AsyncSession, cart: Cart) -> CartContents:
    return CartContents(cart, await _lines(db, require_id(cart)))
