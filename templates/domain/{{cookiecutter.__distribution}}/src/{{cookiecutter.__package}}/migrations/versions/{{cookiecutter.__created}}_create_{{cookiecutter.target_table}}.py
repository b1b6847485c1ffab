"""{{ cookiecutter.target_table }}: the table from the declared columns, indexed on the keys

Revision ID: {{ cookiecutter.__revision }}
Revises:
Create Date: {{ cookiecutter.__created[:4] }}-{{ cookiecutter.__created[4:6] }}-{{ cookiecutter.__created[6:8] }} {{ cookiecutter.__created[9:11] }}:{{ cookiecutter.__created[11:13] }}:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from work_data_hub.migrations import create_domain_table, drop_domain_table
from {{ cookiecutter.__package }}.declarations import COLUMNS, DEFINITION

revision: str = "{{ cookiecutter.__revision }}"
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
        unique_keys={{ cookiecutter.write_mode == "upsert" }},
    )


def downgrade() -> None:
    """Drop the table and its indexes."""
    drop_domain_table(op, DEFINITION.table, DEFINITION.db_schema)
