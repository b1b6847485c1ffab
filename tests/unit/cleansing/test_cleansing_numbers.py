"""clean_money and clean_rate: currency signs, separators, parentheses, percentages."""

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from work_data_hub.cleansing import clean_money, clean_rate
from work_data_hub.cleansing.numbers import decimal_places, exact_decimal, places_within

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("¥1,234.50", "1234.5"),
        ("￥1,234.50", "1234.5"),
        ("$3", "3"),
        (" 1 234 ", "1234"),
        ("１２３．５", "123.5"),
        ("１，０００", "1000"),
        ("(12)", "-12"),
        ("(¥1,000.5)", "-1000.5"),
        ("-5", "-5"),
        ("RMB 100", "100"),
        ("100元", "100"),
        ("1e3", "1000"),
        (1234.5, "1234.5"),
        (7, "7"),
        ("12345678901234.5678", "12345678901234.5678"),
        ("0.00005", "0.00005"),
        (0.1, "0.1"),
    ],
    ids=repr,
)
def test_amounts_are_read_exactly(raw: object, amount: str) -> None:
    cleaned = clean_money(pd.Series([raw], dtype=object)).iloc[0]

    assert isinstance(cleaned, Decimal)
    assert cleaned == Decimal(amount)


@pytest.mark.parametrize(
    "raw",
    ["abc", "", None, "inf", "nan", "--", "1.2.3", True, "()", "(", "((1))", "1_000", "1e99999"],
    ids=repr,
)
def test_unreadable_amounts_are_missing(raw: object) -> None:
    assert clean_money(pd.Series([raw], dtype=object)).iloc[0] is None


@pytest.mark.parametrize(
    "raw",
    ["1,2,3", "12,34", "1.234,56", "1,,000", ",123", "1,234,", "1234,567", "1,234.5,6", "(1,23)"],
    ids=repr,
)
def test_commas_outside_thousands_positions_are_unreadable(raw: str) -> None:
    assert clean_money(pd.Series([raw], dtype=object)).iloc[0] is None
    assert clean_rate(pd.Series([raw + "%"], dtype=object)).iloc[0] is None


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("1,234", Decimal("1234")),
        ("-1,234,567.89", Decimal("-1234567.89")),
        ("(1,000)", Decimal("-1000")),
        ("+999,999", Decimal("999999")),
    ],
    ids=repr,
)
def test_commas_in_thousands_positions_are_separators(raw: str, amount: Decimal) -> None:
    assert clean_money(pd.Series([raw], dtype=object)).iloc[0] == amount


def test_parentheses_can_be_read_literally() -> None:
    assert clean_money(pd.Series(["(12)"]), parentheses_negative=False).iloc[0] is None


def test_numeric_columns_become_exact_decimals_without_infinities() -> None:
    cleaned = clean_money(pd.Series([1.5, np.inf, np.nan]))

    assert cleaned.iloc[0] == Decimal("1.5")
    assert cleaned.iloc[1:].isna().all()
    assert cleaned.dtype == object


@pytest.mark.parametrize(
    ("number", "places"),
    [("1.50", 1), ("100", 0), ("1E+3", 0), ("0.00005", 5), ("0.000", 0), ("-0.10", 1)],
)
def test_decimal_places_ignore_trailing_zeros(number: str, places: int) -> None:
    assert decimal_places(Decimal(number)) == places


def test_exact_decimal_never_goes_through_a_float() -> None:
    assert exact_decimal("  12345678901234.5678 ") == Decimal("12345678901234.5678")
    assert exact_decimal(Decimal("-0.000")) == 0
    assert exact_decimal("٣") is None


@pytest.mark.parametrize(
    ("raw", "rate"),
    [
        ("5.09%", "0.0509"),
        ("５.０９％", "0.0509"),
        (" 12.5 % ", "0.125"),
        ("0.0509", "0.0509"),
        (0.05, "0.05"),
        ("-1%", "-0.01"),
        ("1000.0000001%", "10.000000001"),
    ],
    ids=repr,
)
def test_rates_are_exact_fractions(raw: object, rate: str) -> None:
    assert clean_rate(pd.Series([raw], dtype=object)).iloc[0] == Decimal(rate)


@pytest.mark.parametrize("raw", ["x%", "%", None, ""], ids=repr)
def test_unreadable_rates_are_missing(raw: object) -> None:
    assert clean_rate(pd.Series([raw], dtype=object)).iloc[0] is None


@pytest.mark.filterwarnings("error")
def test_reading_amounts_warns_about_nothing() -> None:
    amounts = pd.Series(["(1,234.5)", "¥ 12", "RMB 3", None] * 50, dtype="str")

    assert clean_money(amounts).iloc[:3].tolist() == [Decimal("-1234.5"), 12, 3]


@pytest.mark.parametrize("huge", [False, True], ids=["vectorised", "value by value"])
def test_places_within_counts_places_without_trailing_zeros(huge: bool) -> None:
    numbers = [Decimal("1.2345"), Decimal("1.23450"), Decimal("0.00005"), None, Decimal("-7")]
    if huge:
        numbers.append(Decimal("1E+30"))

    within = places_within(pd.Series(numbers, dtype=object), 4).tolist()

    assert within == [True, True, False, True, True] + ([True] if huge else [])
