"""The HTTP layer around the GraphQL view: one small ASGI piece or rule per module.

errors (every error answer is GraphQL-shaped JSON), body_limit (413 while reading),
graphql_request (what a request may carry, decoded safely), view (strawberry's view with
those rules), cors, security_headers, response_headers (Cache-Control, Retry-After),
health (/healthz, /readyz) and access_log (no query string, no probes).
"""
