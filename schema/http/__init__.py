"""The HTTP layer around the GraphQL view: one small ASGI piece or rule per module.

piece (the shape of every piece), request_state (the typed state the pieces pass on),
request_id, access_log (JSON, one line
per request), metrics (/metrics and the request counters), errors (every error answer is
GraphQL-shaped JSON), cors, body_limit (413 while reading), unit_of_work, caller (who is
calling), failed_sessions, refusals, response_headers (Cache-Control, Retry-After),
graphql_request (what a request may carry, decoded safely), view (strawberry's view with
those rules), security_headers and health (/healthz, /readyz).
"""
