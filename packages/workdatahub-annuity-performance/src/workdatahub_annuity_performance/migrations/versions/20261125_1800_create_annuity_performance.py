"""annuity_performance: the table from the declared columns, indexed on the refresh key

Revision ID: 7f3a2c9e1b01
Revises:
Create Date: 2026-11-25 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from work_data_hub.migrations import create_domain_table, drop_domain_table
from workdatahub_annuity_performance.declarations import COLUMNS, DEFINITION

revision: str = "7f3a2c9e1b01"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = (DEFINITION.name,)
depends_on: str | Sequence[str] | None = "68153775e475"


def upgrade() -> None:
    """Create ``annuity_performance``, its lineage columns and the refresh-key index."""
    create_domain_table(op, DEFINITION.table, COLUMNS, DEFINITION.db_schema, DEFINITION.keys)


def downgrade() -> None:
    """Drop ``annuity_performance`` and its indexes."""
    drop_domain_table(op, DEFINITION.table, DEFINITION.db_schema)
