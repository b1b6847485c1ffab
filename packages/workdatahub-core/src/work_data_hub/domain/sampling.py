"""Seeded building blocks for synthetic source sheets with the quirks of files people write.

Every function is pure and draws only from the ``numpy.random.Generator`` it is given, so one
seed always gives one sheet. Cells are object arrays holding what a workbook holds: text,
numbers and ``None`` for an empty cell. A domain's ``sample`` module combines these helpers
with its own business data (plan codes, branches, amounts) into its ``Domain.sample``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "BLANK_NAMES",
    "FUTURE_MONTH",
    "LEGAL_FORMS",
    "MONTH_SPELLINGS",
    "NAME_DECORATIONS",
    "PERCENT",
    "PLACES",
    "THOUSANDS",
    "TRADES",
    "UNREADABLE_MONTHS",
    "WORDS",
    "YUAN",
    "Cells",
    "Mask",
    "bands",
    "company_names",
    "decorated_names",
    "digits",
    "fullwidth_digits",
    "maybe",
    "month_cells",
    "month_spellings",
    "pick",
    "rejection_groups",
    "styled",
    "vary_headers",
]

Cells = npt.NDArray[Any]
"""One column of cells: an object array of text, numbers and ``None``."""
Mask = npt.NDArray[np.bool_]
"""A boolean array selecting rows."""

PLACES = ("北京", "上海", "江苏", "浙江", "广东", "深圳", "四川", "湖北", "山东", "新疆", "辽宁")
WORDS = (
    *("恒瑞", "华信", "长城", "东方", "金桥", "远航", "天山", "宏达", "中联", "新元", "瑞丰"),
    *("海川", "安泰", "永兴", "明德", "tcl", "abb"),
)
"""Name words; the lower-case Latin ones exercise upper-casing in name normalisation."""
TRADES = ("医药", "钢铁", "电力", "建设", "科技", "物流", "化工", "能源", "食品", "机械", "电子")
LEGAL_FORMS = ("有限公司", "股份有限公司", "集团有限公司", "有限责任公司")
NAME_DECORATIONS = ("(已转出)", "已转出", "注销", "（清算）", "-养老", "（企业年金）", "(原)")
"""Status markers and plan notes people append to a customer name."""
BLANK_NAMES = ("null", "空白", "-")
"""Placeholders people type where a name is unknown."""

YUAN = "¥{:,.2f}"
THOUSANDS = "{:,.2f}"
PERCENT = "{:.2%}"
"""Styles for ``styled``: ``¥1,234.50``, ``1,234.50``, ``5.09%``."""

MONTH_SPELLINGS = ("number", "iso", "chinese", "short", "fullwidth")
"""The spellings of ``month_spellings``: ``202411``, ``2024-11``, ``2024年11月``, ``24年11月``,
``２０２４年１１月``."""
UNREADABLE_MONTHS = ("2024年13月", "1999-11", "未知")
"""Month cells a parser must reject: no month 13, a year before 2000, no month at all."""
FUTURE_MONTH = "2030年12月"
"""A month after the month of any run of these samples."""

_FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def pick(
    rng: np.random.Generator, pool: Sequence[object], size: int, p: Sequence[float] | None = None
) -> Cells:
    """Return ``size`` cells drawn from ``pool`` (with the probabilities ``p``, else evenly)."""
    return np.array(pool, dtype=object)[rng.choice(len(pool), size, p=p)]


def bands(rng: np.random.Generator, size: int, *shares: float) -> list[Mask]:
    """Return one mask per share: disjoint random selections of about ``share`` of the rows."""
    edges, draw = np.cumsum((0.0, *shares)), rng.random(size)
    return [(draw >= low) & (draw < high) for low, high in pairwise(edges)]


def digits(rng: np.random.Generator, prefix: str, width: int, size: int) -> Cells:
    """Return ``size`` codes: ``prefix`` and ``width`` random digits, the first not 0."""
    return prefix + rng.integers(10 ** (width - 1), 10**width, size).astype(str).astype(object)


def maybe(values: Cells, present: Mask) -> Cells:
    """Return ``values`` as cells, empty (``None``) where ``present`` is false."""
    cells = values.astype(object)
    cells[~present] = None
    return cells


def fullwidth_digits(text: str) -> str:
    """Return ``text`` with its digits full-width (``2024`` → ``２０２４``), as some files hold."""
    return text.translate(_FULLWIDTH_DIGITS)


def month_spellings(month: int) -> dict[str, object]:
    """Return the ways people write ``month`` (``YYYYMM``), by the names of ``MONTH_SPELLINGS``.

    ``number`` is the number ``202411`` (a numeric cell); the others are text.
    """
    year, number = divmod(month, 100)
    chinese = f"{year}年{number}月"
    spellings = (month, f"{year}-{number:02d}", chinese, f"{year % 100:02d}年{number}月")
    return dict(zip(MONTH_SPELLINGS, (*spellings, fullwidth_digits(chinese)), strict=True))


def month_cells(
    rng: np.random.Generator, month: int, size: int, shares: Mapping[str, float]
) -> Cells:
    """Return ``size`` cells naming ``month``, each spelling with its share (shares sum to 1).

    ``month_cells(rng, 202411, 100, {"number": 0.8, "chinese": 0.2})``.
    """
    spellings = month_spellings(month)
    return pick(rng, [spellings[name] for name in shares], size, p=list(shares.values()))


def company_names(
    rng: np.random.Generator,
    count: int,
    *,
    words: Sequence[str] = WORDS,
    forms: Sequence[str] = LEGAL_FORMS,
    bracketed: float = 0.1,
) -> Cells:
    """Return ``count`` company names: place, word, trade and legal form (``北京恒瑞医药有限公司``).

    About ``bracketed`` of them carry the place in full-width brackets inside the name
    (``恒瑞医药（北京）有限公司``), as registered names often do. Names may repeat.
    """
    place, word, trade, form = (pick(rng, pool, count) for pool in (PLACES, words, TRADES, forms))
    inside = word + trade + "（" + place + "）" + form
    return np.where(rng.random(count) < bracketed, inside, place + word + trade + form)


def decorated_names(
    rng: np.random.Generator,
    names: Cells,
    *,
    suffixed: float = 0.1,
    former: float = 0.02,
    quoted: float = 0.02,
    blank: float = 0.01,
    suffixes: Sequence[str] = NAME_DECORATIONS,
    placeholders: Sequence[str] = BLANK_NAMES,
) -> Cells:
    """Return ``names`` as people write them in a customer column.

    About ``suffixed`` of the rows end with one of ``suffixes`` (``XX公司(已转出)``), ``former``
    start with ``原``, ``quoted`` are wrapped in curly quotes and spaces (`` “XX公司” ``) and
    ``blank`` hold one of ``placeholders`` instead of a name; the selections are disjoint.
    """
    cells = names.astype(object)
    with_suffix, with_former, with_quotes, blanked = bands(
        rng, len(names), suffixed, former, quoted, blank
    )
    cells[with_suffix] = names[with_suffix] + pick(rng, suffixes, int(with_suffix.sum()))
    cells[with_former] = "原" + names[with_former]
    cells[with_quotes] = " “" + names[with_quotes] + "” "
    cells[blanked] = pick(rng, placeholders, int(blanked.sum()))
    return cells


def styled(
    rng: np.random.Generator,
    values: npt.NDArray[Any],
    styles: Mapping[str, float],
    *,
    empty: float = 0.0,
) -> Cells:
    """Return numbers as numeric cells, except a share written as text in each style.

    ``styles`` maps a ``str.format`` style (``YUAN``, ``THOUSANDS``, ``PERCENT``) to the share
    of rows written that way; another ``empty`` share of the cells is left empty.
    """
    cells = values.astype(object)
    shares = (*styles.values(), empty)
    *written, blank = bands(rng, len(values), *shares)
    for style, chosen in zip(styles, written, strict=True):
        cells[chosen] = [style.format(value) for value in values[chosen]]
    cells[blank] = None
    return cells


def rejection_groups(
    rng: np.random.Generator, size: int, kinds: int, every: int
) -> list[npt.NDArray[np.intp]]:
    """Return ``kinds`` disjoint groups of random row positions, for rows planted to be rejected.

    Each group holds one row per started ``every`` rows (``ceil(size / every)``, at most
    ``size // kinds``); a sheet of fewer than ``2 * kinds`` rows gets empty groups.
    """
    per_kind = min(-(-size // every), size // kinds) if size >= 2 * kinds else 0
    chosen = rng.permutation(size)[: per_kind * kinds].reshape(kinds, per_kind)
    return list(chosen)


def vary_headers(
    rng: np.random.Generator, sheet: pd.DataFrame, variants: Mapping[str, str]
) -> pd.DataFrame:
    """Return ``sheet`` with each header of ``variants`` renamed to its variant or not, 1 in 2.

    Files of different years spell some headers differently (``计划代码``/``计划号``); one draw
    per variant decides for the whole sheet.
    """
    chosen = rng.random(len(variants)) < 0.5
    renames = dict(
        variant for variant, rename in zip(variants.items(), chosen, strict=True) if rename
    )
    return sheet.rename(columns=renames)
