"""The 规模明细 domain as data: definition, output columns, reference tables, cleansing steps."""

from __future__ import annotations

import csv
from importlib.resources import files
from typing import Any

from work_data_hub.domain.columns import Column
from work_data_hub.plugins.definition import DomainDefinition, SourceSpec

OUTFLOW = "流失(含待遇支付)"
HEADER_ALIASES = {"机构": "机构名称", "计划号": "计划代码", OUTFLOW: OUTFLOW}
"""Headers match whatever their width: ``流失（含待遇支付）`` too becomes ``OUTFLOW``."""
DEFINITION = DomainDefinition(
    name="annuity_performance",
    table="annuity_performance",
    source=SourceSpec(
        patterns=("*规模收入数据*.xlsx", "*规模*收入数据*.xlsx", "*年金终稿*.xlsx"),
        sheet="规模明细",
        folder="{YYYYMM}/收集数据/数据采集",
        required_columns=("月度", "业务类型", "计划类型", "计划代码", "客户名称"),
        header_aliases=HEADER_ALIASES,
    ),
    write_mode="delete_insert",
    keys=("月度", "业务类型", "计划类型"),
    description="Annuity performance: assets, flows and returns per plan, portfolio, customer",
)
MAPPINGS = files(__package__).joinpath("mappings")


COLUMNS = (
    Column("月度", "date", nullable=False, description="report month (first day)"),
    Column("业务类型", description="business line: 企年受托, 企年投资, 职年受托, 职年投资"),
    Column(
        "计划类型", description="plan type: 集合计划 (collective) or 单一计划 (single-employer)"
    ),
    Column("计划代码", nullable=False, description="plan code, e.g. P0290; AN001/AN002 if empty"),
    Column("计划名称", description="plan name"),
    Column("组合类型", description="portfolio type"),
    Column("组合代码", description="portfolio code without leading F; QTAN001/2/3 if empty"),
    Column("组合名称", description="portfolio name"),
    Column("客户名称", description="customer (employer) name, normalised"),
    Column("期初资产规模", "decimal", description="opening assets"),
    Column("期末资产规模", "decimal", description="closing assets"),
    Column("供款", "decimal", description="contributions"),
    Column("流失(含待遇支付)", "decimal", description="outflow including benefit payments"),
    Column("流失", "decimal", description="outflow"),
    Column("待遇支付", "decimal", description="benefit payments"),
    Column("投资收益", "decimal", description="investment income"),
    Column(
        "当期收益率", "decimal", precision=10, scale=6, ge=-1, le=10, description="period return"
    ),
    Column("机构代码", description="branch code rebuilt from the branch name; G00 head office"),
    Column("机构名称", description="branch name as written in the file (header 机构)"),
    Column("产品线代码", description="product line code derived from 业务类型"),
    Column("子企业号", description="subsidiary number"),
    Column("子企业名称", description="subsidiary name"),
    Column("集团企业客户号", description="group customer number without leading C"),
    Column("集团企业客户名称", description="group customer name"),
    Column("年金账户号", description="annuity account number: the cleaned group customer number"),
    Column("年金账户名", description="annuity account name: the customer name as written"),
    Column("company_id", description="company id (see the enrichment sources)"),
)

RATE_COLUMNS = ("当期收益率",)
MONEY_COLUMNS = tuple(c.name for c in COLUMNS if c.kind == "decimal" and c.name not in RATE_COLUMNS)
PLAN_CODE_TYPOS = {"1P0290": "P0290", "1P0807": "P0807"}
DEFAULT_PLAN_CODES = {"集合计划": "AN001", "单一计划": "AN002"}
PRODUCT_LINES = {"企年投资": "PL201", "企年受托": "PL202", "职年投资": "PL203", "职年受托": "PL204"}
OCCUPATIONAL = {"业务类型": ("职年受托", "职年投资")}
DEFAULT_PORTFOLIOS = {"集合计划": "QTAN001", "单一计划": "QTAN002"}
BRANCHES = {
    row["branch_name"]: row["branch_code"]
    for row in csv.DictReader(MAPPINGS.joinpath("branches.csv").read_text("utf-8").splitlines())
}
"""Branch name → branch code, from ``mappings/branches.csv``."""

STEPS: tuple[dict[str, Any], ...] = (
    dict(step="rename", mapping=HEADER_ALIASES),
    dict(step="copy_column", source="客户名称", target="年金账户名"),
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
    dict(step="strip_prefix", column="集团企业客户号", prefix="C"),
    dict(step="copy_column", source="集团企业客户号", target="年金账户号"),
    dict(step="clean_money", columns=MONEY_COLUMNS),
    dict(step="clean_rate", columns=RATE_COLUMNS),
    dict(step="normalise_names", column="客户名称"),
)
"""Cleansing rules 1–11 of the annuity doc, in order, as generic step specs (``build_steps``)."""
