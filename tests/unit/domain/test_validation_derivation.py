"""One declaration, two validators: the pandera schema and the pydantic row model agree."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pandera.pandas as pa
import pytest
from pydantic import ValidationError
from work_data_hub.domain.columns import Column
from work_data_hub.domain.validation import (
    PANDAS_DTYPES,
    dataframe_schema,
    empty_frame,
    format_value,
    row_model,
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


def test_the_row_model_has_one_field_per_column_with_the_same_rules() -> None:
    model = row_model(COLUMNS, "AnnuityRow")

    assert list(model.model_fields) == [c.name for c in COLUMNS]
    row = model(**{"月度": "2024-11-01", "计划代码": "P0001", "流失(含待遇支付)": "1.5"})
    assert row.model_dump()["月度"] == dt.date(2024, 11, 1)
    assert row.model_dump()["流失(含待遇支付)"] == Decimal("1.5")
    assert row.model_dump()["业务类型"] is None
    schema = model.model_json_schema()
    assert schema["required"] == ["月度", "计划代码"]
    assert schema["properties"]["月度"]["description"] == "report month"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"计划代码": "P0001"}, "月度"),
        ({"月度": "2024-11-01", "计划代码": "P0000001"}, "计划代码"),
        ({"月度": "2024-11-01", "计划代码": "P1", "业务类型": "其他"}, "业务类型"),
        ({"月度": "2024-11-01", "计划代码": "P1", "当期收益率": "12.5"}, "当期收益率"),
        (
            {"月度": "2024-11-01", "计划代码": "P1", "流失(含待遇支付)": "1.12345"},
            "流失(含待遇支付)",
        ),
    ],
)
def test_the_row_model_rejects_what_the_declaration_forbids(
    values: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        row_model(COLUMNS).model_validate(values)

    assert [error["loc"][0] for error in raised.value.errors()] == [field]


def test_the_dataframe_schema_checks_dtypes_nulls_and_values() -> None:
    schema = dataframe_schema(COLUMNS, name="annuity")
    good = pd.DataFrame(
        {
            "月度": pd.to_datetime(["2024-11-01"]).astype("datetime64[us]"),
            "计划代码": pd.Series(["P1"], dtype="str"),
            "业务类型": pd.Series(["企年受托"], dtype="str"),
            "流失(含待遇支付)": [Decimal("1.0")],
            "当期收益率": [Decimal("0.05")],
            "户数": pd.array([1], dtype="Int64"),
            "有效": pd.array([True], dtype="boolean"),
        }
    )

    schema.validate(good)
    bad = good.assign(当期收益率=[Decimal("12.5")], 计划代码=pd.Series([None], dtype="str"))
    with pytest.raises(pa.errors.SchemaErrors) as raised:
        schema.validate(bad, lazy=True)
    assert set(raised.value.failure_cases["column"]) == {"当期收益率", "计划代码"}
    with pytest.raises(pa.errors.SchemaErrors):
        schema.validate(good.assign(户数=["1"]), lazy=True)


def test_an_empty_frame_has_the_cast_dtypes() -> None:
    frame = empty_frame(COLUMNS)

    assert {name: str(dtype) for name, dtype in frame.dtypes.items()} == {
        c.name: PANDAS_DTYPES[c.kind] for c in COLUMNS
    }


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
