"""Test fixtures: a real database (SQLite, or PostgreSQL with LAC_TEST_DATABASE_URL), the real
ASGI app through httpx, and a manual clock.

The database is migrated and seeded once per run; before each test every table is put
back to that seeded snapshot, so tests see the pinned demo data and never each other.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

import lac.db.models  # noqa: F401  (registers the tables)
from lac.core.clock import ManualClock
from lac.core.settings import Settings
from lac.db.engine import create_engine
from lac.db.migrate import upgrade
from lac.db.seed import seed_demo
from lac.db.session import session_factory
from lac.schema.app import create_app
from tests.databases import fresh_database
from tests.fuzz_checks import FUZZ_TALLY
from tests.server import LacDb, make_lac_db
from tests.support import TEST_START, Api, make_api

Snapshot = list[tuple[Table, list[dict[str, Any]]]]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database for this run: a new PostgreSQL database, or an SQLite file."""
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_url(database_url: str) -> str:
    upgrade(database_url)
    return database_url


@pytest.fixture(scope="session")
async def seeded_engine(migrated_url: str) -> AsyncIterator[tuple[AsyncEngine, Snapshot]]:
    engine = create_engine(migrated_url)
    async with session_factory(engine)() as session:
        await seed_demo(session)
    snapshot: Snapshot = []
    async with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            rows = (await connection.execute(select(table))).mappings().all()
            snapshot.append((table, [dict(row) for row in rows]))
    yield engine, snapshot
    await engine.dispose()


@pytest.fixture
async def engine(seeded_engine: tuple[AsyncEngine, Snapshot]) -> AsyncEngine:
    """The shared engine, with every table back at the seeded snapshot."""
    engine, snapshot = seeded_engine
    async with engine.begin() as connection:
        for table, _ in reversed(snapshot):
            await connection.execute(delete(table))
        for table, rows in snapshot:
            if rows:
                await connection.execute(insert(table), rows)
        if engine.dialect.name == "postgresql":
            for table, _ in snapshot:
                if "id" in table.c and table.c.id.autoincrement is not False:
                    await connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                        )
                    )
    return engine


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(TEST_START)


@pytest.fixture
def settings(migrated_url: str) -> Settings:
    return Settings(database_url=migrated_url)


@pytest.fixture
async def db_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session for reading what the API wrote (tests check the tables directly)."""
    async with session_factory(engine)() as session:
        yield session


@pytest.fixture
async def api(engine: AsyncEngine, settings: Settings, clock: ManualClock) -> AsyncIterator[Api]:
    app = create_app(settings, clock, engine=engine)
    async with app.router.lifespan_context(app), make_api(app) as http:
        yield Api(http)


@pytest.fixture
def lac_db(tmp_path: Path) -> LacDb:
    """A fresh SQLite file, migrated and seeded by the real `lac` command line."""
    return make_lac_db(tmp_path)


@pytest.fixture
def live_db(tmp_path: Path) -> Iterator[LacDb]:
    """A migrated, seeded database of this run's engine (SQLite, or PostgreSQL with
    LAC_TEST_DATABASE_URL), made by the real `lac` command line, for a real `lac serve`."""
    with fresh_database(tmp_path) as url:
        yield make_lac_db(tmp_path, url)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The fuzz test's counts and failure classes, at the end of every run that fuzzed."""
    tally = terminalreporter.config.stash.get(FUZZ_TALLY, None)
    if tally is not None:
        terminalreporter.section("fuzz")
        for line in tally.report():
            terminalreporter.write_line(line)
