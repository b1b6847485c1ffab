"""annuity_performance: the table from the declared columns, indexed on the refresh key

Revision ID: 7f3a2c9e1b01
Revises:
Create Date: 2026-11-25 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from work_data_hub.migrations import create_domain_table, drop_domain_table

revision: str = "7f3a2c9e1b01"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("annuity_performance",)
depends_on: str | Sequence[str] | None = "68153775e475"

TABLE = "annuity_performance"
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
        sa.Column("组合类型", sa.Text(), comment="portfolio type"),
        sa.Column(
            "组合代码", sa.Text(), comment="portfolio code without leading F; QTAN001/2/3 if empty"
        ),
        sa.Column("组合名称", sa.Text(), comment="portfolio name"),
        sa.Column("客户名称", sa.Text(), comment="customer (employer) name, normalised"),
        sa.Column("期初资产规模", sa.Numeric(18, 4), comment="opening assets"),
        sa.Column("期末资产规模", sa.Numeric(18, 4), comment="closing assets"),
        sa.Column("供款", sa.Numeric(18, 4), comment="contributions"),
        sa.Column(
            "流失(含待遇支付)", sa.Numeric(18, 4), comment="outflow including benefit payments"
        ),
        sa.Column("流失", sa.Numeric(18, 4), comment="outflow"),
        sa.Column("待遇支付", sa.Numeric(18, 4), comment="benefit payments"),
        sa.Column("投资收益", sa.Numeric(18, 4), comment="investment income"),
        sa.Column("当期收益率", sa.Numeric(10, 6), comment="period return"),
        sa.Column(
            "机构代码",
            sa.Text(),
            comment="branch code rebuilt from the branch name; G00 head office",
        ),
        sa.Column(
            "机构名称", sa.Text(), comment="branch name as written in the file (header 机构)"
        ),
        sa.Column("产品线代码", sa.Text(), comment="product line code derived from 业务类型"),
        sa.Column("子企业号", sa.Text(), comment="subsidiary number"),
        sa.Column("子企业名称", sa.Text(), comment="subsidiary name"),
        sa.Column("集团企业客户号", sa.Text(), comment="group customer number without leading C"),
        sa.Column("集团企业客户名称", sa.Text(), comment="group customer name"),
        sa.Column(
            "年金账户号",
            sa.Text(),
            comment="annuity account number: the cleaned group customer number",
        ),
        sa.Column(
            "年金账户名", sa.Text(), comment="annuity account name: the customer name as written"
        ),
        sa.Column("company_id", sa.Text(), comment="company id (see the enrichment sources)"),
    ]


def upgrade() -> None:
    """Create ``annuity_performance``, its lineage columns and the refresh-key index."""
    create_domain_table(op, TABLE, columns(), SCHEMA, KEYS)


def downgrade() -> None:
    """Drop ``annuity_performance`` and its indexes."""
    drop_domain_table(op, TABLE, SCHEMA)
