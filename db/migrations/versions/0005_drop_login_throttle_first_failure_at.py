"""drop login_throttle.first_failure_at: written, never read (the lockout window is
decided from recent_failures; failure_count stays, the lockout still counts with it)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 17:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lac.db.types

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.drop_column('first_failure_at')


def downgrade() -> None:
    # the old rule never read it; the time of the downgrade is as good a start as any
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('first_failure_at', lac.db.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE login_throttle SET first_failure_at = CURRENT_TIMESTAMP")
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.alter_column(
            'first_failure_at', existing_type=lac.db.types.UTCDateTime(timezone=True), nullable=False
        )
