"""Cell values from a sheet's XML: a cell's raw text and type turned into the value
python-calamine 0.9 gives for it (``xlsx_workbook`` holds the rules for dates and strings).

The streamed reader (``xlsx_stream``) collects a block's cells as parallel arrays; this module
converts them column-wise, so that a block of a kind (numbers, shared strings, inline text)
costs a few C-level calls rather than one Python call per cell.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import suppress
from html import unescape
from itertools import repeat

import numpy as np
import numpy.typing as npt

from work_data_hub.io.readers.xlsx_workbook import (
    XML_WHITESPACE,
    NumberKind,
    WorkbookFacts,
    run_text,
    serial_value,
)

__all__ = ["CELL_TYPES", "INLINE", "INLINE_KEPT", "NO_STYLE", "READY", "CellValues"]

_NUMBER, _SHARED, _FORMULA_TEXT, INLINE, INLINE_KEPT, READY = range(6)
_BOOLEAN, _ERROR, _ISO_DATE, _STRICT_NUMBER = range(6, 10)
CELL_TYPES = {
    "": _NUMBER,
    "n": _STRICT_NUMBER,
    "s": _SHARED,
    "str": _FORMULA_TEXT,
    "inlineStr": INLINE,
    "b": _BOOLEAN,
    "e": _ERROR,
    "d": _ISO_DATE,
}
NO_STYLE = -1
"""The style of a cell without an ``s`` attribute: a plain number, whatever style 0 says."""
_BOOLEANS = {"1": True, "true": True, "0": False, "false": False}
_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})
"""The error values python-calamine reads; it refuses a sheet holding any other."""
_PLAIN_NUMBERS = re.compile(r"[0-9.eE+\-]*")
"""Characters of numbers written the usual way: a block of only these parses in one call."""
_NUMBER_TEXT = re.compile(
    r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)",
    re.IGNORECASE,
)
"""A number as python-calamine parses one; any other text in a number cell stays text."""


class CellValues:
    """Converts a block's cells with one workbook's shared strings, styles and date system."""

    def __init__(self, facts: WorkbookFacts) -> None:
        self.facts = facts

    def convert(
        self,
        texts: npt.NDArray[np.object_],
        types: npt.NDArray[np.int8],
        styles: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.object_]:
        """Return each cell's value as python-calamine gives it, from its raw text, its type
        code (``CELL_TYPES``) and its style; raise ``ValueError`` where python-calamine refuses
        the cell."""
        present = texts != ""
        values = np.full(len(texts), "", dtype=object)

        def where(code: int) -> npt.NDArray[np.intp]:
            return np.flatnonzero(present & (types == code))

        if len(
            numbers := np.flatnonzero(present & ((types == _NUMBER) | (types == _STRICT_NUMBER)))
        ):
            values[numbers] = self._numbers(
                texts[numbers].tolist(), styles[numbers], types[numbers] == _STRICT_NUMBER
            )
        if len(shared := where(_SHARED)):
            values[shared] = self.facts.shared_strings[self._shared_indexes(texts[shared])]
        for code, preserve in ((INLINE, False), (INLINE_KEPT, True)):
            if len(inline := where(code)):
                values[inline] = _run_texts(texts[inline].tolist(), preserve=preserve)
        if len(formula_texts := where(_FORMULA_TEXT)):
            values[formula_texts] = [unescape(text) for text in texts[formula_texts].tolist()]
        if len(ready := where(READY)):
            values[ready] = texts[ready]
        if len(booleans := where(_BOOLEAN)):
            values[booleans] = [_boolean(text) for text in texts[booleans].tolist()]
        unknown = set(texts[where(_ERROR)].tolist()) - _ERRORS
        if unknown:
            raise ValueError(f"a cell holds the unsupported error value {sorted(unknown)[0]!r}")
        if len(dates := where(_ISO_DATE)):
            values[dates] = [_iso_date(text) for text in texts[dates].tolist()]
        return values

    def _shared_indexes(self, texts: npt.NDArray[np.object_]) -> npt.NDArray[np.int64]:
        """Return the shared-string positions cells name; raise ``ValueError`` for one that
        is no position in the workbook's shared strings."""
        count = len(self.facts.shared_strings)
        for text in set(texts.tolist()):
            if not (text.isascii() and text.isdigit() and int(text) < count):
                raise ValueError(f"a cell names the shared string {text!r}, which does not exist")
        return texts.astype(np.int64)

    def _numbers(
        self, texts: list[str], styles: npt.NDArray[np.int64], strict: npt.NDArray[np.bool_]
    ) -> npt.NDArray[np.object_]:
        """Return numbers as floats, or as dates and times where their style shows one. A cell
        without a type whose text is no number keeps its text; one typed ``n`` is refused
        (``ValueError``), both as in python-calamine."""
        floats, is_number = _parse_numbers(texts)
        if np.any(strict & ~is_number):
            text = texts[int(np.flatnonzero(strict & ~is_number)[0])]
            raise ValueError(f"a cell of type number holds {text!r}")
        values = floats.astype(object)
        for position in np.flatnonzero(~is_number).tolist():
            text = texts[position]
            values[position] = unescape(text) if "&" in text else text
        kinds = self.facts.kind_of_styles(styles)
        for position in np.flatnonzero(is_number & (kinds != NumberKind.NUMBER)).tolist():
            values[position] = serial_value(
                float(floats[position]), NumberKind(int(kinds[position])), self.facts.date1904
            )
        return values


def _run_texts(raw: list[str], *, preserve: bool) -> list[str]:
    """Return ``run_text`` of every raw text; texts needing only a trim skip the call."""
    joined = "".join(raw)
    if "&" in joined or "_x" in joined:
        return [run_text(text, preserve=preserve) for text in raw]
    return raw if preserve else list(map(str.strip, raw, repeat(XML_WHITESPACE)))


def _parse_numbers(texts: list[str]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Return each text as a float (0 where it is no number) and which texts are numbers.

    Python reads more as a float than python-calamine does (spaces, ``1_000``, other scripts'
    digits), so a block is parsed in one call only when it holds nothing but the usual
    characters of a number; otherwise each text is judged by ``_NUMBER_TEXT``.
    """
    if _PLAIN_NUMBERS.fullmatch("".join(texts)):
        with suppress(ValueError):  # such as "1e" or "1.2.3": judged one by one below
            return np.array(texts, dtype=np.float64), np.ones(len(texts), dtype=bool)
    is_number = np.array([_NUMBER_TEXT.fullmatch(text) is not None for text in texts], dtype=bool)
    floats = np.zeros(len(texts), dtype=np.float64)
    floats[is_number] = [
        float(text) for text, number in zip(texts, is_number, strict=True) if number
    ]
    return floats, is_number


def _boolean(text: str) -> bool:
    """Return a boolean cell's value; raise ``ValueError`` for text python-calamine refuses."""
    value = _BOOLEANS.get(text.lower())
    if value is None:
        raise ValueError(f"a boolean cell holds {text!r}")
    return value


def _iso_date(text: str) -> dt.datetime | dt.date | dt.time | str:
    """Return a cell of type ``d`` as python-calamine does: an ISO 8601 date, time or both
    without a time zone as a date or time, anything else as its text."""
    try:
        if "T" not in text and ":" in text:
            return dt.time.fromisoformat(text)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is not None or text.endswith("Z"):
        return text
    return moment.date() if "T" not in text and " " not in text else moment
