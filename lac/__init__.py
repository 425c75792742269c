"""lac: Login as Customer as a standalone GraphQL service."""
