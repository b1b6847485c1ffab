"""annuity_income: the table from the declared columns, indexed on the refresh key

Revision ID: 8e4b3d0f2c02
Revises:
Create Date: 2026-11-25 18:05:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from work_data_hub.migrations import create_domain_table, drop_domain_table

revision: str = "8e4b3d0f2c02"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("annuity_income",)
depends_on: str | Sequence[str] | None = "68153775e475"

TABLE = "annuity_income"
SCHEMA = "public"
KEYS = ("月度", "业务类型", "计划类型")


def columns() -> list[sa.Column[Any]]:
    """The columns as this revision creates them; a later change is a later revision."""
    return [
        sa.Column("月度", sa.Date(), nullable=False, comment="report month (first day)"),
        sa.Column(
            "业务类型",
            sa.Text(),
            comment="business line: 企年受托, 企年投资, 职年受托, 职年投资 (others are PL301)",
        ),
        sa.Column(
            "计划类型",
            sa.Text(),
            comment="plan type: 集合计划 (collective) or 单一计划 (single-employer)",
        ),
        sa.Column(
            "计划代码",
            sa.Text(),
            nullable=False,
            comment="plan code, e.g. P0290; AN001/AN002 if empty",
        ),
        sa.Column("计划名称", sa.Text(), comment="plan name"),
        sa.Column(
            "组合代码", sa.Text(), comment="portfolio code without leading F; QTAN001/2/3 if empty"
        ),
        sa.Column(
            "客户名称", sa.Text(), comment="customer name, normalised; the plan name for 单一计划"
        ),
        sa.Column(
            "机构代码",
            sa.Text(),
            comment="branch code rebuilt from the branch name; G00 head office",
        ),
        sa.Column(
            "机构名称", sa.Text(), comment="branch name as written in the file (header 机构)"
        ),
        sa.Column("产品线代码", sa.Text(), comment="product line code derived from 业务类型"),
        sa.Column("固费", sa.Numeric(18, 4), comment="fixed fee; empty is 0"),
        sa.Column("浮费", sa.Numeric(18, 4), comment="performance fee; empty is 0"),
        sa.Column("回补", sa.Numeric(18, 4), comment="rebate; empty is 0"),
        sa.Column("税", sa.Numeric(18, 4), comment="tax; empty is 0"),
        sa.Column("company_id", sa.Text(), comment="company id (see the enrichment sources)"),
    ]


def upgrade() -> None:
    """Create ``annuity_income``, its lineage columns and the refresh-key index."""
    create_domain_table(op, TABLE, columns(), SCHEMA, KEYS)


def downgrade() -> None:
    """Drop ``annuity_income`` and its indexes."""
    drop_domain_table(op, TABLE, SCHEMA)
