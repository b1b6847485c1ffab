"""sample_csv: the table from the declared columns, indexed on the keys

Revision ID: 3d5f2a9c41b7
Revises:
Create Date: 2026-11-25 18:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from work_data_hub.migrations import create_domain_table, drop_domain_table
from workdatahub_sample_csv.declarations import COLUMNS, DEFINITION

revision: str = "3d5f2a9c41b7"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = (DEFINITION.name,)
depends_on: str | Sequence[str] | None = "core"


def upgrade() -> None:
    """Create the table, its lineage columns and the index on the keys."""
    create_domain_table(
        op,
        DEFINITION.table,
        COLUMNS,
        DEFINITION.db_schema,
        DEFINITION.keys,
        unique_keys=False,
    )


def downgrade() -> None:
    """Drop the table and its indexes."""
    drop_domain_table(op, DEFINITION.table, DEFINITION.db_schema)
