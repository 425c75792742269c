// The shop pages: products, cart and checkout, for the signed-in customer or the admin
// acting as them.
import { h, message, money, show } from "/demo/shared/api.js";

const PRODUCTS = "query Products { products { sku name price { value currency } isActive } }";
const CART = `query Cart { cart { storeView { name } itemsCount grandTotal { value currency }
  items { id quantity rowTotal { value currency } product { sku name price { value currency } } } } }`;
const ADD = `mutation Add($sku: String!) { addToCart(sku: $sku, quantity: 1) { itemsCount } }`;
const REMOVE = `mutation Remove($itemId: ID!) { removeCartItem(itemId: $itemId) { itemsCount } }`;
const PLACE = "mutation Place { placeOrder { incrementId grandTotal { value currency } } }";

function needsSignIn(main, title) {
  show(main, h("h2", {}, title), message("info", "Sign in to shop."), h("a", { href: "#/account" }, "Sign in"));
}

export async function productsPage(main, shop) {
  const products = (await shop.call(PRODUCTS)).products.filter((product) => product.isActive);
  const status = h("div", {});
  const add = (product) => async () => {
    if (!shop.session.isLoggedIn) return show(status, message("info", "Sign in to add products to your cart."));
    try {
      const cart = (await shop.call(ADD, { sku: product.sku })).addToCart;
      show(status, message("notice", `You added ${product.name} to your shopping cart (${cart.itemsCount} items).`));
    } catch (failure) {
      show(status, message("error", failure.message));
    }
  };
  show(
    main,
    h("h2", {}, "Products"),
    status,
    h(
      "div",
      { className: "products" },
      products.map((product) =>
        h(
          "div",
          { className: "card product", dataset: { sku: product.sku } },
          h("h3", {}, product.name),
          h("p", { className: "muted" }, product.sku),
          h("p", {}, money(product.price)),
          h("button", { className: "primary", onclick: add(product) }, "Add to Cart"),
        ),
      ),
    ),
  );
}

function cartTable(cart, onRemove) {
  return h(
    "table",
    { id: "cart" },
    h("thead", {}, h("tr", {}, ["Item", "SKU", "Price", "Qty", "Subtotal", ""].map((label) => h("th", {}, label)))),
    h(
      "tbody",
      {},
      cart.items.map((item) =>
        h(
          "tr",
          {},
          h("td", {}, item.product.name),
          h("td", {}, item.product.sku),
          h("td", {}, money(item.product.price)),
          h("td", {}, item.quantity),
          h("td", {}, money(item.rowTotal)),
          h("td", {}, onRemove && h("button", { onclick: () => onRemove(item) }, "Remove")),
        ),
      ),
    ),
    h("tfoot", {}, h("tr", {}, h("th", { colspan: 4 }, "Order Total"), h("th", { colspan: 2 }, money(cart.grandTotal)))),
  );
}

export async function cartPage(main, shop) {
  if (!shop.session.isLoggedIn) return needsSignIn(main, "Shopping Cart");
  const cart = (await shop.call(CART)).cart;
  const status = h("div", {});
  const remove = async (item) => {
    try {
      await shop.call(REMOVE, { itemId: item.id });
      await cartPage(main, shop);
    } catch (failure) {
      show(status, message("error", failure.message));
    }
  };
  show(
    main,
    h("h2", {}, `Shopping Cart (${cart.storeView.name})`),
    status,
    cart.items.length ? cartTable(cart, remove) : message("info", "You have no items in your shopping cart."),
    cart.items.length > 0 && h("p", {}, h("a", { href: "#/checkout" }, "Proceed to Checkout")),
  );
}

export async function checkoutPage(main, shop) {
  if (!shop.session.isLoggedIn) return needsSignIn(main, "Checkout");
  const cart = (await shop.call(CART)).cart;
  const status = h("div", {});
  const place = async () => {
    try {
      const order = (await shop.call(PLACE)).placeOrder;
      show(
        main,
        h("h2", {}, "Thank you for your purchase!"),
        h("p", { id: "order-number" }, `Your order number is: ${order.incrementId}.`),
        h("p", {}, `Order total: ${money(order.grandTotal)}`),
      );
    } catch (failure) {
      show(status, message("error", failure.message));
    }
  };
  show(
    main,
    h("h2", {}, "Checkout"),
    status,
    cart.items.length
      ? [cartTable(cart, null), h("p", {}, h("button", { className: "primary", id: "place-order", onclick: place }, "Place Order"))]
      : message("info", "You have no items in your shopping cart."),
  );
}
