"""Text rules shared by every other rule: full-width to half-width, blanks, header keys."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd

_FULLWIDTH_OFFSET = 0xFEE0
_HALFWIDTH_TABLE: dict[int, str] = {
    code: chr(code - _FULLWIDTH_OFFSET) for code in range(0xFF01, 0xFF5F)
} | {0x3000: " ", 0xFFE5: "¥", 0xFFE0: "¢", 0xFFE1: "£"}
"""Full-width ASCII variants (U+FF01–U+FF5E), the ideographic space, full-width currency signs."""

_WHITESPACE = re.compile(r"\s+")

WHITESPACE_CLASS = (
    "[\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
"""The characters ``\\s`` matches (``str.isspace``), spelled out: pandas runs this class on
pyarrow, whereas a pattern with ``\\s`` falls back to Python's ``re`` value by value."""


_FULLWIDTH_PATTERN = "[" + "".join(re.escape(chr(code)) for code in sorted(_HALFWIDTH_TABLE)) + "]"


def as_text(values: pd.Series) -> pd.Series:
    """Return ``values`` as a string Series; missing values stay missing, others use ``str``."""
    return values.astype("str")


def _is_text(values: pd.Series) -> bool:
    """True for string and object columns (the only ones that can hold blank text)."""
    return isinstance(values.dtype, pd.StringDtype) or values.dtype == object


def replace_where_found(text: pd.Series, pattern: str, replacement: str) -> pd.Series:
    """Return ``text.str.replace(pattern, replacement, regex=True)``, run only on matching rows.

    Searching is vectorised and fast; replacing with a regex is not, and most values of a
    column usually need no replacement. ``pattern`` may capture groups for ``replacement``.
    """
    found = _found(text, pattern)
    if not found.any():
        return text
    replaced = text[found].str.replace(pattern, replacement, regex=True)
    return text.mask(found, replaced)


def _found(text: pd.Series, pattern: str) -> npt.NDArray[np.bool_]:
    """Return where ``pattern`` matches somewhere in ``text`` (never where text is missing).

    ``str.contains`` is the fast search, but pandas warns when the pattern captures groups;
    ``str.count`` finds the same rows without the warning.
    """
    if re.compile(pattern).groups:
        return text.str.count(pattern).gt(0).to_numpy(dtype=bool, na_value=False)
    return text.str.contains(pattern, regex=True, na=False).to_numpy(dtype=bool)


def map_distinct(values: pd.Series, rule: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Return ``rule(values)``, computed once per distinct value (and once for missing values).

    Columns repeat values (one month per file, the same branch on many rows): a rule that
    costs per element then costs per distinct value. ``rule`` must treat rows independently.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = pd.Series(uniques, dtype=values.dtype)
    with_missing = pd.concat([distinct, pd.Series([None], dtype=values.dtype)], ignore_index=True)
    result = rule(with_missing).take(codes)
    result.index = values.index
    return result


def to_halfwidth(values: pd.Series) -> pd.Series:
    """Return text with full-width letters, digits, punctuation and spaces made half-width.

    ``"ＡＢＣ１２３（）"`` becomes ``"ABC123()"``; the ideographic space becomes a space.
    Missing values stay missing; the result is a string Series. Idempotent.
    """
    text = as_text(values)
    found = text.str.contains(_FULLWIDTH_PATTERN, regex=True, na=False).to_numpy(dtype=bool)
    if not found.any():
        return text
    return text.mask(found, text[found].str.translate(_HALFWIDTH_TABLE))


def halfwidth(text: str) -> str:
    """Return one string with full-width characters made half-width (see ``to_halfwidth``)."""
    return text.translate(_HALFWIDTH_TABLE)


_NEVER_BLANK_TEXT = frozenset({Decimal, int, float, bool, type(None)})
"""Types whose values are missing or print as a number: never whitespace-only text."""


def is_blank(values: pd.Series) -> pd.Series:
    """Return a boolean Series: True where a value is missing or only whitespace (any width)."""
    if not _is_text(values) or (
        values.dtype == object and set(map(type, values.tolist())) <= _NEVER_BLANK_TEXT
    ):
        # A column of numbers (cleaned amounts are Decimal objects) needs no text made of it.
        return values.isna()
    text = as_text(values)
    return text.isna() | text.str.strip().eq("")


def blank_to_na(values: pd.Series) -> pd.Series:
    """Return ``values`` with blank entries (see ``is_blank``) replaced by missing values."""
    return values.mask(is_blank(values))


def normalise_header(header: object) -> str:
    """Return the matching key of a column header: the spellings of one header share one key.

    Applies Unicode NFKC (full-width ``（）`` → ``()``, full-width digits and letters → ASCII),
    removes all whitespace (including line breaks inside Excel headers) and case-folds.
    ``"流失（含待遇支付）"`` and ``" 流失(含待遇支付)"`` give the same key. Idempotent.
    """
    key, previous = str(header), None
    while key != previous:
        # Removing a space or case-folding can leave text that NFKC changes again; stop when stable.
        previous, key = key, _WHITESPACE.sub("", unicodedata.normalize("NFKC", key)).casefold()
    return key
