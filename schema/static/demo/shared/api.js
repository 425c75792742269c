// What both demo clients share: the GraphQL call, a DOM builder that only ever sets text
// (never innerHTML, so API data cannot inject markup), and small helpers.

export class ApiError extends Error {
  constructor(errors) {
    super(errors.map((error) => error.message).join(" "));
    this.errors = errors;
    this.code = errors[0]?.extensions?.code ?? null;
  }
}

// POST one operation to the service's public GraphQL endpoint; the data, or an ApiError.
export async function call(query, variables = {}, token = null) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch("/graphql", {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors?.length) throw new ApiError(body.errors);
  return body.data;
}

// h("button", {onclick, title, disabled}, "text", child...): an element; attributes named
// on* become listeners, `dataset` and `className` are set as properties, false/null skip.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name === "className" || name === "value" || name === "checked") element[name] = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// Replace the children of `element` with `children`.
export function show(element, ...children) {
  element.replaceChildren();
  for (const child of children.flat()) if (child) element.append(child);
}

export function money(value) {
  return value ? `${value.value.toFixed(2)} ${value.currency}` : "";
}

export function when(time) {
  return time ? new Date(time).toLocaleString() : "";
}

// A message box: kind is "error", "notice" or "info".
export function message(kind, text) {
  return h("p", { className: `message ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

// The form's fields as an object (checkboxes as booleans).
export function formValues(form) {
  const values = {};
  for (const element of form.elements) {
    if (!element.name) continue;
    values[element.name] = element.type === "checkbox" ? element.checked : element.value;
  }
  return values;
}

// A field: label, control and optional hint.
export function field(label, control, hint = null) {
  return h("label", { className: "field" }, h("span", {}, label), control, hint && h("small", {}, hint));
}
