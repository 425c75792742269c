// The admin demo's pages: customers, sales documents, active sessions, action log, config.
import { field, formValues, h, message, money, show, when } from "/demo/shared/api.js";
import { loginAsCustomerButton } from "/demo/admin/login-as-customer.js";

const PAGE_SIZE = 20;
const AVAILABILITY = "canLoginAsCustomer loginAsCustomerUnavailableReason";
const CUSTOMER = `id name email isActive allowRemoteShoppingAssistance ${AVAILABILITY}
  website { code name storeViews { id name isActive } }`;

function table(columns, rows) {
  return h(
    "table",
    {},
    h("thead", {}, h("tr", {}, columns.map(([label]) => h("th", {}, label)))),
    h(
      "tbody",
      {},
      rows.length
        ? rows.map((row) => h("tr", {}, columns.map(([, cell]) => h("td", {}, cell(row)))))
        : h("tr", {}, h("td", { colspan: columns.length }, "No records found.")),
    ),
  );
}

// Relay paging: the cursors of the pages before this one, so "Previous" can go back.
function pager(connection, cursors, go) {
  const page = cursors.length + 1;
  const pages = Math.max(1, Math.ceil((connection.totalCount ?? 0) / PAGE_SIZE));
  return h(
    "div",
    { className: "pager" },
    h("button", { disabled: page === 1, onclick: () => go(cursors.slice(0, -1)) }, "Previous"),
    h("span", { className: "page-status" }, `Page ${page} of ${pages} · ${connection.totalCount} records`),
    h(
      "button",
      {
        disabled: !connection.pageInfo.hasNextPage,
        onclick: () => go([...cursors, connection.pageInfo.endCursor]),
      },
      "Next",
    ),
  );
}

const CUSTOMERS = `query Customers($filter: CustomerFilter, $after: String) {
  customers(filter: $filter, first: ${PAGE_SIZE}, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { ${CUSTOMER} } } } }`;

export async function customersPage(main, admin) {
  const search = h("input", { type: "search", name: "search", placeholder: "Name or email", id: "customer-search" });
  const results = h("div", {});
  const load = async (cursors = []) => {
    const text = search.value.trim();
    const filter = text ? (text.includes("@") ? { email: text } : { name: text }) : null;
    const data = await admin.call(CUSTOMERS, { filter, after: cursors.at(-1) ?? null });
    const rows = data.customers.edges.map((edge) => edge.node);
    show(
      results,
      table(
        [
          ["ID", (c) => c.id],
          ["Name", (c) => c.name],
          ["Email", (c) => c.email],
          ["Website", (c) => c.website.name],
          ["Assistance allowed", (c) => (c.allowRemoteShoppingAssistance ? "Yes" : "No")],
          ["Active", (c) => (c.isActive ? "Yes" : "No")],
          ["Action", (c) => loginAsCustomerButton(admin, c, c)],
        ],
        rows,
      ),
      pager(data.customers, cursors, (next) => load(next).catch(fail)),
    );
  };
  const fail = (failure) => show(results, message("error", failure.message));
  const form = h("form", { className: "toolbar" }, search, h("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load().catch(fail);
  });
  show(main, h("h2", {}, "Customers"), form, results);
  await load();
}

// The sales documents: root list field, root item field, title, and the columns they add.
const DOCUMENTS = {
  orders: { one: "order", title: "Orders", fields: "customerEmail status grandTotal { value currency }" },
  invoices: { one: "invoice", title: "Invoices", fields: "grandTotal { value currency }" },
  shipments: { one: "shipment", title: "Shipments", fields: "totalQuantity" },
  creditMemos: { one: "creditMemo", title: "Credit Memos", fields: "grandTotal { value currency }" },
};
const DOCUMENT = (fields) => `id incrementId createdAt storeView { name } ${fields} ${AVAILABILITY}
  customer { ${CUSTOMER} }`;

function documentFacts(doc) {
  return h(
    "dl",
    { className: "facts" },
    h("dt", {}, "Number"), h("dd", {}, doc.incrementId),
    h("dt", {}, "Customer"), h("dd", {}, doc.customer ? `${doc.customer.name} <${doc.customer.email}>` : doc.customerEmail ?? "Guest"),
    h("dt", {}, "Store View"), h("dd", {}, doc.storeView.name),
    h("dt", {}, "Created"), h("dd", {}, when(doc.createdAt)),
    doc.status && [h("dt", {}, "Status"), h("dd", {}, doc.status)],
    doc.grandTotal && [h("dt", {}, "Grand Total"), h("dd", {}, money(doc.grandTotal))],
    doc.totalQuantity !== undefined && [h("dt", {}, "Quantity"), h("dd", {}, doc.totalQuantity)],
  );
}

