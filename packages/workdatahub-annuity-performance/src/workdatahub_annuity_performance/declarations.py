"""The 规模明细 domain as data: definition, output columns, cleansing steps.

The identifying columns, reference tables and rules it shares with 收入明细 come from
``workdatahub_annuity_common``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import workdatahub_annuity_common as annuity
from work_data_hub.plugins import Column, DomainDefinition

OUTFLOW = "流失(含待遇支付)"
HEADER_ALIASES = {**annuity.HEADER_ALIASES, OUTFLOW: OUTFLOW}
"""Headers match whatever their width: ``流失（含待遇支付）`` too becomes ``OUTFLOW``."""
DEFINITION = DomainDefinition(
    name="annuity_performance",
    table="annuity_performance",
    source=annuity.workbook_sheet("规模明细", header_aliases=HEADER_ALIASES),
    write_mode="delete_insert",
    keys=annuity.REFRESH_KEY,
    month_column=annuity.MONTH_COLUMN,
    sum_columns=("期末资产规模",),  # its monthly sum is checked against the previous month's
    description="Annuity performance: assets, flows and returns per plan, portfolio, customer",
)
COMPANY_ID_OVERRIDES = Path(__file__).parent / "mappings" / "company_id_overrides.csv"
"""The operators' company-id overrides shipped with this package."""

COLUMNS = (
    *annuity.PLAN_COLUMNS,
    Column("组合类型", description="portfolio type"),
    annuity.PORTFOLIO_CODE,
    Column("组合名称", description="portfolio name"),
    Column("客户名称", description="customer (employer) name, normalised"),
    Column("期初资产规模", "decimal", description="opening assets"),
    Column("期末资产规模", "decimal", description="closing assets"),
    Column("供款", "decimal", description="contributions"),
    Column(OUTFLOW, "decimal", description="outflow including benefit payments"),
    Column("流失", "decimal", description="outflow"),
    Column("待遇支付", "decimal", description="benefit payments"),
    Column("投资收益", "decimal", description="investment income"),
    Column(
        "当期收益率", "decimal", precision=10, scale=6, ge=-1, le=10, description="period return"
    ),
    *annuity.BRANCH_COLUMNS,
    Column("子企业号", description="subsidiary number"),
    Column("子企业名称", description="subsidiary name"),
    Column("集团企业客户号", description="group customer number without leading C"),
    Column("集团企业客户名称", description="group customer name"),
    Column("年金账户号", description="annuity account number: the cleaned group customer number"),
    Column("年金账户名", description="annuity account name: the customer name as written"),
    annuity.COMPANY_ID,
)

RATE_COLUMNS = ("当期收益率",)
MONEY_COLUMNS = tuple(c.name for c in COLUMNS if c.kind == "decimal" and c.name not in RATE_COLUMNS)

STEPS: tuple[dict[str, Any], ...] = (
    dict(step="rename", mapping=HEADER_ALIASES),
    dict(step="copy_column", source="客户名称", target="年金账户名"),
    *annuity.IDENTIFYING_STEPS,
    dict(step="strip_prefix", column="集团企业客户号", prefix="C"),
    dict(step="copy_column", source="集团企业客户号", target="年金账户号"),
    dict(step="clean_money", columns=MONEY_COLUMNS),
    dict(step="clean_rate", columns=RATE_COLUMNS),
    dict(step="normalise_names", column="客户名称"),
)
"""Cleansing rules 1–11 of the annuity doc, in order, as generic step specs (``build_steps``)."""
