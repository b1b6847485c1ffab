"""Codes typed by people: full-width letters, stray spaces, mixed case — one spelling out."""

from __future__ import annotations

import re
import unicodedata
from typing import Final, Literal

import pandas as pd

from work_data_hub.cleansing.text import as_text, map_distinct

CodeSpaces = Literal["remove", "collapse", "keep"]
"""What happens to whitespace inside a code: removed, collapsed to one space, or kept."""
CodeCase = Literal["upper", "lower", "keep"]
"""The case a code is written in after cleaning."""

_WHITESPACE: Final = re.compile(r"\s+")


def clean_code(
    values: pd.Series, *, spaces: CodeSpaces = "remove", case: CodeCase = "upper"
) -> pd.Series:
    """Return each code in one spelling: ``" ｑｔａｎ 011 "`` → ``"QTAN011"``.

    Text is NFKC-normalised (full-width letters and digits become half-width), stripped of
    surrounding whitespace, its inner whitespace removed (``spaces="remove"``), collapsed to
    one space (``"collapse"``) or kept, and written in ``case``. Non-text values are read as
    their text; missing values stay missing and blank text becomes missing. Idempotent.
    """
    return map_distinct(values, lambda distinct: _clean(distinct, spaces, case))


def _clean(values: pd.Series, spaces: CodeSpaces, case: CodeCase) -> pd.Series:
    text = as_text(values)
    cleaned = [
        None if code is None else _code(code, spaces, case)
        for code in text.astype(object).where(text.notna(), None).tolist()
    ]
    return pd.Series(cleaned, index=values.index, dtype="str")


def _code(text: str, spaces: CodeSpaces, case: CodeCase) -> str | None:
    # NFKC can leave a space before a combining mark (``¯`` → `` ̄``); removing that space
    # lets the next pass compose a new character, so the rule repeats until nothing changes.
    code, previous = text, None
    while code != previous:
        previous, code = code, unicodedata.normalize("NFKC", code).strip()
        if spaces != "keep":
            code = _WHITESPACE.sub("" if spaces == "remove" else " ", code)
        if case == "upper":
            code = code.upper()
        elif case == "lower":
            code = code.lower()
    return code or None
