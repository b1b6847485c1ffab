"""clean_money and clean_rate: currency signs, separators, parentheses, percentages."""

import numpy as np
import pandas as pd
import pytest
from work_data_hub.cleansing import clean_money, clean_rate

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("¥1,234.50", 1234.5),
        ("￥1,234.50", 1234.5),
        ("$3", 3.0),
        (" 1 234 ", 1234.0),
        ("１２３．５", 123.5),
        ("１，０００", 1000.0),
        ("(12)", -12.0),
        ("(¥1,000.5)", -1000.5),
        ("-5", -5.0),
        ("RMB 100", 100.0),
        ("100元", 100.0),
        ("1e3", 1000.0),
        (1234.5, 1234.5),
        (7, 7.0),
    ],
    ids=repr,
)
def test_amounts_are_read(raw: object, amount: float) -> None:
    assert clean_money(pd.Series([raw], dtype=object)).iloc[0] == amount


@pytest.mark.parametrize(
    "raw", ["abc", "", None, "inf", "--", "1.2.3", True, "()", "(", "((1))"], ids=repr
)
def test_unreadable_amounts_are_nan(raw: object) -> None:
    assert np.isnan(clean_money(pd.Series([raw], dtype=object)).iloc[0])


@pytest.mark.parametrize(
    "raw",
    ["1,2,3", "12,34", "1.234,56", "1,,000", ",123", "1,234,", "1234,567", "1,234.5,6", "(1,23)"],
    ids=repr,
)
def test_commas_outside_thousands_positions_are_unreadable(raw: str) -> None:
    assert np.isnan(clean_money(pd.Series([raw], dtype=object)).iloc[0])
    assert np.isnan(clean_rate(pd.Series([raw + "%"], dtype=object)).iloc[0])


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("1,234", 1234.0),
        ("-1,234,567.89", -1234567.89),
        ("(1,000)", -1000.0),
        ("+999,999", 999999.0),
    ],
    ids=repr,
)
def test_commas_in_thousands_positions_are_separators(raw: str, amount: float) -> None:
    assert clean_money(pd.Series([raw], dtype=object)).iloc[0] == amount


def test_parentheses_can_be_read_literally() -> None:
    assert np.isnan(clean_money(pd.Series(["(12)"]), parentheses_negative=False).iloc[0])


def test_numeric_columns_pass_through_without_infinities() -> None:
    cleaned = clean_money(pd.Series([1.5, np.inf, np.nan]))

    assert cleaned.iloc[0] == 1.5
    assert cleaned.iloc[1:].isna().all()
    assert cleaned.dtype == np.float64


@pytest.mark.parametrize(
    ("raw", "rate"),
    [
        ("5.09%", 0.0509),
        ("５.０９％", 0.0509),
        (" 12.5 % ", 0.125),
        ("0.0509", 0.0509),
        (0.05, 0.05),
        ("-1%", -0.01),
    ],
    ids=repr,
)
def test_rates_are_fractions(raw: object, rate: float) -> None:
    assert clean_rate(pd.Series([raw], dtype=object)).iloc[0] == rate


@pytest.mark.parametrize("raw", ["x%", "%", None, ""], ids=repr)
def test_unreadable_rates_are_nan(raw: object) -> None:
    assert np.isnan(clean_rate(pd.Series([raw], dtype=object)).iloc[0])


@pytest.mark.filterwarnings("error")
def test_reading_amounts_warns_about_nothing() -> None:
    amounts = pd.Series(["(1,234.5)", "¥ 12", "RMB 3", None] * 50, dtype="str")

    assert clean_money(amounts).iloc[:3].tolist() == [-1234.5, 12.0, 3.0]
