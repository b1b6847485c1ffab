"""What the sheets of the monthly annuity workbook share: source, identifying columns, rules."""

from __future__ import annotations

from typing import Any

from work_data_hub.plugins import Column, CompanyIdEnrichment, SourceSpec

from workdatahub_annuity_common.reference import (
    BRANCHES,
    DEFAULT_PLAN_CODES,
    DEFAULT_PORTFOLIOS,
    OCCUPATIONAL,
    PLAN_CODE_TYPOS,
    PRODUCT_LINES,
)

HEADER_ALIASES = {"机构": "机构名称", "计划号": "计划代码"}
REQUIRED_COLUMNS = ("月度", "业务类型", "计划类型", "计划代码", "客户名称")
REFRESH_KEY = ("月度", "业务类型", "计划类型")
"""The delete-then-insert key: a rerun replaces these combinations and leaves the others."""
MONTH_COLUMN = "月度"
"""Each row's report month: a run loads one month, rows of any other month are rejected."""
PLAN_TYPES = tuple(DEFAULT_PLAN_CODES)
"""The plan types of 计划类型."""


def workbook_sheet(
    sheet: str,
    *,
    required_columns: tuple[str, ...] = REQUIRED_COLUMNS,
    header_aliases: dict[str, str] = HEADER_ALIASES,
) -> SourceSpec:
    """Return the source of ``sheet`` in the monthly workbook, found as the business drops it."""
    return SourceSpec(
        patterns=("*规模收入数据*.xlsx", "*规模*收入数据*.xlsx", "*年金终稿*.xlsx"),
        sheet=sheet,
        folder="{YYYYMM}/收集数据/数据采集",
        required_columns=required_columns,
        header_aliases=header_aliases,
    )


PLAN_COLUMNS = (
    Column("月度", "date", nullable=False, description="report month (first day)"),
    Column(
        "业务类型",
        description="business line: 企年受托, 企年投资, 职年受托, 职年投资 (others are PL301)",
    ),
    Column(
        "计划类型",
        isin=PLAN_TYPES,
        description="plan type: 集合计划 (collective) or 单一计划 (single-employer)",
    ),
    Column("计划代码", nullable=False, description="plan code, e.g. P0290; AN001/AN002 if empty"),
    Column("计划名称", description="plan name"),
)
"""The columns every sheet starts with, in this order."""
PORTFOLIO_CODE = Column(
    "组合代码", description="portfolio code without leading F; QTAN001/2/3 if empty"
)
BRANCH_COLUMNS = (
    Column("机构代码", description="branch code rebuilt from the branch name; G00 head office"),
    Column("机构名称", description="branch name as written in the file (header 机构)"),
    Column("产品线代码", description="product line code derived from 业务类型"),
)
COMPANY_ID = Column("company_id", description="company id (see the enrichment sources)")

IDENTIFYING_STEPS: tuple[dict[str, Any], ...] = (
    dict(step="replace_values", column="计划代码", replacements=PLAN_CODE_TYPOS),
    *(
        dict(step="fill_default", column="计划代码", value=code, when={"计划类型": kind})
        for kind, code in DEFAULT_PLAN_CODES.items()
    ),
    dict(step="map_values", column="机构名称", mapping=BRANCHES, default="G00", target="机构代码"),
    dict(
        step="map_values",
        column="业务类型",
        mapping=PRODUCT_LINES,
        default="PL301",
        target="产品线代码",
    ),
    dict(step="parse_month", column="月度", reject_after_run_month=True),
    dict(step="strip_prefix", column="组合代码", prefix="F"),
    dict(step="fill_default", column="组合代码", value="QTAN003", when=OCCUPATIONAL),
    *(
        dict(step="fill_default", column="组合代码", value=code, when={"计划类型": kind})
        for kind, code in DEFAULT_PORTFOLIOS.items()
    ),
)
"""Rules 3–8 of the annuity doc, in order, as generic step specs: plan-code typos and
defaults, branch code, product line, month (a month after the run's is rejected), portfolio."""

COMPANY_ID_ENRICHMENT = CompanyIdEnrichment("客户名称", plan_code_column="计划代码")
"""Company ids from the normalised customer name, refined by the plan code."""
