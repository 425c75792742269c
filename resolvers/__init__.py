"""Business rules, one package per domain: plain async functions, callable without GraphQL."""
