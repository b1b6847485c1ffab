"""Synthetic 收入明细 sheets with the quirks of the real files; cells as a workbook holds them.

About 0.5% of the rows must be rejected: bad month, future month, no plan code and no plan type.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from work_data_hub.sampling import (
    FUTURE_MONTH,
    UNREADABLE_MONTHS,
    YUAN,
    Cells,
    Mask,
    company_names,
    decorated_names,
    month_cells,
    pick,
    rejection_groups,
    styled,
    vary_headers,
)
from workdatahub_annuity_common import BRANCHES, BUSINESS_TYPES

from workdatahub_annuity_income.declarations import FEE_COLUMNS

TYPICAL_ROWS = 2_600
"""Rows of a typical month's 收入明细 sheet."""
NAME_NOISE = ("（已转出）", "注销", "-养老", "（北京）", " ")
MONTH_SHARES = {"number": 0.75, "iso": 0.1, "chinese": 0.1, "fullwidth": 0.05}
REJECT_KINDS = 3


def generate(month: int | str, rows: int | None, seed: int) -> pd.DataFrame:
    """Return ``rows`` rows (``TYPICAL_ROWS`` when None) of a 收入明细 sheet for ``month``
    (YYYYMM, a number or its text); deterministic per seed."""
    month = int(month)
    rows = TYPICAL_ROWS if rows is None else rows
    rng = np.random.default_rng([seed, month])
    single = rng.random(rows) < 0.5
    pool = max(2, rows // 3)
    plan = rng.integers(1, pool, rows)
    names = company_names(rng, pool, forms=("有限公司",), bracketed=0.0)
    customer = names[np.where(single, plan, rng.integers(0, pool, rows))]
    code = np.where(single, "Z", "P") + np.char.zfill(plan.astype(str), 4).astype(object)
    code[~single & (rng.random(rows) < 0.1)] = "1P0290"
    code[rng.random(rows) < 0.01] = None
    branch = np.array(list(BRANCHES), dtype=object)[rng.integers(1, len(BRANCHES), rows)]
    branch[rng.random(rows) < 0.02] = pick(rng, ("null", "海外"), 1)[0]
    sheet = pd.DataFrame(
        {
            "月度": month_cells(rng, month, rows, MONTH_SHARES),
            "业务类型": pick(rng, BUSINESS_TYPES, rows, p=(0.35, 0.35, 0.15, 0.15)),
            "计划类型": np.where(single, "单一计划", "集合计划"),
            "计划代码": code,
            "计划名称": np.where(single, customer + "企业年金计划", "如意人生集合计划"),
            "组合代码": pick(rng, ("FZH0001", None), rows, p=(0.2, 0.8)),
            "客户名称": _customer_names(rng, customer, single),
            "机构代码": np.array([BRANCHES.get(name, "G00") for name in branch], dtype=object),
            "机构": branch,
            **{fee: _fees(rng, rows) for fee in FEE_COLUMNS},
        },
        dtype=object,
    )
    _add_rejected_rows(rng, sheet)
    return vary_headers(rng, sheet, {"计划代码": "计划号"})


def _customer_names(rng: np.random.Generator, names: Cells, single: Mask) -> Cells:
    """Names with status markers or placeholders; some 单一计划 rows name no customer."""
    cells = decorated_names(
        rng, names, suffixed=0.11, former=0.0, quoted=0.0, blank=0.04, suffixes=NAME_NOISE
    )
    cells[single & (rng.random(len(names)) < 0.05)] = None
    return cells


def _fees(rng: np.random.Generator, rows: int) -> Cells:
    return styled(rng, np.round(rng.lognormal(9, 1.2, rows), 2), {YUAN: 0.05}, empty=0.1)


def _add_rejected_rows(rng: np.random.Generator, sheet: pd.DataFrame) -> None:
    bad_month, future_month, no_plan = rejection_groups(rng, len(sheet), REJECT_KINDS, every=600)
    sheet.loc[bad_month, "月度"] = pick(rng, UNREADABLE_MONTHS, len(bad_month))
    sheet.loc[future_month, "月度"] = FUTURE_MONTH
    sheet.loc[no_plan, ["计划代码", "计划类型"]] = None
