"""Root fields for the Login-as-Customer configuration."""

from __future__ import annotations

import strawberry


@strawberry.type
class ConfigQuery:
    pass


@strawberry.type
class ConfigMutation:
    pass
