"""One declaration, one validator: the pandera schema derived from the declared columns."""

from decimal import Decimal

import pandas as pd
import pandera.pandas as pa
import pyarrow
import pytest
from work_data_hub.domain.columns import Column
from work_data_hub.domain.validation import (
    dataframe_schema,
    format_value,
)

pytestmark = pytest.mark.unit

COLUMNS = (
    Column("月度", "date", nullable=False, description="report month"),
    Column("计划代码", nullable=False, max_length=6),
    Column("业务类型", isin=("企年受托", "企年投资")),
    Column("流失(含待遇支付)", "decimal", ge=0),
    Column("当期收益率", "decimal", precision=10, scale=6, ge=-1, le=10),
    Column("户数", "integer"),
    Column("有效", "boolean"),
)


def _decimals(values: list[Decimal], precision: int, scale: int) -> pd.Series:
    """A decimal column as ``ValidateSchema`` lets it through: Arrow ``decimal128``."""
    return pd.Series(values, dtype=pd.ArrowDtype(pyarrow.decimal128(precision, scale)))


def test_the_dataframe_schema_checks_dtypes_nulls_and_values() -> None:
    schema = dataframe_schema(COLUMNS, name="annuity")
    good = pd.DataFrame(
        {
            "月度": pd.to_datetime(["2024-11-01"]).astype("datetime64[us]"),
            "计划代码": pd.Series(["P1"], dtype="str"),
            "业务类型": pd.Series(["企年受托"], dtype="str"),
            "流失(含待遇支付)": _decimals([Decimal("1.0")], 18, 4),
            "当期收益率": _decimals([Decimal("0.05")], 10, 6),
            "户数": pd.array([1], dtype="Int64"),
            "有效": pd.array([True], dtype="boolean"),
        }
    )

    schema.validate(good)
    bad = good.assign(
        当期收益率=_decimals([Decimal("12.5")], 10, 6), 计划代码=pd.Series([None], dtype="str")
    )
    with pytest.raises(pa.errors.SchemaErrors) as raised:
        schema.validate(bad, lazy=True)
    assert set(raised.value.failure_cases["column"]) == {"当期收益率", "计划代码"}
    with pytest.raises(pa.errors.SchemaErrors):
        schema.validate(good.assign(户数=["1"]), lazy=True)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (10.0, "10"),
        (12.5, "12.5"),
        (3, "3"),
        ("abc", "'abc'"),
        (True, "True"),
        (Decimal("1.50"), "1.50"),
    ],
)
def test_values_are_quoted_as_people_write_them(value: object, text: str) -> None:
    assert format_value(value) == text


def test_a_decimal_column_wider_than_arrow_holds_is_checked_as_decimal_objects() -> None:
    schema = dataframe_schema([Column("金额", "decimal", precision=40, scale=2)])

    schema.validate(pd.DataFrame({"金额": [Decimal("1.25")]}))
