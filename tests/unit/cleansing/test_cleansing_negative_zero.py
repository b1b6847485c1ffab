"""``-0`` never leaves a numeric rule: every zero is ``Decimal(0)``, whatever sign it had."""

from decimal import Decimal

import pandas as pd
import pytest
from work_data_hub.cleansing.numbers import clean_money, clean_rate, exact_decimals
from work_data_hub.domain.columns import Column
from work_data_hub.domain.steps import cast_column

pytestmark = pytest.mark.unit

NEGATIVE_ZEROS = ["-0", "-0.00", "-0e3", "(0.00)", "－０.００", -0.0, Decimal("-0.000")]


def _signs(values: pd.Series) -> list[tuple[bool, bool]]:
    """(is zero, is signed) per value: a ``-0`` would show (True, True)."""
    return [(number.is_zero(), number.is_signed()) for number in values.tolist()]


@pytest.mark.parametrize(
    "rule", [clean_money, clean_rate, exact_decimals], ids=lambda r: r.__name__
)
def test_negative_zeros_come_out_as_zero(rule: object) -> None:
    values = pd.Series(
        [v for v in NEGATIVE_ZEROS if rule is clean_money or not str(v).startswith(("(", "－"))],
        dtype=object,
    )

    cleaned = rule(values)  # type: ignore[operator]

    assert _signs(cleaned) == [(True, False)] * len(values)


def test_a_column_of_decimals_with_a_negative_zero_is_normalised() -> None:
    cleaned = exact_decimals(pd.Series([Decimal("-0.000"), Decimal("1.5"), None], dtype=object))

    assert [str(v) for v in cleaned.tolist()] == ["0", "1.5", "None"]


@pytest.mark.parametrize("value", ["-0.00%", "-0%", "－０.００％", "-0.0"])
def test_negative_zero_percent_is_a_positive_zero_rate(value: str) -> None:
    assert _signs(clean_rate(pd.Series([value], dtype=object))) == [(True, False)]


def test_float_columns_give_positive_zeros() -> None:
    values = pd.Series([-0.0, 0.0, -0.0])

    assert _signs(clean_money(values)) == [(True, False)] * 3
    assert _signs(clean_rate(values)) == [(True, False)] * 3


def test_the_schema_casts_negative_zeros_to_zero() -> None:
    values = pd.Series(["-0.00", Decimal("-0.000"), -0.0], dtype=object)

    decimals, failed = cast_column(values, Column("amount", "decimal", scale=4))
    integers, _ = cast_column(pd.Series(["-0", -0.0], dtype=object), Column("n", "integer"))

    assert _signs(decimals) == [(True, False)] * 3
    assert not failed.any()
    assert [str(v) for v in integers.tolist()] == ["0", "0"]
