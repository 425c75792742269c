"""Root fields for a customer's own account and consent, and an admin changing consent."""

from __future__ import annotations

import strawberry


@strawberry.type
class AccountMutation:
    pass
