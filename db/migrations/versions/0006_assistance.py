"""the customer's side of assistance (DESIGN.md section 15): a session records its consent
(STANDING or CODE) and whether it is read-only; one-time assistance codes, hashed

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 18:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import lac.db.types

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('login_as_customer_session', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('read_only', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column('consent', sa.String(length=16), server_default='STANDING', nullable=False)
        )
    op.create_table(
        'assistance_code',
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_at', lac.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', lac.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('failed_attempts', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.id']),
        sa.PrimaryKeyConstraint('customer_id'),
    )


def downgrade() -> None:
    op.drop_table('assistance_code')
    with op.batch_alter_table('login_as_customer_session', schema=None) as batch_op:
        batch_op.drop_column('consent')
        batch_op.drop_column('read_only')
