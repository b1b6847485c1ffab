"""Properties of the cleansing rules: idempotent, inverse of their printers, inputs untouched."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from work_data_hub.cleansing import (
    LEGAL_ENTITY_TERMS,
    NAME_SUFFIXES,
    NULL_NAMES,
    STATUS_MARKERS,
    clean_money,
    clean_rate,
    format_month,
    normalise_company_name,
    normalise_header,
    parse_month,
    to_halfwidth,
)

pytestmark = pytest.mark.unit

FAST = settings(max_examples=100, deadline=None)

NAME_PIECES = st.sampled_from(
    [
        *LEGAL_ENTITY_TERMS,
        *STATUS_MARKERS,
        *NAME_SUFFIXES,
        *NULL_NAMES,
        "中国",
        "平安",
        "原",
        "(",
        ")",
        "（",
        "）",
        "【",
        "】",
        "[",
        "]",
        "-",
        "_",
        " ",
        "\u3000",
        "“",
        "”",
        "'",
        "Ａ",
        "b",
        "ß",
    ]
)
NAMES = st.lists(NAME_PIECES | st.text(max_size=3), max_size=8).map("".join)
OPTIONAL_NAMES = st.none() | NAMES
MONTHS = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)).map(
    lambda day: pd.Timestamp(day.year, day.month, 1)
)


def _series(values: list[object]) -> pd.Series:
    return pd.Series(values, dtype=object)


@FAST
@given(st.lists(OPTIONAL_NAMES, max_size=20))
def test_name_normalisation_is_idempotent_and_leaves_its_input_alone(names: list[object]) -> None:
    values = _series(names)
    before = values.copy()

    once = normalise_company_name(values)
    twice = normalise_company_name(once)

    pd.testing.assert_series_equal(values, before)
    pd.testing.assert_series_equal(once, twice)
    assert not once.eq("").any()


@FAST
@given(st.lists(st.none() | st.text(max_size=10), max_size=20))
def test_halfwidth_conversion_is_idempotent(texts: list[object]) -> None:
    once = to_halfwidth(_series(texts))

    pd.testing.assert_series_equal(once, to_halfwidth(once))


@FAST
@given(st.text(max_size=20))
def test_header_keys_are_idempotent(header: str) -> None:
    key = normalise_header(header)

    assert normalise_header(key) == key


@FAST
@given(st.lists(MONTHS, min_size=1, max_size=20))
def test_the_month_parser_reads_what_format_month_prints(months: list[pd.Timestamp]) -> None:
    values = pd.Series(months, dtype="datetime64[us]")

    printed = format_month(values)

    pd.testing.assert_series_equal(parse_month(printed), values)
    pd.testing.assert_series_equal(parse_month(values), values)
    pd.testing.assert_series_equal(parse_month(parse_month(printed)), values)


@FAST
@given(
    st.integers(2000, 2030),
    st.integers(0, 99).filter(lambda month: not 1 <= month <= 12),
    st.sampled_from(["{y}{m:02d}", "{y}-{m}", "{y}/{m:02d}", "{y}年{m}月"]),
)
def test_the_month_parser_rejects_months_outside_1_to_12(
    year: int, month: int, pattern: str
) -> None:
    assert parse_month(pd.Series([pattern.format(y=year, m=month)])).isna().all()


@FAST
@given(st.integers(1000, 9999).filter(lambda year: not 2000 <= year <= 2030), st.integers(1, 12))
def test_the_month_parser_rejects_years_outside_2000_to_2030(year: int, month: int) -> None:
    assert parse_month(pd.Series([f"{year}{month:02d}", f"{year}-{month:02d}"])).isna().all()


@FAST
@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_money_written_with_symbols_and_separators_reads_back(amount: Decimal) -> None:
    value = float(str(amount))
    written = _series([f"¥{amount:,.2f}", f"{amount:,.2f}", value])

    cleaned = clean_money(written)

    assert cleaned.tolist() == [amount] * 3
    pd.testing.assert_series_equal(clean_money(cleaned), cleaned)


@FAST
@given(st.integers(min_value=0, max_value=10**15), st.integers(min_value=1, max_value=12))
def test_a_comma_moved_out_of_its_place_makes_the_amount_unreadable(
    amount: int, shift: int
) -> None:
    grouped = f"{amount:,}"
    digits = grouped.replace(",", "")
    cut = (len(digits) - shift) % len(digits) or 1
    misplaced = f"{digits[:cut]},{digits[cut:]}"

    assert clean_money(_series([grouped])).iloc[0] == amount
    if misplaced != grouped and f"{int(digits):,}" != misplaced:
        assert clean_money(_series([misplaced])).iloc[0] is None, misplaced


@FAST
@given(st.decimals(min_value=-100, max_value=1000, places=4, allow_nan=False))
def test_percentages_are_divided_by_100_exactly(percent: Decimal) -> None:
    fraction = percent.scaleb(-2)

    cleaned = clean_rate(_series([f"{percent}%", str(fraction)]))

    assert cleaned.tolist() == [fraction] * 2
