"""Synthetic 规模明细 sheets with every quirk of the real files; cells as a workbook holds them.

About 0.5% of the rows must be rejected: bad month, future month, return outside −1..10, no plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from workdatahub_annuity_performance.declarations import BRANCHES

Cells = npt.NDArray[Any]
Mask = npt.NDArray[np.bool_]
BUSINESS_TYPES = ("企年受托", "企年投资", "职年受托", "职年投资")
PLACES = "北京 上海 江苏 浙江 广东 深圳 四川 湖北 山东 新疆 辽宁"
WORDS = "恒瑞 华信 长城 东方 金桥 远航 天山 宏达 中联 新元 瑞丰 海川 安泰 永兴 明德 tcl abb"
TRADES = "医药 钢铁 电力 建设 科技 物流 化工 能源 食品 机械 电子"
FORMS = "有限公司 股份有限公司 集团有限公司 有限责任公司"
BRANDS = "如意人生 金色晚年 福寿安康 鑫享 安心 常青树 乐享 稳健"
NAME_DECORATIONS = ("(已转出)", "已转出", "注销", "（清算）", "-养老", "（企业年金）", "(原)")
MONEY_STYLES = {"¥{:,.2f}": 0.05, "{:,.2f}": 0.05}
HEADER_VARIANTS = {"计划代码": "计划号", "流失(含待遇支付)": "流失（含待遇支付）"}
FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
REJECT_KINDS = 4


def generate(month: int, rows: int, seed: int) -> pd.DataFrame:
    """Return ``rows`` rows of a 规模明细 sheet for ``month`` (YYYYMM); deterministic per seed."""
    rng = np.random.default_rng([seed, month])
    customers = _company_names(rng, max(8, rows // 5))
    single = rng.random(rows) < 0.45
    single_plan = rng.integers(0, max(4, len(customers) // 3), rows)
    collective_codes = np.array(["P0290", "P0807", *(f"P{n:04d}" for n in range(1, 41))], object)
    collective_plan = np.minimum(rng.geometric(0.12, rows) - 1, len(collective_codes) - 1)
    customer = customers[np.where(single, single_plan, rng.integers(0, len(customers), rows))]
    single_codes = "Z" + np.char.zfill((single_plan + 1).astype(str), 4).astype(object)
    codes = np.where(single, single_codes, collective_codes[collective_plan])
    brands = np.array(BRANDS.split(), dtype=object)[collective_plan % len(BRANDS.split())]
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
    portfolio_type = _pick(rng, ("固定收益型", "含权益型"), rows)
    portfolio, subsidiary, group = (rng.random(rows) < share for share in (0.2, 0.03, 0.1))
    sheet = pd.DataFrame(
        {
            "月度": _months(rng, month, rows),
            "业务类型": _pick(rng, BUSINESS_TYPES, rows, p=(0.35, 0.35, 0.15, 0.15)),
            "计划类型": np.where(single, "单一计划", "集合计划"),
            "计划代码": _plan_codes(rng, codes),
            "计划名称": plan_name,
            "组合类型": _maybe(portfolio_type, portfolio),
            "组合代码": _maybe(
                _pick(rng, ("F", ""), rows) + _digits(rng, "ZH", 5, rows), portfolio
            ),
            "组合名称": _maybe(plan_name + portfolio_type, portfolio),
            "客户名称": _decorated_names(rng, customer),
            **{name: _styled(rng, values, MONEY_STYLES) for name, values in amounts.items()},
            "当期收益率": _styled(rng, period_return, {"{:.2%}": 0.08}),
            "机构代码": branch_codes,
            "机构": branch_names,
            "子企业号": _maybe(_digits(rng, "", 6, rows), subsidiary),
            "子企业名称": _maybe(customer + "分公司", subsidiary),
            "集团企业客户号": _maybe(
                _pick(rng, ("C", ""), rows) + _digits(rng, "", 9, rows), group
            ),
            "集团企业客户名称": _maybe(customer + "集团", group),
        },
        dtype=object,
    )
    _add_rejected_rows(rng, sheet)
    variants = zip(HEADER_VARIANTS.items(), rng.random(len(HEADER_VARIANTS)) < 0.5, strict=True)
    return sheet.rename(columns=dict(variant for variant, chosen in variants if chosen))


def _pick(
    rng: np.random.Generator, pool: tuple[object, ...], size: int, p: Sequence[float] | None = None
) -> Cells:
    return np.array(pool, dtype=object)[rng.choice(len(pool), size, p=p)]


def _bands(rng: np.random.Generator, size: int, *shares: float) -> list[Mask]:
    """Disjoint random masks, each selecting about ``share`` of the rows."""
    edges, draw = np.cumsum((0.0, *shares)), rng.random(size)
    return [(draw >= low) & (draw < high) for low, high in pairwise(edges)]


def _digits(rng: np.random.Generator, prefix: str, width: int, size: int) -> Cells:
    return prefix + rng.integers(10 ** (width - 1), 10**width, size).astype(str).astype(object)


def _maybe(values: Cells, present: Mask) -> Cells:
    cells = values.astype(object)
    cells[~present] = None
    return cells


def _company_names(rng: np.random.Generator, count: int) -> Cells:
    pools = (PLACES, WORDS, TRADES, FORMS)
    place, word, trade, form = (_pick(rng, tuple(pool.split()), count) for pool in pools)
    bracketed = word + trade + "（" + place + "）" + form
    return np.where(rng.random(count) < 0.1, bracketed, place + word + trade + form)


def _months(rng: np.random.Generator, month: int, rows: int) -> Cells:
    year, number = divmod(month, 100)
    spellings = (f"{year}-{number:02d}", f"{year}年{number}月", f"{year % 100}年{number}月")
    fullwidth = f"{year}年{number}月".translate(FULLWIDTH_DIGITS)
    return _pick(rng, (month, *spellings, fullwidth), rows, p=(0.7, 0.1, 0.1, 0.05, 0.05))


def _plan_codes(rng: np.random.Generator, codes: Cells) -> Cells:
    typo = np.isin(codes, ("P0290", "P0807")) & (rng.random(len(codes)) < 0.3)
    return _maybe(np.where(typo, "1" + codes, codes), rng.random(len(codes)) >= 0.01)


def _decorated_names(rng: np.random.Generator, names: Cells) -> Cells:
    cells = names.copy()
    decorated, former, quoted, blank = _bands(rng, len(names), 0.1, 0.02, 0.02, 0.01)
    cells[decorated] = names[decorated] + _pick(rng, NAME_DECORATIONS, int(decorated.sum()))
    cells[former] = "原" + names[former]
    cells[quoted] = " “" + names[quoted] + "” "
    cells[blank] = _pick(rng, ("null", "空白", "-"), int(blank.sum()))
    return cells


def _styled(rng: np.random.Generator, values: npt.NDArray[Any], styles: dict[str, float]) -> Cells:
    """Numbers as numbers, except a share written as text in each style (``¥{:,.2f}``, ``%``)."""
    cells = values.astype(object)
    for style, chosen in zip(styles, _bands(rng, len(values), *styles.values()), strict=True):
        cells[chosen] = [style.format(value) for value in values[chosen]]
    return cells


def _branches(rng: np.random.Generator, rows: int) -> tuple[Cells, Cells]:
    """Branch codes (a fifth of them wrong) and names (some unknown, some ``null``)."""
    names = np.array(list(BRANCHES), dtype=object)[rng.integers(1, len(BRANCHES), rows)]
    codes = np.array([BRANCHES[name] for name in names], dtype=object)
    wrong_code, unknown_name, null_name = _bands(rng, rows, 0.2, 0.015, 0.01)
    codes[wrong_code] = _pick(rng, ("G00", "G99", "", "null"), int(wrong_code.sum()))
    names[unknown_name] = _pick(rng, ("海外", "待定", "营业部"), int(unknown_name.sum()))
    names[null_name] = "null"
    return codes, names


def _add_rejected_rows(rng: np.random.Generator, sheet: pd.DataFrame) -> None:
    per_kind = -(-len(sheet) // 800) if len(sheet) >= 2 * REJECT_KINDS else 0
    chosen = rng.permutation(len(sheet))[: per_kind * REJECT_KINDS].reshape(REJECT_KINDS, -1)
    bad_month, future_month, bad_return, no_plan = (sheet.index[rows] for rows in chosen)
    sheet.loc[bad_month, "月度"] = _pick(rng, ("2024年13月", "1999-11", "未知"), per_kind)
    sheet.loc[future_month, "月度"] = "2030年12月"
    sheet.loc[bad_return, "当期收益率"] = _pick(rng, ("1250%", 15.3, -1.8), per_kind)
    sheet.loc[no_plan, ["计划代码", "计划类型"]] = None
