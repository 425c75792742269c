// The storefront demo: a customer's own sign-in, or the secret of a Login-as-Customer start
// (opened by the admin at #secret=...), exchanged for a token; the banner on every page
// from `customerSession`. Uses the public GraphQL API only.
import { ApiError, call, h, message, show } from "/demo/shared/api.js";
import { accountPage } from "/demo/storefront/account.js";
import { cartPage, checkoutPage, productsPage } from "/demo/storefront/shop.js";

const TOKEN_KEY = "lac.storefront.token";
const banner = document.getElementById("banner");
const main = document.getElementById("main");
const nav = document.getElementById("nav");
const who = document.getElementById("who");

const PAGES = {
  products: ["Products", productsPage],
  cart: ["Cart", cartPage],
  checkout: ["Checkout", checkoutPage],
  account: ["My Account", accountPage],
};

const EXCHANGE = `mutation Exchange($secret: String!) {
  exchangeLoginAsCustomerSecret(secret: $secret) { token customer { name } } }`;
const SESSION = `query CustomerSession { customerSession {
  isLoggedIn isLoginAsCustomer expiresAt customer { name email } banner { text } } }`;

// What every page gets: the token, the caller's session, and a way to sign in or out.
const shop = {
  token: sessionStorage.getItem(TOKEN_KEY),
  session: null,
  notice: null,
  call(query, variables = {}) {
    return call(query, variables, this.token);
  },
  signedIn(token) {
    this.token = token;
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  signedOut(notice) {
    this.token = null;
    this.notice = notice;
    sessionStorage.removeItem(TOKEN_KEY);
  },
  async route() {
    await route();
  },
};

async function exchangeSecret() {
  const secret = decodeURIComponent(location.hash.slice("#secret=".length));
  history.replaceState(null, "", `${location.pathname}#/products`); // the secret leaves the address bar
  try {
    shop.signedIn((await call(EXCHANGE, { secret })).exchangeLoginAsCustomerSecret.token);
  } catch (failure) {
    shop.signedOut(failure instanceof ApiError ? failure.message : "The secret could not be exchanged.");
  }
}

async function leave() {
  const impersonating = shop.session?.isLoginAsCustomer;
  try {
    await shop.call(impersonating ? "mutation End { endLoginAsCustomer }" : "mutation SignOut { customerLogout }");
  } finally {
    shop.signedOut(impersonating ? "You ended the Login as Customer session." : "You are signed out.");
    if (location.hash === "#/products") await route();
    else location.hash = "#/products"; // hashchange routes
  }
}

function renderFrame(current) {
  const session = shop.session;
  show(
    banner,
    session.banner &&
      h(
        "div",
        { className: "banner", id: "lac-banner" },
        h("strong", {}, session.banner.text),
        h("button", { className: "primary", id: "end-session", onclick: leave }, "End session"),
      ),
  );
  show(
    nav,
    Object.entries(PAGES).map(([key, [label]]) =>
      h("a", { href: `#/${key}`, className: key === current ? "current" : "" }, label),
    ),
  );
  show(
    who,
    session.isLoggedIn
      ? [`${session.customer.name} `, !session.isLoginAsCustomer && h("button", { onclick: leave }, "Sign out")]
      : h("a", { href: "#/account" }, "Sign in"),
  );
}

async function route() {
  if (location.hash.startsWith("#secret=")) await exchangeSecret();
  shop.session = (await shop.call(SESSION)).customerSession;
  if (shop.token && !shop.session.isLoggedIn) {
    shop.signedOut("Your session has ended. Please sign in again.");
  }
  const key = location.hash.replace(/^#\/?/, "").split("/")[0];
  const page = PAGES[key] ? key : "products";
  renderFrame(page);
  const notice = shop.notice && message("info", shop.notice);
  shop.notice = null;
  const content = h("div", {});
  show(main, notice, content);
  try {
    await PAGES[page][1](content, shop);
  } catch (failure) {
    show(content, h("h2", {}, PAGES[page][0]), message("error", failure.message));
  }
}

window.addEventListener("hashchange", route);
route();
