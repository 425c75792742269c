"""All settings, read from the environment in one place."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_DATABASE_URL = "sqlite:///./lac.db"


def async_database_url(url: str) -> str:
    """Pick the async driver from the URL's scheme (aiosqlite or psycopg 3).

    Users write the plain URL they know (`sqlite:///./lac.db`, `postgresql://...`);
    the service only ever talks to the database asynchronously.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"not a database URL: {url!r}")
    base = scheme.split("+", 1)[0]
    if base == "sqlite":
        return f"sqlite+aiosqlite://{rest}"
    if base in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    raise ValueError(f"unsupported database scheme {scheme!r}: use sqlite:// or postgresql://")


def parse_networks(value: str) -> tuple[Network, ...]:
    """Parse a comma-separated list of addresses or CIDR ranges."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False)
        for part in value.split(",")
        if part.strip()
    )


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    env: Literal["development", "production"] = "development"
    cors_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[Network, ...] = ()
    admin_token_lifetime: timedelta = timedelta(hours=4)
    customer_token_lifetime: timedelta = timedelta(hours=1)
    lockout_failures: int = 6
    lockout_window: timedelta = timedelta(minutes=30)
    lockout_duration: timedelta = timedelta(minutes=30)

    @property
    def async_database_url(self) -> str:
        return async_database_url(self.database_url)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get("LAC_ENV", "development")
        if env not in ("development", "production"):
            raise ValueError("LAC_ENV must be 'development' or 'production'")
        return cls(
            database_url=os.environ.get("LAC_DATABASE_URL", DEFAULT_DATABASE_URL),
            env="production" if env == "production" else "development",
            cors_origins=tuple(
                o.strip() for o in os.environ.get("LAC_CORS_ORIGINS", "").split(",") if o.strip()
            ),
            trusted_proxies=parse_networks(os.environ.get("LAC_TRUSTED_PROXIES", "")),
        )
