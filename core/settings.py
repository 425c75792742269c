"""All settings, read from the environment in one place and checked there.

A bad value stops lac at once with a `SettingsError` that names the variable, what was
wrong and what it accepts (the CLI prints it as one line), instead of failing later,
deep inside a driver, with a traceback.
"""

from __future__ import annotations

import ipaddress
import math
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_DATABASE_URL = "sqlite:///./lac.db"
DATABASE_URL_FORMS = "use sqlite:///path/to/lac.db or postgresql://user:password@host:5432/database"
ENVIRONMENTS = ("development", "production")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MAX_PORT = 65535


class SettingsError(ValueError):
    """A setting has a value lac cannot use; the message says which and how to fix it."""


def async_database_url(url: str) -> str:
    """Pick the async driver from the URL's scheme (aiosqlite or psycopg 3).

    Users write the plain URL they know (`sqlite:///./lac.db`, `postgresql://...`);
    the service only ever talks to the database asynchronously.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise SettingsError(f"LAC_DATABASE_URL is not a database URL: {DATABASE_URL_FORMS}")
    base = scheme.split("+", 1)[0]
    if base == "sqlite":
        return f"sqlite+aiosqlite://{rest}"
    if base in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    raise SettingsError(
        f"LAC_DATABASE_URL has the unsupported scheme {scheme!r}: {DATABASE_URL_FORMS}"
    )


def checked_database_url(url: str) -> str:
    """`url` if lac can use it: a known scheme, a URL SQLAlchemy can parse, and for an
    SQLite file, a folder that exists (SQLite creates the file, never its folder).

    The URL itself is never echoed back (it may hold a password).
    """
    async_database_url(url)
    try:
        parsed = make_url(url)
        parsed.port  # noqa: B018  (parsing the port is the check)
    except (ArgumentError, ValueError):
        raise SettingsError(
            f"LAC_DATABASE_URL is not a valid database URL: {DATABASE_URL_FORMS}"
        ) from None
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if file and file != ":memory:" and not file.startswith("file:"):
        folder = Path(file).parent
        if not folder.is_dir():
            raise SettingsError(
                f"LAC_DATABASE_URL points to the SQLite file {file}, but the folder {folder} "
                "does not exist: create it, or choose a file in an existing folder"
            )
    return url


def parse_networks(value: str) -> tuple[Network, ...]:
    """Parse a comma-separated list of addresses or CIDR ranges."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False)
        for part in value.split(",")
        if part.strip()
    )


@dataclass(frozen=True)
class DatabaseTimeouts:
    """How long lac waits on the database before giving up (seconds).

    `connect`: to open a connection (psycopg's `connect_timeout`; libpq rounds it up to
    whole seconds, at least 2). `statement`: for one statement, lock waits included
    (PostgreSQL's `statement_timeout`, SQLite's busy timeout). A request that runs out
    of either answers HTTP 503 instead of hanging.
    """

    connect: float = 5.0
    statement: float = 30.0


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
    database_timeouts: DatabaseTimeouts = field(default_factory=DatabaseTimeouts)
    metrics_clients: tuple[Network, ...] = ()
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT

    @property
    def metrics_enabled(self) -> bool:
        """`/metrics` is served only when LAC_METRICS names who may scrape it."""
        return bool(self.metrics_clients)

    @property
    def async_database_url(self) -> str:
        return async_database_url(self.database_url)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls) -> Settings:
        """The settings of this process's environment; `SettingsError` on a bad value."""
        defaults = DatabaseTimeouts()
        return cls(
            database_url=checked_database_url(
                os.environ.get("LAC_DATABASE_URL", DEFAULT_DATABASE_URL)
            ),
            env="production" if _environment() == "production" else "development",
            cors_origins=tuple(
                o.strip() for o in os.environ.get("LAC_CORS_ORIGINS", "").split(",") if o.strip()
            ),
            trusted_proxies=_networks("LAC_TRUSTED_PROXIES", "10.0.0.0/8,192.0.2.7"),
            database_timeouts=DatabaseTimeouts(
                connect=_seconds("LAC_DB_CONNECT_TIMEOUT", defaults.connect),
                statement=_seconds("LAC_DB_STATEMENT_TIMEOUT", defaults.statement),
            ),
            metrics_clients=_networks("LAC_METRICS", "127.0.0.1,::1"),
            host=os.environ.get("LAC_HOST", DEFAULT_HOST).strip() or DEFAULT_HOST,
            port=_port(),
        )


def _environment() -> str:
    value = os.environ.get("LAC_ENV", "development")
    if value not in ENVIRONMENTS:
        raise SettingsError(f"LAC_ENV={value!r} is not allowed: use {' or '.join(ENVIRONMENTS)}")
    return value


def _networks(name: str, example: str) -> tuple[Network, ...]:
    value = os.environ.get(name, "")
    try:
        return parse_networks(value)
    except ValueError:
        raise SettingsError(
            f"{name}={value!r} is not a comma-separated list of IP addresses "
            f"or CIDR ranges (e.g. {example})"
        ) from None


def _port() -> int:
    value = os.environ.get("LAC_PORT")
    if value is None:
        return DEFAULT_PORT
    if not value.strip().isdigit() or not 1 <= int(value) <= MAX_PORT:
        raise SettingsError(f"LAC_PORT={value!r} is not a TCP port: use 1 to {MAX_PORT}")
    return int(value)


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise SettingsError(
            f"{name}={value!r} is not a number of seconds above 0: use e.g. {default:g}"
        )
    return seconds
