"""GraphQL object types, one module per domain. Thin: they map rows to fields."""
