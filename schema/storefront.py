"""Root fields of the storefront: catalog, cart and checkout."""

from __future__ import annotations

import strawberry


@strawberry.type
class StorefrontQuery:
    pass


@strawberry.type
class StorefrontMutation:
    pass
