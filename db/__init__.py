"""Persistence: SQLModel models, the async engine, migrations, the demo seed, query helpers."""
