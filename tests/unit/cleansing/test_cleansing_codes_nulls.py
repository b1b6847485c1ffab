"""Codes in one spelling; null markers made missing, only where a value is exactly a marker."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from work_data_hub.cleansing.codes import clean_code
from work_data_hub.cleansing.nulls import NULL_MARKERS, blank_null_markers, null_marker_mask

pytestmark = pytest.mark.unit


def test_codes_are_half_width_stripped_and_upper_case_by_default() -> None:
    values = pd.Series(
        [" ｑｔａｎ０１１ ", "qtan 011", "QTan\u3000011", None, "  ", 12], dtype=object
    )

    cleaned = clean_code(values)

    assert cleaned.iloc[[0, 1, 2, 5]].tolist() == ["QTAN011", "QTAN011", "QTAN011", "12"]
    assert cleaned.iloc[[3, 4]].isna().tolist() == [True, True]


def test_inner_spaces_and_case_are_declared() -> None:
    values = pd.Series([" Ab  cD ", "ab\tcd"], dtype=object)

    assert clean_code(values, spaces="collapse", case="lower").tolist() == ["ab cd", "ab cd"]
    assert clean_code(values, spaces="keep", case="keep").tolist() == ["Ab  cD", "ab\tcd"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=8), max_size=10))
def test_clean_code_is_idempotent(texts: list[str]) -> None:
    once = clean_code(pd.Series(texts, dtype=object))

    assert clean_code(once).fillna("<missing>").tolist() == once.fillna("<missing>").tolist()


def test_default_markers_are_made_missing_whatever_their_case_width_and_edges() -> None:
    values = pd.Series(
        ["--", " n/a ", "—", "无", "不详", "－－", "x", "--x", None, 3], dtype=object
    )

    blanked = blank_null_markers(values)

    assert [pd.isna(v) for v in blanked.tolist()] == [True] * 6 + [False, False, True, False]
    assert blanked.iloc[6:8].tolist() == ["x", "--x"]
    assert blanked.iloc[9] == 3


def test_only_declared_markers_count_and_non_text_columns_are_never_markers() -> None:
    values = pd.Series(["--", "待定"], dtype=object)

    assert null_marker_mask(values, ["待定"]).tolist() == [False, True]
    assert null_marker_mask(values, []).tolist() == [False, False]
    assert null_marker_mask(pd.Series([0.0, 1.0]), NULL_MARKERS).tolist() == [False, False]
