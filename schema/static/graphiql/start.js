// Starts GraphiQL with the README walk-through as one tab per step (walkthrough.json) and the
// Authorization header placeholder in the Headers editor. Everything loads from this service.
/* global React, ReactDOM, GraphiQL */

const PLACEHOLDER = JSON.stringify({ Authorization: "Bearer <token>" }, null, 2);

// The step's operation named StepN, so its tab says which step it is.
function named(step) {
  const name = `Step${step.step}`;
  return step.query.startsWith("{")
    ? `query ${name} ${step.query}`
    : step.query.replace(/^(query|mutation)\s*/, `$1 ${name} `);
}

function tab(step) {
  return {
    query: `# Step ${step.step}: ${step.title}\n# as: ${step.as}\n${named(step)}\n`,
    headers: PLACEHOLDER,
  };
}

const steps = await (await fetch("/static/graphiql/walkthrough.json")).json();
const root = ReactDOM.createRoot(document.getElementById("graphiql"));
root.render(
  React.createElement(GraphiQL, {
    fetcher: GraphiQL.createFetcher({ url: "/graphql" }),
    defaultTabs: steps.map(tab),
    defaultHeaders: PLACEHOLDER,
    defaultEditorToolsVisibility: "headers",
  }),
);
