"""Root fields of Login as Customer: start, exchange, end, oversight, the storefront session."""

from __future__ import annotations

import strawberry


@strawberry.type
class LoginAsCustomerQuery:
    pass


@strawberry.type
class LoginAsCustomerMutation:
    pass
