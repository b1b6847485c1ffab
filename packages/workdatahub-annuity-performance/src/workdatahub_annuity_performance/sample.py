"""Synthetic 规模明细 sheets with every quirk of the real files; cells as a workbook holds them.

About 0.5% of the rows must be rejected: bad month, future month, return outside −1..10, no plan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from work_data_hub.sampling import (
    FUTURE_MONTH,
    PERCENT,
    THOUSANDS,
    UNREADABLE_MONTHS,
    YUAN,
    Cells,
    bands,
    company_names,
    decorated_names,
    digits,
    maybe,
    month_cells,
    pick,
    rejection_groups,
    styled,
    vary_headers,
)
from workdatahub_annuity_common import BRANCHES, BUSINESS_TYPES

TYPICAL_ROWS = 35_000
"""Rows of a typical month's 规模明细 sheet."""
BRANDS = ("如意人生", "金色晚年", "福寿安康", "鑫享", "安心", "常青树", "乐享", "稳健")
MONEY_STYLES = {YUAN: 0.05, THOUSANDS: 0.05}
MONTH_SHARES = {"number": 0.7, "iso": 0.1, "chinese": 0.1, "short": 0.05, "fullwidth": 0.05}
HEADER_VARIANTS = {"计划代码": "计划号", "流失(含待遇支付)": "流失（含待遇支付）"}
REJECT_KINDS = 4


def generate(month: int | str, rows: int | None, seed: int) -> pd.DataFrame:
    """Return ``rows`` rows (``TYPICAL_ROWS`` when None) of a 规模明细 sheet for ``month``
    (YYYYMM, a number or its text); deterministic per seed."""
    month = int(month)
    rows = TYPICAL_ROWS if rows is None else rows
    rng = np.random.default_rng([seed, month])
    customers = company_names(rng, max(8, rows // 5))
    single = rng.random(rows) < 0.45
    single_plan = rng.integers(0, max(4, len(customers) // 3), rows)
    collective_codes = np.array(["P0290", "P0807", *(f"P{n:04d}" for n in range(1, 41))], object)
    collective_plan = np.minimum(rng.geometric(0.12, rows) - 1, len(collective_codes) - 1)
    customer = customers[np.where(single, single_plan, rng.integers(0, len(customers), rows))]
    single_codes = "Z" + np.char.zfill((single_plan + 1).astype(str), 4).astype(object)
    codes = np.where(single, single_codes, collective_codes[collective_plan])
    brands = np.array(BRANDS, dtype=object)[collective_plan % len(BRANDS)]
    plan_name = np.where(single, customer + "企业年金计划", brands + "企业年金集合计划")
    opening = np.round(rng.lognormal(14, 1.4, rows), 2)
    contribution, outflow, benefits = (
        np.round(opening * rng.uniform(0, share, rows), 2) for share in (0.05, 0.03, 0.02)
    )
    period_return = np.round(rng.normal(0.004, 0.01, rows), 4)
    income = np.round(opening * period_return, 2)
    amounts = {
        "期初资产规模": opening,
        "期末资产规模": np.round(opening + contribution - outflow - benefits + income, 2),
        "供款": contribution,
        "流失(含待遇支付)": np.round(outflow + benefits, 2),
        "流失": outflow,
        "待遇支付": benefits,
        "投资收益": income,
    }
    branch_codes, branch_names = _branches(rng, rows)
    portfolio_type = pick(rng, ("固定收益型", "含权益型"), rows)
    portfolio, subsidiary, group = (rng.random(rows) < share for share in (0.2, 0.03, 0.1))
    sheet = pd.DataFrame(
        {
            "月度": month_cells(rng, month, rows, MONTH_SHARES),
            "业务类型": pick(rng, BUSINESS_TYPES, rows, p=(0.35, 0.35, 0.15, 0.15)),
            "计划类型": np.where(single, "单一计划", "集合计划"),
            "计划代码": _plan_codes(rng, codes),
            "计划名称": plan_name,
            "组合类型": maybe(portfolio_type, portfolio),
            "组合代码": maybe(pick(rng, ("F", ""), rows) + digits(rng, "ZH", 5, rows), portfolio),
            "组合名称": maybe(plan_name + portfolio_type, portfolio),
            "客户名称": decorated_names(rng, customer),
            **{name: styled(rng, values, MONEY_STYLES) for name, values in amounts.items()},
            "当期收益率": styled(rng, period_return, {PERCENT: 0.08}),
            "机构代码": branch_codes,
            "机构": branch_names,
            "子企业号": maybe(digits(rng, "", 6, rows), subsidiary),
            "子企业名称": maybe(customer + "分公司", subsidiary),
            "集团企业客户号": maybe(pick(rng, ("C", ""), rows) + digits(rng, "", 9, rows), group),
            "集团企业客户名称": maybe(customer + "集团", group),
        },
        dtype=object,
    )
    _add_rejected_rows(rng, sheet)
    return vary_headers(rng, sheet, HEADER_VARIANTS)


def _plan_codes(rng: np.random.Generator, codes: Cells) -> Cells:
    typo = np.isin(codes, ("P0290", "P0807")) & (rng.random(len(codes)) < 0.3)
    return maybe(np.where(typo, "1" + codes, codes), rng.random(len(codes)) >= 0.01)


def _branches(rng: np.random.Generator, rows: int) -> tuple[Cells, Cells]:
    """Branch codes (a fifth of them wrong) and names (some unknown, some ``null``)."""
    names = np.array(list(BRANCHES), dtype=object)[rng.integers(1, len(BRANCHES), rows)]
    codes = np.array([BRANCHES[name] for name in names], dtype=object)
    wrong_code, unknown_name, null_name = bands(rng, rows, 0.2, 0.015, 0.01)
    codes[wrong_code] = pick(rng, ("G00", "G99", "", "null"), int(wrong_code.sum()))
    names[unknown_name] = pick(rng, ("海外", "待定", "营业部"), int(unknown_name.sum()))
    names[null_name] = "null"
    return codes, names


def _add_rejected_rows(rng: np.random.Generator, sheet: pd.DataFrame) -> None:
    groups = rejection_groups(rng, len(sheet), REJECT_KINDS, every=800)
    bad_month, future_month, bad_return, no_plan = groups
    sheet.loc[bad_month, "月度"] = pick(rng, UNREADABLE_MONTHS, len(bad_month))
    sheet.loc[future_month, "月度"] = FUTURE_MONTH
    sheet.loc[bad_return, "当期收益率"] = pick(rng, ("1250%", 15.3, -1.8), len(bad_return))
    sheet.loc[no_plan, ["计划代码", "计划类型"]] = None
