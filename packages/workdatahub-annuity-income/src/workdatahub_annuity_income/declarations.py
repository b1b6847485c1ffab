"""The 收入明细 domain as data: definition, output columns, reference tables, cleansing steps."""

from __future__ import annotations

import csv
from importlib.resources import files
from typing import Any

from work_data_hub.domain.columns import Column
from work_data_hub.plugins.definition import DomainDefinition, SourceSpec

FEE_COLUMNS = ("固费", "浮费", "回补", "税")
HEADER_ALIASES = {"机构": "机构名称", "计划号": "计划代码"}
DEFINITION = DomainDefinition(
    name="annuity_income",
    table="annuity_income",
    source=SourceSpec(
        patterns=("*规模收入数据*.xlsx", "*规模*收入数据*.xlsx", "*年金终稿*.xlsx"),
        sheet="收入明细",
        folder="{YYYYMM}/收集数据/数据采集",
        required_columns=("月度", "业务类型", "计划类型", "计划代码", "客户名称", *FEE_COLUMNS),
        header_aliases=HEADER_ALIASES,
    ),
    write_mode="delete_insert",
    keys=("月度", "业务类型", "计划类型"),
    description="Annuity income: fixed and performance fees, rebates and tax per plan",
)
MAPPINGS = files(__package__).joinpath("mappings")
FEE_MEANINGS = {"固费": "fixed fee", "浮费": "performance fee", "回补": "rebate", "税": "tax"}

COLUMNS = (
    Column("月度", "date", nullable=False, description="report month (first day)"),
    Column("业务类型", description="business line: 企年受托, 企年投资, 职年受托, 职年投资"),
    Column(
        "计划类型", description="plan type: 集合计划 (collective) or 单一计划 (single-employer)"
    ),
    Column("计划代码", nullable=False, description="plan code, e.g. P0290; AN001/AN002 if empty"),
    Column("计划名称", description="plan name"),
    Column("组合代码", description="portfolio code without leading F; QTAN001/2/3 if empty"),
    Column("客户名称", description="customer name, normalised; the plan name for 单一计划"),
    Column("机构代码", description="branch code rebuilt from the branch name; G00 head office"),
    Column("机构名称", description="branch name as written in the file (header 机构)"),
    Column("产品线代码", description="product line code derived from 业务类型"),
    *(
        Column(fee, "decimal", description=f"{meaning}; empty is 0")
        for fee, meaning in FEE_MEANINGS.items()
    ),
    Column("company_id", description="company id (see the enrichment sources)"),
)

PLAN_CODE_TYPOS = {"1P0290": "P0290", "1P0807": "P0807"}
DEFAULT_PLAN_CODES = {"集合计划": "AN001", "单一计划": "AN002"}
PRODUCT_LINES = {"企年投资": "PL201", "企年受托": "PL202", "职年投资": "PL203", "职年受托": "PL204"}
OCCUPATIONAL = {"业务类型": ("职年受托", "职年投资")}
SINGLE_PLAN = {"计划类型": "单一计划"}
DEFAULT_PORTFOLIOS = {"集合计划": "QTAN001", "单一计划": "QTAN002"}
BRANCHES = {
    row["branch_name"]: row["branch_code"]
    for row in csv.DictReader(MAPPINGS.joinpath("branches.csv").read_text("utf-8").splitlines())
}
"""Branch name → branch code, from ``mappings/branches.csv``."""

STEPS: tuple[dict[str, Any], ...] = (
    dict(step="rename", mapping=HEADER_ALIASES),
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
