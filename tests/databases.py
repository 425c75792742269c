"""Fresh, empty databases for tests: a new PostgreSQL database on the server named by
LAC_TEST_DATABASE_URL (dropped afterwards), or else an SQLite file."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

POSTGRES_SERVER_URL = os.environ.get("LAC_TEST_DATABASE_URL")


def postgres_conninfo(url: str) -> str:
    """A libpq connection string for a SQLAlchemy PostgreSQL URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def fresh_database(folder: Path) -> Iterator[str]:
    """The URL of a new, empty database: PostgreSQL when configured, else SQLite in `folder`."""
    if not POSTGRES_SERVER_URL:
        yield f"sqlite:///{folder / 'lac-test.db'}"
        return
    name = f"lac_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_conninfo(POSTGRES_SERVER_URL), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_SERVER_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(postgres_conninfo(POSTGRES_SERVER_URL), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
