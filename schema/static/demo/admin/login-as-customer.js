// The "Login as Customer" button and Magento's confirmation, shared by the customers grid
// and the order, invoice, shipment and credit memo views.
import { field, formValues, h, message, show } from "/demo/shared/api.js";

export const CONFIRMATION = 'Actions taken while in "Login as Customer" will affect actual customer data.';

const REASONS = {
  FEATURE_DISABLED: "Login as Customer is disabled.",
  PERMISSION_DENIED: "Your role does not allow Login as Customer.",
  GUEST_ORDER: "This document belongs to a guest: there is no customer account to log in to.",
  CUSTOMER_INACTIVE: "The customer account is inactive.",
  CUSTOMER_CONSENT_REQUIRED: "Login as Customer assistance is disabled for this Customer.",
  NO_STORE_VIEW: "The customer's website has no active store view.",
};

const CONFIG = `query LoginAsCustomerDialogConfig {
  loginAsCustomerConfig { storeViewToLogin requireReason } }`;
const START = `mutation StartLoginAsCustomer($input: LoginAsCustomerInput!) {
  loginAsCustomer(input: $input) { secret expiresAt storeView { name } session { id } } }`;

// The button for `subject` (a Customer or a sales document carrying canLoginAsCustomer and
// loginAsCustomerUnavailableReason; `customer` is the account to act for). Disabled with
// the reason as tooltip; when only consent is missing, a second button takes a one-time
// assistance code instead.
export function loginAsCustomerButton(admin, subject, customer) {
  const reason = subject.loginAsCustomerUnavailableReason;
  const open = (needsCode) => () => openDialog(admin, customer, needsCode);
  const button = h(
    "button",
    {
      className: "primary login-as-customer",
      disabled: !subject.canLoginAsCustomer,
      title: subject.canLoginAsCustomer ? "Login as Customer" : REASONS[reason] ?? reason,
      onclick: open(false),
    },
    "Login as Customer",
  );
  if (reason !== "CUSTOMER_CONSENT_REQUIRED" || !customer) return button;
  return h(
    "span",
    {},
    button,
    " ",
    h("button", { className: "with-code", title: "The customer reads you a one-time assistance code", onclick: open(true) }, "Use a code…"),
  );
}

async function dialogConfig(admin) {
  try {
    return (await admin.call(CONFIG)).loginAsCustomerConfig;
  } catch {
    return null; // the role cannot read the configuration: the service still enforces it
  }
}

// The input sent: optional fields only when set, so this page works with and without the
// read-only and consent-code inputs in the schema.
function startInput(customer, values) {
  const input = { customerId: customer.id };
  if (values.storeViewId) input.storeViewId = values.storeViewId;
  if (values.reason.trim()) input.reason = values.reason.trim();
  if (values.readOnly) input.readOnly = true;
  if (values.consentCode?.trim()) input.consentCode = values.consentCode.trim();
  return input;
}

async function openDialog(admin, customer, needsCode) {
  const config = await dialogConfig(admin);
  const manual = config?.storeViewToLogin === "MANUAL_SELECTION";
  const storeViews = (customer.website?.storeViews ?? []).filter((view) => view.isActive);
  const status = h("div", {});
  const picker =
    manual || !config
      ? field(
          "Store View",
          h(
            "select",
            { name: "storeViewId", required: manual },
            h("option", { value: "" }, manual ? "Please select a Store View" : "Automatic"),
            storeViews.map((view) => h("option", { value: view.id }, view.name)),
          ),
          manual ? "Required: the store is set to manual selection." : null,
        )
      : null;
  const form = h(
    "form",
    { method: "dialog", id: "login-as-customer-form" },
    h("header", {}, "You are about to Login as Customer"),
    h(
      "div",
      { className: "body" },
      h("p", { className: "confirmation" }, CONFIRMATION),
      h("p", { className: "muted" }, `Customer: ${customer.name}`),
      picker,
      field(
        config?.requireReason ? "Reason (required)" : "Reason",
        h("textarea", { name: "reason", rows: 2, required: Boolean(config?.requireReason) }),
      ),
      h("label", { className: "field inline" }, h("input", { type: "checkbox", name: "readOnly" }), "Read-only session"),
      field(
        needsCode ? "Assistance code (required)" : "Assistance code",
        h("input", { name: "consentCode", inputmode: "numeric", pattern: "[0-9]{6}", required: needsCode }),
        "The 6-digit code the customer created, when they gave no standing consent.",
      ),
      status,
    ),
    h(
      "footer",
      {},
      h("button", { type: "button", value: "cancel", onclick: () => dialog.close() }, "Cancel"),
      h("button", { className: "primary", type: "submit", id: "confirm-login-as-customer" }, "Login as Customer"),
    ),
  );
  const dialog = h("dialog", { id: "login-as-customer" }, form);
  dialog.addEventListener("close", () => dialog.remove());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const start = (await admin.call(START, { input: startInput(customer, formValues(form)) })).loginAsCustomer;
      const url = `/demo/storefront/#secret=${encodeURIComponent(start.secret)}`;
      window.open(url, "_blank", "noopener");
      show(
        status,
        message("notice", `Session ${start.session.id} started on ${start.storeView.name}; the storefront opened in a new tab.`),
        h("a", { href: url, target: "_blank", rel: "noopener" }, "No new tab? Open the storefront"),
      );
      form.querySelector("#confirm-login-as-customer").disabled = true;
      form.querySelector("footer button[value=cancel]").textContent = "Close";
    } catch (failure) {
      show(status, message("error", failure.message));
    }
  });
  document.body.append(dialog);
  dialog.showModal();
}
