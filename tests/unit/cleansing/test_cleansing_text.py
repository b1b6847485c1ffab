"""Text helpers: half-width conversion, blanks, header keys, distinct-value mapping."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from work_data_hub.cleansing import (
    blank_to_na,
    halfwidth,
    is_blank,
    map_distinct,
    normalise_header,
    replace_where_found,
    to_halfwidth,
)

pytestmark = pytest.mark.unit


def test_full_width_characters_become_half_width() -> None:
    values = pd.Series(["ＡＢＣ１２３（）", "中文，不变", "\u3000x", None, 5], dtype=object)

    converted = to_halfwidth(values)

    assert converted.tolist()[:3] == ["ABC123()", "中文,不变", " x"]
    assert pd.isna(converted.iloc[3])
    assert converted.iloc[4] == "5"
    assert halfwidth("（１）") == "(1)"


def test_blanks_are_missing_values_and_whitespace_of_any_width() -> None:
    values = pd.Series(["", " ", "\u3000", "\t\n", None, "a", " a "], dtype=object)

    assert is_blank(values).tolist() == [True, True, True, True, True, False, False]
    assert is_blank(pd.Series([1.0, None])).tolist() == [False, True]
    assert blank_to_na(values).notna().tolist() == [False] * 5 + [True, True]


MIXED_CELLS = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.text(alphabet=" \t\u3000a0.", max_size=3),
)


@given(st.lists(MIXED_CELLS, max_size=20))
def test_a_value_is_blank_exactly_when_it_is_missing_or_prints_as_whitespace(
    cells: list[object],
) -> None:
    values = pd.Series(cells, dtype=object)
    printed = values.astype("str")
    assert is_blank(values).tolist() == (printed.isna() | printed.str.strip().eq("")).tolist()


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("流失（含待遇支付）", "流失(含待遇支付)"),
        (" 计划 代码\n", "计划代码"),
        ("Plan Code", "plancode"),
        ("ＡＢＣ", "abc"),
    ],
)
def test_spellings_of_one_header_share_a_key(left: str, right: str) -> None:
    assert normalise_header(left) == normalise_header(right)


def test_map_distinct_computes_once_per_value_and_keeps_the_index() -> None:
    seen: list[int] = []

    def upper(values: pd.Series) -> pd.Series:
        seen.append(len(values))
        return values.str.upper()

    values = pd.Series(["a", "b", "a", None, "a"], index=[9, 8, 7, 6, 5])
    result = map_distinct(values, upper)

    assert result.tolist()[:3] == ["A", "B", "A"]
    assert pd.isna(result.iloc[3])
    assert result.index.tolist() == [9, 8, 7, 6, 5]
    assert seen == [3]


def test_replace_where_found_touches_only_matching_rows() -> None:
    values = pd.Series(["(1)", "2", None])

    replaced = replace_where_found(values, r"^\((.*)\)$", r"-\1")

    assert replaced.tolist()[:2] == ["-1", "2"]
    assert replace_where_found(values, "zzz", "") is values


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("pattern", [r"^\((.*)\)$", r"^\((?:.*)\)$"])
def test_replace_where_found_searches_without_warnings_with_or_without_groups(
    pattern: str,
) -> None:
    values = pd.Series(["(1)", "x(2)", "(3)y", None], dtype="str")

    replaced = replace_where_found(values, pattern, "-")

    assert replaced.tolist()[:3] == ["-", "x(2)", "(3)y"]
    assert pd.isna(replaced.iloc[3])
