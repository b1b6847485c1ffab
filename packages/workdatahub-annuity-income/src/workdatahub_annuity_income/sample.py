"""Synthetic 收入明细 sheets with the quirks of the real files; cells as a workbook holds them.

About 0.5% of the rows must be rejected: bad month, future month, no plan code and no plan type.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from workdatahub_annuity_income.declarations import BRANCHES, FEE_COLUMNS

Cells = npt.NDArray[Any]
BUSINESS_TYPES = ("企年受托", "企年投资", "职年受托", "职年投资")
PLACES = "北京 上海 江苏 浙江 广东 深圳 四川 湖北 山东 新疆 辽宁"
WORDS = "恒瑞 华信 长城 东方 金桥 远航 天山 宏达 中联 新元 瑞丰"
TRADES = "医药 钢铁 电力 建设 科技 物流 化工 能源 食品 机械 电子"
NAME_NOISE = ("（已转出）", "注销", "-养老", "（北京）", " ", "null", "空白")
FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
REJECT_KINDS = 3


def generate(month: int, rows: int, seed: int) -> pd.DataFrame:
    """Return ``rows`` rows of a 收入明细 sheet for ``month`` (YYYYMM); deterministic per seed."""
    rng = np.random.default_rng([seed, month])
    single = rng.random(rows) < 0.5
    pool = max(2, rows // 3)
    plan = rng.integers(1, pool, rows)
    place, word, trade = (
        _pick(rng, tuple(words.split()), pool) for words in (PLACES, WORDS, TRADES)
    )
    customer = (place + word + trade + "有限公司")[
        np.where(single, plan, rng.integers(0, pool, rows))
    ]
    code = np.where(single, "Z", "P") + np.char.zfill(plan.astype(str), 4).astype(object)
    code[~single & (rng.random(rows) < 0.1)] = "1P0290"
    code[rng.random(rows) < 0.01] = None
    branch = np.array(list(BRANCHES), dtype=object)[rng.integers(1, len(BRANCHES), rows)]
    branch[rng.random(rows) < 0.02] = _pick(rng, ("null", "海外"), 1)[0]
    year, number = divmod(month, 100)
    spellings = (month, f"{year}-{number:02d}", f"{year}年{number}月")
    fullwidth = f"{year}年{number}月".translate(FULLWIDTH_DIGITS)
    sheet = pd.DataFrame(
        {
            "月度": _pick(rng, (*spellings, fullwidth), rows, p=(0.75, 0.1, 0.1, 0.05)),
            "业务类型": _pick(rng, BUSINESS_TYPES, rows, p=(0.35, 0.35, 0.15, 0.15)),
            "计划类型": np.where(single, "单一计划", "集合计划"),
            "计划号": code,
            "计划名称": np.where(single, customer + "企业年金计划", "如意人生集合计划"),
            "组合代码": _pick(rng, ("FZH0001", None), rows, p=(0.2, 0.8)),
            "客户名称": _customer_names(rng, customer, single),
            "机构代码": np.array([BRANCHES.get(name, "G00") for name in branch], dtype=object),
            "机构": branch,
            **{fee: _fees(rng, rows) for fee in FEE_COLUMNS},
        },
        dtype=object,
    )
    _add_rejected_rows(rng, sheet)
    return sheet if rng.random() < 0.5 else sheet.rename(columns={"计划号": "计划代码"})


def _pick(
    rng: np.random.Generator,
    pool: tuple[object, ...],
    size: int,
    p: tuple[float, ...] | None = None,
) -> Cells:
    return np.array(pool, dtype=object)[rng.choice(len(pool), size, p=p)]


def _customer_names(rng: np.random.Generator, names: Cells, single: npt.NDArray[np.bool_]) -> Cells:
    cells = names.copy()
    noisy = rng.random(len(names)) < 0.15
    noise = _pick(rng, NAME_NOISE, int(noisy.sum()))
    cells[noisy] = np.where(np.isin(noise, ("null", "空白")), noise, names[noisy] + noise)
    cells[single & (rng.random(len(names)) < 0.05)] = None
    return cells


def _fees(rng: np.random.Generator, rows: int) -> Cells:
    amounts = np.round(rng.lognormal(9, 1.2, rows), 2)
    cells = amounts.astype(object)
    draw = rng.random(rows)
    cells[draw < 0.05] = [f"¥{value:,.2f}" for value in amounts[draw < 0.05]]
    cells[(draw >= 0.05) & (draw < 0.15)] = None
    return cells


def _add_rejected_rows(rng: np.random.Generator, sheet: pd.DataFrame) -> None:
    per_kind = -(-len(sheet) // 600) if len(sheet) >= 2 * REJECT_KINDS else 0
    chosen = rng.permutation(len(sheet))[: per_kind * REJECT_KINDS].reshape(REJECT_KINDS, -1)
    bad_month, future_month, no_plan = (sheet.index[rows] for rows in chosen)
    sheet.loc[bad_month, "月度"] = _pick(rng, ("2024年13月", "1999-11", "未知"), per_kind)
    sheet.loc[future_month, "月度"] = "2030年12月"
    sheet.loc[no_plan, ["计划号", "计划类型"]] = None
