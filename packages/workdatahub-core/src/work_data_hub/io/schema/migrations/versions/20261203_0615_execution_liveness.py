"""execution liveness

Who runs an execution (host, process id) and the key of the advisory lock its process holds
while it runs; ``abandoned`` status and ``abandoned_at`` for executions whose process died.

Revision ID: 4c1d7e9a2b60
Revises: 68153775e475
Create Date: 2026-12-03 06:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4c1d7e9a2b60"
down_revision: str | Sequence[str] | None = "68153775e475"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "pipeline_executions"
CONSTRAINT = "ck_pipeline_executions_status"
BEFORE = ("running", "succeeded", "failed")
AFTER = (*BEFORE, "abandoned")


def _status_check(statuses: Sequence[str]) -> None:
    op.drop_constraint(CONSTRAINT, TABLE, type_="check")
    listed = ", ".join(f"'{status}'" for status in statuses)
    op.create_check_constraint(CONSTRAINT, TABLE, f"status IN ({listed})")


def upgrade() -> None:
    """Apply: host, pid, lock_key and abandoned_at columns; the ``abandoned`` status."""
    op.add_column(TABLE, sa.Column("host", sa.Text()))
    op.add_column(TABLE, sa.Column("pid", sa.Integer()))
    op.add_column(TABLE, sa.Column("lock_key", sa.Integer()))
    op.add_column(TABLE, sa.Column("abandoned_at", sa.DateTime(timezone=True)))
    _status_check(AFTER)
    op.create_index(
        "ix_pipeline_executions_running",
        TABLE,
        ["execution_id"],
        postgresql_where=sa.text("status = 'running'"),
    )


def downgrade() -> None:
    """Revert: abandoned executions count as failed again; the columns are dropped."""
    op.drop_index("ix_pipeline_executions_running", TABLE)
    op.execute(f"UPDATE {TABLE} SET status = 'failed' WHERE status = 'abandoned'")
    _status_check(BEFORE)
    for column in ("abandoned_at", "lock_key", "pid", "host"):
        op.drop_column(TABLE, column)