export async function salesPage(main, admin, [kind = "orders", id = null]) {
  const spec = DOCUMENTS[kind] ?? DOCUMENTS.orders;
  const tabs = h(
    "div",
    { className: "toolbar" },
    Object.entries(DOCUMENTS).map(([key, { title }]) =>
      h("a", { href: `#/sales/${key}`, className: key === kind ? "tab current" : "tab" }, title),
    ),
  );
  if (id) {
    const data = await admin.call(`query Document($id: ID!) { ${spec.one}(id: $id) { ${DOCUMENT(spec.fields)} } }`, { id });
    const doc = data[spec.one];
    show(
      main,
      h("h2", {}, `${spec.title.replace(/s$/, "")} #${doc.incrementId}`),
      tabs,
      h("div", { className: "card document" }, documentFacts(doc), loginAsCustomerButton(admin, doc, doc.customer)),
    );
    return;
  }
  const data = await admin.call(`query Documents { ${kind}(first: ${PAGE_SIZE}) { edges { node { ${DOCUMENT(spec.fields)} } } } }`);
  const rows = data[kind].edges.map((edge) => edge.node);
  show(
    main,
    h("h2", {}, spec.title),
    tabs,
    table(
      [
        ["Number", (d) => d.incrementId],
        ["Customer", (d) => d.customer?.name ?? d.customerEmail ?? "Guest"],
        ["Store View", (d) => d.storeView.name],
        ["Created", (d) => when(d.createdAt)],
        ["", (d) => h("a", { href: `#/sales/${kind}/${encodeURIComponent(d.id)}` }, "View")],
      ],
      rows,
    ),
  );
}

const SESSIONS = `query ActiveSessions { activeLoginAsCustomerSessions {
  id state admin { username } customer { name email } storeView { name } reason startedAt expiresAt ipAddress actionCount } }`;
const TERMINATE = `mutation Terminate($id: ID!) { terminateLoginAsCustomerSession(id: $id) { id endCause } }`;

export async function sessionsPage(main, admin) {
  const notice = h("div", {});
  const data = await admin.call(SESSIONS);
  const terminate = (session) => async () => {
    try {
      await admin.call(TERMINATE, { id: session.id });
      await sessionsPage(main, admin);
      main.prepend(message("notice", `Session ${session.id} terminated.`));
    } catch (failure) {
      show(notice, message("error", failure.message));
    }
  };
  show(
    main,
    h("h2", {}, "Active Login as Customer Sessions"),
    notice,
    table(
      [
        ["ID", (s) => s.id],
        ["State", (s) => s.state],
        ["Admin", (s) => s.admin.username],
        ["Customer", (s) => `${s.customer.name} <${s.customer.email}>`],
        ["Store View", (s) => s.storeView.name],
        ["Reason", (s) => s.reason ?? ""],
        ["Started", (s) => when(s.startedAt)],
        ["Expires", (s) => when(s.expiresAt)],
        ["IP", (s) => s.ipAddress ?? ""],
        ["Actions", (s) => s.actionCount],
        ["", (s) => h("button", { onclick: terminate(s) }, "Terminate")],
      ],
      data.activeLoginAsCustomerSessions,
    ),
  );
}

const GROUPS = "query ActionGroups { actionGroups { code label } }";
const LOG = `query ActionLog($filter: AdminActionLogFilter, $after: String) {
  adminActionLog(filter: $filter, first: ${PAGE_SIZE}, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id time actionGroup action result username ipAddress fullActionName
      customer { name email } loginAsCustomerSessionId details } } } }`;
const LOG_COLUMNS = [
  ["Time", (e) => e.time],
  ["Action Group", (e) => e.actionGroup],
  ["Action", (e) => e.action],
  ["Result", (e) => e.result],
  ["User", (e) => e.username ?? ""],
  ["Customer", (e) => e.customer?.email ?? ""],
  ["IP Address", (e) => e.ipAddress ?? ""],
  ["Session", (e) => e.loginAsCustomerSessionId ?? ""],
  ["Details", (e) => JSON.stringify(e.details)],
];

function csvCell(value) {
  const text = String(value ?? "");
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// The loaded page as a CSV download (the API has no export field; `lac log export` is the CLI's).
function exportCsv(entries) {
  const lines = [LOG_COLUMNS.map(([label]) => label), ...entries.map((e) => LOG_COLUMNS.map(([, cell]) => cell(e)))];
  const text = lines.map((line) => line.map(csvCell).join(",")).join("\r\n") + "\r\n";
  const link = h("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv" })), download: "admin-action-log.csv" });
  link.click();
  URL.revokeObjectURL(link.href);
}

