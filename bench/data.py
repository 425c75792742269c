"""The benchmark's databases: a fresh SQLite file or PostgreSQL database, migrated and seeded
by the real CLI, grown to 250 orders, and (PostgreSQL) an admin action log of millions of
entries written with `generate_series`, with a progress bar."""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from bench.processes import lac_env, run_cli

ORDERS = 250
CLERKS = 32  # admins like `support` (same password), one per client starting sessions
LOG_CHUNK = 250_000
ENTRY_SPACING_SECONDS = 3  # 1M entries span ~35 days, 10M ~350 days


def conninfo(url: str) -> str:
    """A libpq connection string for a SQLAlchemy PostgreSQL URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def migrate_and_seed(url: str, workdir: Path) -> None:
    """`lac db upgrade` and `lac demo seed`, then copies of the demo orders up to 250 and
    CLERKS copies of the support admin (each admin has one live session at a time, so
    concurrent clients starting sessions need one admin each)."""
    env = lac_env(url)
    run_cli(env, workdir, "db", "upgrade")
    run_cli(env, workdir, "demo", "seed")
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(make_url(url).database or "") as connection:
            _copy_orders(connection, "?")
            _copy_admins(connection, "?")
    else:
        with psycopg.connect(conninfo(url)) as connection:
            _copy_orders(connection, "%s")
            _copy_admins(connection, "%s")


def _copy_orders(connection: object, mark: str) -> None:
    """Insert copies of the seeded orders (new increment ids) until there are ORDERS."""
    execute = connection.execute  # type: ignore[attr-defined]
    (count,) = execute("SELECT count(*) FROM sales_order").fetchone()
    columns = (
        "customer_id, customer_email, customer_firstname, customer_lastname, store_view_id,"
        " status, grand_total_cents, currency, created_at"
    )
    originals = [row[0] for row in execute("SELECT id FROM sales_order ORDER BY id").fetchall()]
    for n in range(ORDERS - count):
        execute(
            f"INSERT INTO sales_order (increment_id, {columns})"  # noqa: S608 (fixed text)
            f" SELECT {mark}, {columns} FROM sales_order WHERE id = {mark}",
            (f"B{n + 1:08d}", originals[n % len(originals)]),
        )
    connection.commit()  # type: ignore[attr-defined]


def _copy_admins(connection: object, mark: str) -> None:
    """Insert `clerk1`..`clerkN`: copies of `support` (role, password) under new names."""
    execute = connection.execute  # type: ignore[attr-defined]
    for n in range(1, CLERKS + 1):
        execute(
            "INSERT INTO admin_user (username, email, firstname, lastname, is_active,"  # noqa: S608
            " password_hash, role_id, created_at)"
            f" SELECT {mark}, {mark}, firstname, lastname, is_active, password_hash, role_id,"
            " created_at FROM admin_user WHERE username = 'support'",
            (f"clerk{n}", f"clerk{n}@example.com"),
        )
    connection.commit()  # type: ignore[attr-defined]


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A new PostgreSQL database on the server of `server_url`, dropped afterwards."""
    name = f"lac_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(conninfo(server_url), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo(server_url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# One entry per number g: 1 in 40 a Login-as-Customer start, a few other groups, mostly
# admin sign-ins (as in a real log); 1 in 7 a failure; details of ~150 bytes.
SEED_ENTRIES = """
INSERT INTO admin_action_log (
  id, time, action_group, action, result, username, admin_id, admin_username,
  admin_firstname, admin_lastname, ip_address, user_agent, full_action_name, customer_id,
  customer_email, customer_name, login_as_customer_session_id, details, hash)
SELECT g, now() - interval '400 days' + g * interval '{spacing} seconds',
  CASE WHEN mod(g, 40) = 0 THEN 'LOGIN_AS_CUSTOMER' WHEN mod(g, 40) = 1 THEN 'CUSTOMERS'
       WHEN mod(g, 40) = 2 THEN 'SECURITY' ELSE 'ADMIN_SESSIONS' END,
  CASE WHEN mod(g, 40) = 0 THEN 'login_as_customer.start' WHEN mod(g, 40) = 1 THEN 'consent.update'
       WHEN mod(g, 40) = 2 THEN 'access.denied' WHEN mod(g, 7) = 0 THEN 'admin.login_failed'
       ELSE 'admin.login' END,
  CASE WHEN mod(g, 7) = 0 THEN 'FAILURE' ELSE 'SUCCESS' END,
  'user' || mod(g, 50), mod(g, 50), 'user' || mod(g, 50), 'Sam', 'Support',
  '203.0.113.' || (mod(g, 250)), 'Mozilla/5.0 (X11; Linux x86_64) bench',
  'mutation Bench.adminLogin',
  CASE WHEN mod(g, 40) < 2 THEN mod(g, 1000) END,
  CASE WHEN mod(g, 40) < 2 THEN 'customer' || (mod(g, 1000)) || '@example.com' END,
  CASE WHEN mod(g, 40) < 2 THEN 'Customer ' || (mod(g, 1000)) END,
  CASE WHEN mod(g, 40) = 0 THEN g END,
  '{{"changes": {{"allowRemoteShoppingAssistance": {{"new": true, "old": false}}}}, "n": ' || g
    || ', "reason": "seeded by make bench for the log at scale"}}',
  md5(g::text) || md5((g + 1)::text)
FROM generate_series(%s::integer, %s::integer) AS g
"""

COUNT_ENTRIES = """
INSERT INTO admin_action_log_counter (day, action_group, action, result, entries)
SELECT CAST(timezone('UTC', time) AS date), action_group, action, result, count(*)
FROM admin_action_log GROUP BY 1, 2, 3, 4
"""


def _progress(done: int, total: int, started: float) -> None:
    width = 30
    filled = width * done // total
    sys.stderr.write(
        f"\r  log entries [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}"
        f"  {time.monotonic() - started:.0f} s"
    )
    sys.stderr.flush()


def grow_log(url: str, entries: int) -> None:
    """Grow the (PostgreSQL) admin action log to `entries` seeded entries, recount the
    counters, and VACUUM ANALYZE (as autovacuum would after such a load)."""
    with psycopg.connect(conninfo(url), autocommit=True) as connection:
        (have,) = connection.execute(
            "SELECT coalesce(max(id), 0) FROM admin_action_log"
        ).fetchone() or (0,)
        started = time.monotonic()
        for low in range(have + 1, entries + 1, LOG_CHUNK):
            high = min(entries, low + LOG_CHUNK - 1)
            connection.execute(
                SEED_ENTRIES.format(spacing=ENTRY_SPACING_SECONDS).encode(), (low, high)
            )
            _progress(high, entries, started)
        sys.stderr.write("\n  counters, VACUUM ANALYZE ...\n")
        with connection.transaction():
            connection.execute("DELETE FROM admin_action_log_counter")
            connection.execute(COUNT_ENTRIES.encode())
        connection.execute("VACUUM ANALYZE admin_action_log")
        connection.execute("VACUUM ANALYZE admin_action_log_counter")
