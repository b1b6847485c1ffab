"""The 收入明细 domain as data: definition, output columns, cleansing steps.

The identifying columns, reference tables and rules it shares with 规模明细 come from
``workdatahub_annuity_common``.
"""

from __future__ import annotations

from typing import Any

import workdatahub_annuity_common as annuity
from work_data_hub.plugins import Column, DomainDefinition

FEE_COLUMNS = ("固费", "浮费", "回补", "税")
DEFINITION = DomainDefinition(
    name="annuity_income",
    table="annuity_income",
    source=annuity.workbook_sheet(
        "收入明细", required_columns=(*annuity.REQUIRED_COLUMNS, *FEE_COLUMNS)
    ),
    write_mode="delete_insert",
    keys=annuity.REFRESH_KEY,
    month_column=annuity.MONTH_COLUMN,
    description="Annuity income: fixed and performance fees, rebates and tax per plan",
)
FEE_MEANINGS = {"固费": "fixed fee", "浮费": "performance fee", "回补": "rebate", "税": "tax"}

COLUMNS = (
    *annuity.PLAN_COLUMNS,
    annuity.PORTFOLIO_CODE,
    Column("客户名称", description="customer name, normalised; the plan name for 单一计划"),
    *annuity.BRANCH_COLUMNS,
    *(
        Column(fee, "decimal", description=f"{meaning}; empty is 0")
        for fee, meaning in FEE_MEANINGS.items()
    ),
    annuity.COMPANY_ID,
)

SINGLE_PLAN = {"计划类型": "单一计划"}

STEPS: tuple[dict[str, Any], ...] = (
    dict(step="rename", mapping=annuity.HEADER_ALIASES),
    *annuity.IDENTIFYING_STEPS,
    dict(step="clean_money", columns=FEE_COLUMNS),
    *(dict(step="fill_default", column=fee, value=0.0) for fee in FEE_COLUMNS),
    dict(step="normalise_names", column="客户名称"),
    dict(
        step="fill_default",
        column="客户名称",
        from_column="计划名称",
        when=SINGLE_PLAN,
        name="single_plan_customer",
    ),
    dict(step="normalise_names", column="客户名称"),
)
"""The rules, in order, as generic step specs (``build_steps``).

A 单一计划 row without a customer name takes its plan name, normalised like every name."""
