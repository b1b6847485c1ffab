"""Money and rates written by people: currency signs, thousands separators, percent signs.

Amounts and rates are exact ``Decimal`` values, never binary floats: ``"12345678901234.5678"``
keeps every digit and ``"0.00005"`` stays five hundred-thousandths, so what the warehouse
stores, or the reason a value is refused, is about the number the file holds.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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

_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")
"""A number as text: ASCII digits, an optional point and an exponent of at most four digits."""

_DECIMAL128_DIGITS = 38
_WIDE_SCALE = 18
"""``decimal128(38, 18)`` holds every value of a ``numeric(p, s)`` with s ≤ 18 and p − s ≤ 20."""


def exact_decimal(value: object) -> Decimal | None:
    """Return the exact decimal value of a number or of its text; None when it is no number.

    Text is read digit for digit, with no binary float in between (``"12345678901234.5678"``
    stays so; surrounding whitespace is ignored). A float is read as its shortest round-trip
    text (``0.1`` → ``Decimal("0.1")``), an integer exactly, a ``Decimal`` as it is. Booleans,
    NaN, infinities, exponents beyond four digits and any other text give None.
    """
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not _DECIMAL_TEXT.fullmatch(text):
            return None
        number = Decimal(text)
    elif isinstance(value, bool | np.bool_):
        return None
    elif isinstance(value, int | np.integer):
        number = Decimal(int(value))
    elif isinstance(value, float | np.floating) and math.isfinite(value):
        number = Decimal(repr(float(value)))
    else:
        return None
    if not number.is_finite():
        return None
    return number if number else Decimal(0)


def exact_decimals(values: pd.Series) -> pd.Series:
    """Return ``exact_decimal`` of every value as an object Series (None where no number).

    A column of finite ``Decimal``s and None (what ``clean_money`` returns) is returned as it is,
    unless it holds a negative zero: every zero comes out as ``Decimal(0)``, never ``-0``.
    """
    if values.dtype == object and all(
        value is None
        or (type(value) is Decimal and value.is_finite() and not _negative_zero(value))
        for value in values.tolist()
    ):
        return values
    return map_distinct(values, _decimal_series)


def _negative_zero(number: Decimal) -> bool:
    return number.is_zero() and number.is_signed()


def places_within(values: pd.Series, scale: int) -> pd.Series:
    """Return, per value of a column of ``Decimal``s, whether it needs at most ``scale`` digits
    after the point (trailing zeros not counted); missing values give True.

    Vectorised through Arrow: a value holds when truncating it to ``scale`` places leaves it
    unchanged. Columns Arrow's ``decimal128(38, 18)`` cannot hold are checked value by value.
    """
    cells = [value if type(value) is Decimal else None for value in values.tolist()]
    if scale >= _WIDE_SCALE:
        return values.map(lambda number: _places_within(number, scale)).astype(bool)
    try:
        wide = pa.array(cells, type=pa.decimal128(_DECIMAL128_DIGITS, _WIDE_SCALE))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return values.map(lambda number: _places_within(number, scale)).astype(bool)
    cut = wide.cast(pa.decimal128(_DECIMAL128_DIGITS, scale), safe=False)
    same = pc.fill_null(pc.equal(wide, cut.cast(wide.type)), True)
    return pd.Series(same.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)


def _places_within(number: object, scale: int) -> bool:
    return not isinstance(number, Decimal) or decimal_places(number) <= scale


def decimal_places(number: Decimal) -> int:
    """Return the digits a finite decimal needs after the point: 1.50 → 1, 100 → 0, 0.00005 → 5."""
    _, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    places, last = -exponent, len(digits) - 1
    while places and last >= 0 and digits[last] == 0:
        places, last = places - 1, last - 1
    return places if last >= 0 else 0


def decimal_text(value: Decimal) -> str:
    """Return a decimal without the zero places its column's scale added: ``1234.5000`` →
    ``1234.5``, ``100.0000`` → ``100``; never an exponent."""
    digits = f"{value:f}"
    if "." not in digits:
        return digits
    return digits.rstrip("0").rstrip(".")


def clean_money(values: pd.Series, *, parentheses_negative: bool = True) -> pd.Series:
    """Return amounts as exact ``Decimal``: ``"¥1,234.50"`` → 1234.50, ``"(12)"`` → -12.

    Removes whitespace, currency signs (``¥ ￥ $ € £``, ``RMB``/``CNY``, a trailing ``元``) and
    thousands separators, reads full-width digits, and with ``parentheses_negative`` reads an
    amount in parentheses as negative. A comma is a thousands separator only between groups of
    three digits after a first group of one to three (``1,234,567.5``); anywhere else
    (``1,2,3``, ``12,34``, ``1.234,56``, ``1,,000``) the value is unreadable. Blank, unreadable
    and infinite values give None: the caller compares with ``is_blank`` to report the
    unreadable ones. Idempotent on its output.
    """
    if _is_plain_number(values):
        return exact_decimals(values)
    return map_distinct(values, lambda distinct: _money(distinct, parentheses_negative))


def clean_rate(values: pd.Series) -> pd.Series:
    """Return rates as exact fractions: ``"5.09%"`` → 0.0509, ``"0.0509"`` → 0.0509.

    Cleans like ``clean_money``; a value ending in ``%`` (or ``％``) is divided by 100 exactly
    (its decimal point moves two places), other values are taken as written. Blank or
    unreadable values give None.
    """
    if _is_plain_number(values):
        return exact_decimals(values)
    return map_distinct(values, _rate)


def _decimal_series(values: pd.Series) -> pd.Series:
    """``exact_decimal`` of every value, vectorised: the text form of each value is matched at
    once and only the numbers are built, by the C ``Decimal`` constructor.

    A value's text is what ``exact_decimal`` reads: text as written, a float's shortest
    round-trip form, an integer's digits; booleans, NaN and infinities match no number.
    """
    text = as_text(values).str.strip()
    matched = text.str.fullmatch(_DECIMAL_TEXT.pattern, na=False).to_numpy(dtype=bool)
    numbers = matched & ~_booleans(values)
    decimals = np.full(len(values), None, dtype=object)
    if numbers.any():
        parsed = map(Decimal, text[numbers].tolist())
        decimals[numbers] = [number if number else _ZERO for number in parsed]
    return pd.Series(decimals, index=values.index, dtype=object)


_ZERO = Decimal(0)


def _booleans(values: pd.Series) -> npt.NDArray[np.bool_]:
    if pd.api.types.is_bool_dtype(values.dtype):
        return np.ones(len(values), dtype=bool)
    if values.dtype != object:
        return np.zeros(len(values), dtype=bool)
    return np.fromiter(
        (isinstance(value, bool | np.bool_) for value in values.tolist()), bool, len(values)
    )


def _hundredth(number: Decimal) -> Decimal:
    """Return ``number / 100`` exactly, whatever its number of digits: the point moves two
    places, taking up to two trailing zeros of a whole number (``1250`` → ``12.5``)."""
    sign, digits, exponent = number.as_tuple()
    shift = 0
    if int(exponent) >= 0:
        while shift < 2 and len(digits) > 1 and digits[-1] == 0:
            digits, shift = digits[:-1], shift + 1
    return Decimal((sign, digits, int(exponent) + shift - 2))


def _money(values: pd.Series, parentheses_negative: bool) -> pd.Series:
    """Read money text (see ``clean_money``)."""
    text = _numeric_text(values)
    if parentheses_negative:
        text = _parenthesised_as_negative(text)
    return _decimal_series(text)


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
    percent = text.str.endswith("%", na=False).to_numpy(dtype=bool)
    numbers = _decimal_series(text.str.removesuffix("%"))
    scaled = [
        _hundredth(number) if in_percent and number is not None else number
        for number, in_percent in zip(numbers.tolist(), percent, strict=True)
    ]
    return pd.Series(scaled, index=values.index, dtype=object)


def _is_plain_number(values: pd.Series) -> bool:
    """True for integer or float columns (booleans excluded: they are not amounts)."""
    return pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    )


def _numeric_text(values: pd.Series) -> pd.Series:
    """Return half-width text with whitespace, separators and currency markers removed.

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
