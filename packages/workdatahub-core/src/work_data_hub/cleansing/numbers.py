"""Money and rates written by people: currency signs, thousands separators, percent signs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from work_data_hub.cleansing.text import (
    WHITESPACE_CLASS,
    as_text,
    map_distinct,
    replace_where_found,
    to_halfwidth,
)

_NOISE = r"[¥$€£]|^(?i:RMB|CNY)|元$"
"""Currency signs and codes, a trailing 元."""

_GROUPED_NUMBER = r"[+\-(]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?[)%]?"
"""A number with thousands separators in their places: ``1,234``, ``(1,234.50)``, ``12,345%``."""

_PLAIN_NUMBER = r"[0-9.eE+\-]+"
"""Text that no cleaning step changes."""

_PERCENT_DECIMALS = 12
"""Rounding applied after dividing a percentage by 100, to drop binary noise (5.09% → 0.0509)."""


def clean_money(values: pd.Series, *, parentheses_negative: bool = True) -> pd.Series:
    """Return amounts as floats: ``"¥1,234.50"`` → 1234.5, ``"(12)"`` → -12.0.

    Removes whitespace, currency signs (``¥ ￥ $ € £``, ``RMB``/``CNY``, a trailing ``元``) and
    thousands separators, reads full-width digits, and with ``parentheses_negative`` reads an
    amount in parentheses as negative. A comma is a thousands separator only between groups of
    three digits after a first group of one to three (``1,234,567.5``); anywhere else
    (``1,2,3``, ``12,34``, ``1.234,56``, ``1,,000``) the value is unreadable. Blank, unreadable
    and infinite values give NaN: the caller compares with ``is_blank`` to report the unreadable
    ones. Idempotent on its output.
    """
    if _is_plain_number(values):
        return _finite(values.astype("float64"))
    return map_distinct(values, lambda distinct: _money(distinct, parentheses_negative))


def clean_rate(values: pd.Series) -> pd.Series:
    """Return rates as fractions: ``"5.09%"`` → 0.0509, ``"0.0509"`` → 0.0509, ``0.05`` → 0.05.

    Cleans like ``clean_money``; a value ending in ``%`` (or ``％``) is divided by 100, other
    values are taken as written. Blank or unreadable values give NaN.
    """
    if _is_plain_number(values):
        return _finite(values.astype("float64"))
    return map_distinct(values, _rate)


def _money(values: pd.Series, parentheses_negative: bool) -> pd.Series:
    """Read money text (see ``clean_money``)."""
    text = _numeric_text(values)
    if parentheses_negative:
        text = _parenthesised_as_negative(text)
    return _finite(pd.to_numeric(text, errors="coerce").astype("float64"))


def _parenthesised_as_negative(text: pd.Series) -> pd.Series:
    """Return ``"(12)"`` as ``"-12"``: accountants write a negative amount in parentheses."""
    enclosed = (text.str.startswith("(", na=False) & text.str.endswith(")", na=False)).to_numpy(
        dtype=bool
    )
    if not enclosed.any():
        return text
    return text.mask(enclosed, "-" + text[enclosed].str.slice(1, -1))


def _rate(values: pd.Series) -> pd.Series:
    """Read rate text (see ``clean_rate``)."""
    text = _numeric_text(values)
    percent = text.str.endswith("%", na=False)
    numbers = pd.to_numeric(text.str.removesuffix("%"), errors="coerce").astype("float64")
    scaled = (numbers / 100).round(_PERCENT_DECIMALS)
    return _finite(numbers.where(~percent, scaled))


def _is_plain_number(values: pd.Series) -> bool:
    """True for integer or float columns (booleans excluded: they are not amounts)."""
    return pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    )


def _numeric_text(values: pd.Series) -> pd.Series:
    """Return half-width text with whitespace, separators and currency markers removed.

    A value whose commas are not thousands separators in their places becomes ``""``.

    ``values`` has a unique index. Text of digits, signs, points and exponents (most amounts)
    is already clean: only the other values go through the cleaning steps.
    """
    text = as_text(values)
    plain = text.str.fullmatch(_PLAIN_NUMBER, na=False).to_numpy(dtype=bool)
    if plain.all():
        return text
    compact = replace_where_found(to_halfwidth(text[~plain]), WHITESPACE_CLASS, "")
    return text.mask(~plain, _without_separators(replace_where_found(compact, _NOISE, "")))


def _without_separators(text: pd.Series) -> pd.Series:
    """Return ``text`` with thousands separators removed; misplaced commas make the value ``""``."""
    commas = text.str.contains(",", regex=False, na=False).to_numpy(dtype=bool)
    if not commas.any():
        return text
    grouped = text[commas]
    valid = grouped.str.fullmatch(_GROUPED_NUMBER, na=False)
    return text.mask(commas, grouped.str.replace(",", "", regex=False).where(valid, ""))


def _finite(numbers: pd.Series) -> pd.Series:
    """Return ``numbers`` with infinities replaced by NaN."""
    return numbers.where(np.isfinite(numbers))
