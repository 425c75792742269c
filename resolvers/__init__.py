"""Business rules, one module per domain: plain async functions, callable without GraphQL."""
