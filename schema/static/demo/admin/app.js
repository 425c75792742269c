// The admin demo: sign in, then one page per hash route. Uses the public GraphQL API only.
import { call, field, formValues, h, message, show } from "/demo/shared/api.js";
import { configPage, customersPage, logPage, salesPage, sessionsPage } from "/demo/admin/pages.js";

const TOKEN_KEY = "lac.admin.token";
const main = document.getElementById("main");
const nav = document.getElementById("nav");
const who = document.getElementById("who");

const PAGES = {
  customers: ["Customers", customersPage],
  sales: ["Sales", salesPage],
  sessions: ["Active Sessions", sessionsPage],
  log: ["Action Log", logPage],
  config: ["Configuration", configPage],
};

const SIGN_IN = `mutation SignIn($username: String!, $password: String!) {
  adminLogin(username: $username, password: $password) { token admin { username firstname lastname } } }`;
const ME = "query AdminMe { adminMe { username firstname lastname role { name } } }";

// What every page gets: the token and a way to show an error in place of the page.
const admin = {
  token: sessionStorage.getItem(TOKEN_KEY),
  call(query, variables = {}) {
    return call(query, variables, this.token);
  },
};

function signInPage(error = null) {
  nav.replaceChildren();
  who.textContent = "";
  const form = h(
    "form",
    { className: "card", id: "sign-in" },
    h("h2", {}, "Sign in"),
    error && message("error", error),
    field("User Name", h("input", { name: "username", required: true, autocomplete: "username" })),
    field(
      "Password",
      h("input", { name: "password", type: "password", required: true, autocomplete: "current-password" }),
    ),
    h("button", { className: "primary", type: "submit" }, "Sign in"),
    h("p", { className: "muted" }, "Demo: admin / Admin123!, support / Support123!, auditor / Auditor123!"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const data = await call(SIGN_IN, formValues(form));
      admin.token = data.adminLogin.token;
      sessionStorage.setItem(TOKEN_KEY, admin.token);
      await route();
    } catch (failure) {
      signInPage(failure.message);
    }
  });
  show(main, form);
}

async function signOut() {
  try {
    await admin.call("mutation SignOut { adminLogout }");
  } finally {
    admin.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    signInPage();
  }
}

function renderNav(current, me) {
  show(
    nav,
    Object.entries(PAGES).map(([key, [label]]) =>
      h("a", { href: `#/${key}`, className: key === current ? "current" : "" }, label),
    ),
  );
  show(
    who,
    `${me.firstname} ${me.lastname} (${me.username}, ${me.role?.name ?? "no role"}) `,
    h("button", { onclick: signOut, id: "sign-out" }, "Sign out"),
  );
}

async function route() {
  if (!admin.token) return signInPage();
  let me;
  try {
    me = (await admin.call(ME)).adminMe;
  } catch (failure) {
    admin.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    return signInPage(failure.code === "UNAUTHENTICATED" ? "Please sign in again." : failure.message);
  }
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  const [key, ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  const page = PAGES[key] ? key : "customers";
  renderNav(page, me);
  show(main, h("p", {}, "Loading…"));
  try {
    await PAGES[page][1](main, admin, rest.map(decodeURIComponent));
  } catch (failure) {
    show(main, h("h2", {}, PAGES[page][0]), message("error", failure.message));
  }
}

window.addEventListener("hashchange", route);
route();
