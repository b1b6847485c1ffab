"""sample_csv: the table from the declared columns, indexed on the keys

Revision ID: 3d5f2a9c41b7
Revises:
Create Date: 2026-11-25 18:20:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from work_data_hub.migrations import create_domain_table, drop_domain_table

revision: str = "3d5f2a9c41b7"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("sample_csv",)
depends_on: str | Sequence[str] | None = "core"

TABLE = "sample_csv"
SCHEMA = "public"
KEYS = ("month", "account")


def columns() -> list[sa.Column[Any]]:
    """The columns as this revision creates them; a later change is a later revision.

    Written out, never imported from ``declarations``: when ``COLUMNS`` changes, run
    ``workdatahub db revision --autogenerate -m "..." --branch sample_csv``.
    """
    return [
        sa.Column("month", sa.Date(), nullable=False, comment="report month (first day)"),
        sa.Column("account", sa.String(20), nullable=False, comment="account code, e.g. A0001"),
        sa.Column("customer_name", sa.Text(), comment="customer name, normalised"),
        sa.Column("branch_name", sa.Text(), comment="branch as written in the file"),
        sa.Column(
            "branch_code",
            sa.Text(),
            comment="branch code looked up from branch_name; G00 if unknown",
        ),
        sa.Column("product", sa.Text(), comment="product type"),
        sa.Column("balance", sa.Numeric(18, 2), comment="closing balance"),
        sa.Column("fee", sa.Numeric(18, 2), comment="fee charged; empty is 0"),
    ]


def upgrade() -> None:
    """Create the table, its lineage columns and the index on the keys."""
    create_domain_table(
        op,
        TABLE,
        columns(),
        SCHEMA,
        KEYS,
        unique_keys=False,
    )


def downgrade() -> None:
    """Drop the table and its indexes."""
    drop_domain_table(op, TABLE, SCHEMA)
