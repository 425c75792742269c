// Starts GraphiQL with the README walk-through as one tab per step (walkthrough.json) and the
// Authorization header placeholder in the Headers editor. Everything loads from this service.
/* global React, ReactDOM, GraphiQL */

const PLACEHOLDER = JSON.stringify({ Authorization: "Bearer <token>" }, null, 2);

function tab(step) {
  return {
    query: `# Step ${step.step}: ${step.title}\n# as: ${step.as}\n${step.query}\n`,
    headers: step.as === "nobody" ? "" : PLACEHOLDER,
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
