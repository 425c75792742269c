"""per-day counters of the admin action log (exact totalCount at any size), backfilled

One row per (UTC day, group, action, result) with its number of entries; every entry
written from now on adds to its row in the same transaction (resolvers/log/counters.py).
The backfill counts the entries already there, in one INSERT ... SELECT.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'admin_action_log_counter',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('action_group', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('result', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('day', 'action_group', 'action', 'result'),
    )
    # the UTC day of each entry: SQLite keeps naive UTC text, PostgreSQL a timestamptz
    if op.get_bind().dialect.name == 'postgresql':
        day = "CAST(timezone('UTC', time) AS date)"
    else:
        day = 'date(time)'
    op.execute(
        'INSERT INTO admin_action_log_counter (day, action_group, action, result, entries) '
        f'SELECT {day}, action_group, action, result, count(*) FROM admin_action_log '
        f'GROUP BY {day}, action_group, action, result'
    )


def downgrade() -> None:
    op.drop_table('admin_action_log_counter')