export async function logPage(main, admin) {
  const groups = (await admin.call(GROUPS)).actionGroups;
  const select = h(
    "select",
    { name: "actionGroup", id: "action-group" },
    h("option", { value: "" }, "All"),
    groups.map((group) => h("option", { value: group.code }, group.label)),
  );
  const results = h("div", {});
  let entries = [];
  const load = async (cursors = []) => {
    const filter = select.value ? { actionGroups: [select.value] } : null;
    const data = await admin.call(LOG, { filter, after: cursors.at(-1) ?? null });
    entries = data.adminActionLog.edges.map((edge) => edge.node);
    const cells = LOG_COLUMNS.map(([label, cell]) => [label, label === "Details" ? (e) => h("code", {}, cell(e)) : cell]);
    show(results, table(cells, entries), pager(data.adminActionLog, cursors, (next) => load(next).catch(fail)));
  };
  const fail = (failure) => show(results, message("error", failure.message));
  select.addEventListener("change", () => load().catch(fail));
  show(
    main,
    h("h2", {}, "Admin Actions Log"),
    h(
      "div",
      { className: "toolbar" },
      field("Action Group", select),
      h("button", { id: "export-csv", onclick: () => exportCsv(entries) }, "Export CSV (this page)"),
    ),
    results,
  );
  await load();
}

const CONFIG_FIELDS = [
  ["enabled", "Enable Login as Customer", "boolean"],
  ["disablePageCacheForAdminUser", "Disable Page Cache for Admin User", "boolean"],
  ["storeViewToLogin", "Store View To Login In", ["AUTO_DETECTION", "MANUAL_SELECTION"]],
  ["authenticationDataExpirationSeconds", "Authentication Data Expiration Time (seconds)", "number"],
  ["sessionLifetimeSeconds", "Session Lifetime (seconds)", "number"],
  ["requireReason", "Require a Reason", "boolean"],
  ["shoppingAssistanceCheckboxTitle", "Title for Login as Customer opt-in checkbox", "text"],
  ["shoppingAssistanceCheckboxTooltip", "Login as Customer checkbox tooltip", "text"],
];
// Settings of the customer-side features, shown only when the schema has them.
const EXTRA_FIELDS = [
  ["allowAssistanceCodes", "Allow one-time assistance codes", "boolean"],
  ["assistanceCodeLifetimeSeconds", "Assistance code lifetime (seconds)", "number"],
  ["defaultReadOnly", "Sessions are read-only by default", "boolean"],
];
const names = (fields) => fields.map(([name]) => name).join(" ");

function control([name, , kind], value) {
  if (kind === "boolean") return h("input", { type: "checkbox", name, checked: value });
  if (Array.isArray(kind)) return h("select", { name }, kind.map((option) => h("option", { value: option, selected: option === value }, option)));
  return h("input", { type: kind, name, value: String(value) });
}

export async function configPage(main, admin) {
  const config = (await admin.call(`query Config { loginAsCustomerConfig { ${names(CONFIG_FIELDS)} } }`)).loginAsCustomerConfig;
  let fields = CONFIG_FIELDS;
  try {
    const extra = (await admin.call(`query ConfigExtra { loginAsCustomerConfig { ${names(EXTRA_FIELDS)} } }`)).loginAsCustomerConfig;
    Object.assign(config, extra);
    fields = [...CONFIG_FIELDS, ...EXTRA_FIELDS];
  } catch {
    // this service has no customer-side settings yet
  }
  const status = h("div", {});
  const form = h(
    "form",
    { className: "card", id: "config" },
    fields.map((spec) =>
      spec[2] === "boolean"
        ? h("label", { className: "field inline" }, control(spec, config[spec[0]]), spec[1])
        : field(spec[1], control(spec, config[spec[0]])),
    ),
    h("button", { className: "primary", type: "submit" }, "Save Config"),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = formValues(form);
    const input = {};
    for (const [name, , kind] of fields) input[name] = kind === "number" ? Number(values[name]) : values[name];
    try {
      await admin.call("mutation SaveConfig($input: LoginAsCustomerConfigInput!) { updateLoginAsCustomerConfig(input: $input) { enabled } }", { input });
      show(status, message("notice", "You saved the configuration."));
    } catch (failure) {
      show(status, message("error", failure.message));
    }
  });
  show(main, h("h2", {}, "Stores › Configuration › Login as Customer"), form);
}
