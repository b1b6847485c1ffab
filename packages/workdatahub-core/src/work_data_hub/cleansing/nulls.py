"""Markers people type for "no value": ``--``, ``—``, ``N/A``, ``无``, ``不详``."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

NULL_MARKERS: Final = ("-", "--", "---", "—", "——", "N/A", "#N/A", "NULL", "无", "不详")
"""The markers a domain usually declares: dashes, not-applicable, ``无`` (none), ``不详``
(unknown). Compared after NFKC, without surrounding whitespace and regardless of case."""


def marker_key(text: str) -> str:
    """Return the form in which a value meets null markers: NFKC, stripped, casefolded."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def null_marker_mask(values: pd.Series, markers: Iterable[str]) -> npt.NDArray[np.bool_]:
    """Return where a text value of ``values`` is one of ``markers`` (compared as ``marker_key``).

    Only text is compared: numbers, dates and missing values are never markers.
    """
    keys = {marker_key(marker) for marker in markers}
    if not keys or not (isinstance(values.dtype, pd.StringDtype) or values.dtype == object):
        return np.zeros(len(values), dtype=bool)
    distinct = pd.unique(values.dropna())
    hits = [value for value in distinct if isinstance(value, str) and marker_key(value) in keys]
    if not hits:
        return np.zeros(len(values), dtype=bool)
    return values.isin(hits).to_numpy(dtype=bool)


def blank_null_markers(values: pd.Series, markers: Iterable[str] = NULL_MARKERS) -> pd.Series:
    """Return ``values`` with every null marker (see ``null_marker_mask``) made missing."""
    mask = null_marker_mask(values, markers)
    return values.mask(mask) if mask.any() else values
