// My Account: sign in; for the customer's own session, the remote-assistance consent
// checkbox (title and tooltip from the store's configuration), the assistance history,
// a one-time assistance code and "end assistance" (DESIGN.md section 15).
import { call, field, formValues, h, message, show, when } from "/demo/shared/api.js";

const SIGN_IN = `mutation SignIn($email: String!, $password: String!, $websiteCode: String!) {
  customerLogin(email: $email, password: $password, websiteCode: $websiteCode) { token } }`;
const ME = "query Me { me { name email website { name } allowRemoteShoppingAssistance } }";
const CHECKBOX = `query Checkbox { storefrontLoginAsCustomerConfig {
  enabled shoppingAssistanceCheckboxTitle shoppingAssistanceCheckboxTooltip } }`;
const CONSENT = `mutation Consent($allowed: Boolean!) {
  updateMyAccount(input: {allowRemoteShoppingAssistance: $allowed}) { allowRemoteShoppingAssistance } }`;
const HISTORY = `query AssistanceHistory { myAssistanceSessions(first: 20) { edges { node {
  id staffName storeView { name } reason startedAt endedAt endCause readOnly consent isLive
  actions { time action summary } } } } }`;
const CREATE_CODE = "mutation CreateCode { createAssistanceCode { code expiresAt } }";
const END_ASSISTANCE = "mutation EndAssistance { endMyAssistanceSessions }";

function signInForm(main, shop) {
  const status = h("div", {});
  const form = h(
    "form",
    { className: "card", id: "customer-sign-in" },
    h("h2", {}, "Customer Login"),
    status,
    field("Email", h("input", { name: "email", type: "email", required: true, autocomplete: "username" })),
    field("Password", h("input", { name: "password", type: "password", required: true, autocomplete: "current-password" })),
    field("Website", h("input", { name: "websiteCode", value: "base", required: true }), "base or outlet in the demo"),
    h("button", { className: "primary", type: "submit" }, "Sign In"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      shop.signedIn((await call(SIGN_IN, formValues(form))).customerLogin.token);
      await shop.route();
    } catch (failure) {
      show(status, message("error", failure.message));
    }
  });
  show(main, form);
}

async function consentCard(shop, me) {
  const config = (await shop.call(CHECKBOX)).storefrontLoginAsCustomerConfig;
  if (!config.enabled) return null;
  const status = h("div", {});
  const box = h("input", { type: "checkbox", id: "assistance-consent", checked: me.allowRemoteShoppingAssistance });
  box.addEventListener("change", async () => {
    try {
      await shop.call(CONSENT, { allowed: box.checked });
      show(status, message("notice", "You saved the account information."));
    } catch (failure) {
      box.checked = !box.checked;
      show(status, message("error", failure.message));
    }
  });
  return h(
    "div",
    { className: "card" },
    h("h3", {}, "Shopping assistance"),
    h(
      "label",
      { className: "field inline", title: config.shoppingAssistanceCheckboxTooltip },
      box,
      h("span", { id: "assistance-consent-title" }, config.shoppingAssistanceCheckboxTitle),
      h("span", { className: "muted", "aria-hidden": "true" }, "ⓘ"),
    ),
    h("small", { className: "muted", id: "assistance-consent-tooltip" }, config.shoppingAssistanceCheckboxTooltip),
    status,
  );
}

function historyTable(sessions) {
  if (!sessions.length) return message("info", "No one from the store has assisted you yet.");
  return h(
    "table",
    { id: "assistance-history" },
    h("thead", {}, h("tr", {}, ["Started", "Staff", "Store View", "Reason", "Consent", "Ended", "What was done"].map((label) => h("th", {}, label)))),
    h(
      "tbody",
      {},
      sessions.map((s) =>
        h(
          "tr",
          {},
          h("td", {}, when(s.startedAt)),
          h("td", {}, s.staffName),
          h("td", {}, s.storeView.name, s.readOnly ? " (read-only)" : ""),
          h("td", {}, s.reason ?? ""),
          h("td", {}, s.consent === "CODE" ? "One-time code" : "Standing consent"),
          h("td", {}, s.isLive ? "In progress" : `${when(s.endedAt)} (${s.endCause ?? ""})`),
          h("td", {}, h("ul", {}, s.actions.map((a) => h("li", {}, `${when(a.time)}: ${a.summary}`)))),
        ),
      ),
    ),
  );
}

// The customer's side of assistance: each part shows its own error when the service lacks it.
async function assistanceCard(shop) {
  const history = h("div", {});
  const status = h("div", {});
  const loadHistory = async () => {
    try {
      show(history, historyTable((await shop.call(HISTORY)).myAssistanceSessions.edges.map((edge) => edge.node)));
    } catch (failure) {
      show(history, message("error", failure.message));
    }
  };
  const createCode = async () => {
    try {
      const code = (await shop.call(CREATE_CODE)).createAssistanceCode;
      show(
        status,
        h("p", {}, "Read this code to the store's staff: ", h("span", { className: "code", id: "assistance-code" }, code.code)),
        h("p", { className: "muted" }, `Valid once, until ${when(code.expiresAt)}.`),
      );
    } catch (failure) {
      show(status, message("error", failure.message));
    }
  };
  const endAssistance = async () => {
    try {
      const ended = (await shop.call(END_ASSISTANCE)).endMyAssistanceSessions;
      show(status, message("notice", ended ? `Ended ${ended} assistance session(s).` : "No assistance session was in progress."));
      await loadHistory();
    } catch (failure) {
      show(status, message("error", failure.message));
    }
  };
  await loadHistory();
  return h(
    "div",
    { className: "card" },
    h("h3", {}, "Assistance history"),
    h(
      "div",
      { className: "toolbar" },
      h("button", { id: "create-code", onclick: createCode }, "Create a code"),
      h("button", { id: "end-assistance", onclick: endAssistance }, "End assistance"),
    ),
    status,
    history,
  );
}

export async function accountPage(main, shop) {
  if (!shop.session.isLoggedIn) return signInForm(main, shop);
  const me = (await shop.call(ME)).me;
  const facts = h("div", { className: "card" }, h("h2", {}, "My Account"), h("p", {}, `${me.name} <${me.email}>, ${me.website.name}`));
  if (shop.session.isLoginAsCustomer) {
    // consent and the assistance trail are the customer's own: not shown to staff
    return show(main, facts, message("info", "Consent and assistance history are visible to the customer only."));
  }
  show(main, facts, await consentCard(shop, me), await assistanceCard(shop));
}
