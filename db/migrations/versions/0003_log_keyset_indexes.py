"""keyset indexes for the admin action log and the login as customer log filters

Each filter column gets a (column, time, id) index so one page of a filtered log is one
index range scan in keyset order; they replace the (column, time) indexes of 0001.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 09:00:00.000000
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('admin_action_log', schema=None) as batch_op:
        batch_op.drop_index('ix_admin_action_log_customer_time')
        batch_op.drop_index('ix_admin_action_log_group_time')
        batch_op.drop_index('ix_admin_action_log_username_time')
        # superseded by the (column, time, id) indexes, and misleading the planner
        batch_op.drop_index('ix_admin_action_log_time')
        batch_op.drop_index('ix_admin_action_log_action')
        batch_op.create_index('ix_admin_action_log_time_id', ['time', 'id'], unique=False)
        batch_op.create_index('ix_admin_action_log_group_time_id', ['action_group', 'time', 'id'], unique=False)
        batch_op.create_index('ix_admin_action_log_action_time_id', ['action', 'time', 'id'], unique=False)
        batch_op.create_index('ix_admin_action_log_username_time_id', ['username', 'time', 'id'], unique=False)
        batch_op.create_index('ix_admin_action_log_customer_time_id', ['customer_id', 'time', 'id'], unique=False)
        batch_op.create_index('ix_admin_action_log_ip_time_id', ['ip_address', 'time', 'id'], unique=False)
        batch_op.create_index('ix_admin_action_log_result_time_id', ['result', 'time', 'id'], unique=False)

    with op.batch_alter_table('login_as_customer_session', schema=None) as batch_op:
        batch_op.create_index('ix_lac_session_admin_username_started_id', ['admin_username', 'started_at', 'id'], unique=False)
        batch_op.create_index('ix_lac_session_customer_started_id', ['customer_id', 'started_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_as_customer_session', schema=None) as batch_op:
        batch_op.drop_index('ix_lac_session_customer_started_id')
        batch_op.drop_index('ix_lac_session_admin_username_started_id')

    with op.batch_alter_table('admin_action_log', schema=None) as batch_op:
        batch_op.drop_index('ix_admin_action_log_result_time_id')
        batch_op.drop_index('ix_admin_action_log_ip_time_id')
        batch_op.drop_index('ix_admin_action_log_customer_time_id')
        batch_op.drop_index('ix_admin_action_log_username_time_id')
        batch_op.drop_index('ix_admin_action_log_action_time_id')
        batch_op.drop_index('ix_admin_action_log_group_time_id')
        batch_op.drop_index('ix_admin_action_log_time_id')
        batch_op.create_index('ix_admin_action_log_action', ['action'], unique=False)
        batch_op.create_index('ix_admin_action_log_time', ['time'], unique=False)
        batch_op.create_index('ix_admin_action_log_username_time', ['username', 'time'], unique=False)
        batch_op.create_index('ix_admin_action_log_group_time', ['action_group', 'time'], unique=False)
        batch_op.create_index('ix_admin_action_log_customer_time', ['customer_id', 'time'], unique=False)
