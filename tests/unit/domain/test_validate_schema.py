"""ValidateSchema: casts to the declared kinds, checks values, splits off rejected rows."""

from decimal import Decimal

import pandas as pd
import pytest
from work_data_hub.domain.columns import EXECUTION_ID_COLUMN, SOURCE_ROW_COLUMN, Column
from work_data_hub.domain.pipelines import (
    REJECTION_COLUMNS,
    Pipeline,
    PipelineConfig,
    PipelineContext,
    RowValidationError,
)
from work_data_hub.domain.steps import (
    MissingColumnsError,
    RejectDuplicateKeys,
    ValidateSchema,
    cast_column,
)

pytestmark = pytest.mark.unit

COLUMNS = (
    Column("月度", "date", nullable=False),
    Column("计划代码", nullable=False, max_length=6),
    Column("业务类型", isin=("企年受托", "企年投资")),
    Column("当期收益率", "decimal", precision=10, scale=6, ge=-1, le=10),
    Column("期末资产规模", "decimal"),
    Column("户数", "integer", ge=0),
    Column("有效", "boolean"),
)


def _frame(**overrides: list[object]) -> pd.DataFrame:
    rows = 3
    data: dict[str, list[object]] = {
        SOURCE_ROW_COLUMN: list(range(2, rows + 2)),
        "月度": ["2024-11-01"] * rows,
        "计划代码": ["P0001"] * rows,
        "业务类型": ["企年受托"] * rows,
        "当期收益率": ["0.05"] * rows,
        "期末资产规模": ["100.5"] * rows,
        "户数": ["3"] * rows,
        "有效": ["是"] * rows,
    }
    data.update(overrides)
    return pd.DataFrame(data)


def _rejections(data: pd.DataFrame, context: PipelineContext) -> RowValidationError:
    with pytest.raises(RowValidationError) as raised:
        ValidateSchema(COLUMNS).execute(data, context)
    return raised.value


def test_valid_rows_are_cast_to_the_declared_kinds(context: PipelineContext) -> None:
    output = ValidateSchema(COLUMNS).execute(_frame(), context)

    assert output.dtypes.astype(str).to_dict() == {
        SOURCE_ROW_COLUMN: "int64",
        "月度": "datetime64[us]",
        "计划代码": "str",
        "业务类型": "str",
        "当期收益率": "decimal128(10, 6)[pyarrow]",
        "期末资产规模": "decimal128(18, 4)[pyarrow]",
        "户数": "Int64",
        "有效": "boolean",
    }
    assert output["期末资产规模"].iloc[0] == Decimal("100.5")
    assert bool(output["有效"].iloc[0]) is True


def test_reasons_name_the_column_and_the_value(context: PipelineContext) -> None:
    data = _frame(
        计划代码=["P0001", None, "P0003"],
        当期收益率=["12.5", "0.01", "-2"],
        月度=["2024-11-01", "2024-11-01", "abc"],
    )

    error = _rejections(data, context)

    assert tuple(error.rejected.columns) == REJECTION_COLUMNS
    assert error.rejected[["source_row", "column", "reason"]].values.tolist() == [
        [2, "当期收益率", "当期收益率 12.5 is above 10"],
        [3, "计划代码", "计划代码 is required"],
        [4, "月度", "月度 'abc' is not a date"],
        [4, "当期收益率", "当期收益率 -2 is below -1"],
    ]
    assert error.valid.empty
    assert error.rejected["raw"].iloc[2]["月度"] == "abc"
    assert SOURCE_ROW_COLUMN not in error.rejected["raw"].iloc[0]


def test_one_rejection_per_failing_column_even_with_several_checks(
    context: PipelineContext,
) -> None:
    columns = (Column("code", max_length=2, isin=("A", "B")),)
    data = pd.DataFrame({"code": ["TOOLONG", "A"]})

    with pytest.raises(RowValidationError) as raised:
        ValidateSchema(columns).execute(data, context)

    [reason] = raised.value.rejected["reason"].tolist()
    assert (
        reason == "code 'TOOLONG' is not one of: A, B; code 'TOOLONG' is longer than 2 characters"
    )
    assert raised.value.rejected["source_row"].tolist() == [0]
    assert raised.value.valid["code"].tolist() == ["A"]


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("户数", "2.5", "户数 '2.5' is not an integer"),
        ("户数", "-1", "户数 -1 is below 0"),
        ("期末资产规模", "¥1", "期末资产规模 '¥1' is not a number"),
        ("期末资产规模", "1e20", "期末资产规模 100000000000000000000 does not fit decimal(18,4)"),
        ("有效", "maybe", "有效 'maybe' is not true or false"),
        ("业务类型", "职年受托", "业务类型 '职年受托' is not one of: 企年受托, 企年投资"),
        ("计划代码", "P0000001", "计划代码 'P0000001' is longer than 6 characters"),
        ("月度", "  ", "月度 is required"),
    ],
)
def test_each_check_has_a_human_reason(
    context: PipelineContext, column: str, value: str, reason: str
) -> None:
    error = _rejections(_frame(**{column: [value, *_frame()[column].tolist()[1:]]}), context)

    assert error.rejected["reason"].tolist() == [reason]
    assert len(error.valid) == 2


def test_a_missing_nullable_column_is_added_and_a_missing_required_one_is_an_error(
    context: PipelineContext,
) -> None:
    output = ValidateSchema(COLUMNS).execute(_frame().drop(columns=["户数"]), context)
    assert output["户数"].isna().all()
    assert str(output["户数"].dtype) == "Int64"

    with pytest.raises(MissingColumnsError, match="'计划代码' not found"):
        ValidateSchema(COLUMNS).execute(_frame().drop(columns=["计划代码"]), context)


def test_drop_undeclared_keeps_declared_and_lineage_columns(context: PipelineContext) -> None:
    data = _frame().assign(extra=1, **{EXECUTION_ID_COLUMN: "e"})

    output = ValidateSchema(COLUMNS, drop_undeclared=True).execute(data, context)

    assert list(output.columns) == [c.name for c in COLUMNS] + [
        EXECUTION_ID_COLUMN,
        SOURCE_ROW_COLUMN,
    ]


def test_without_source_row_column_the_index_is_used(context: PipelineContext) -> None:
    data = _frame(计划代码=[None, "P", "P"]).drop(columns=[SOURCE_ROW_COLUMN])
    data.index = pd.Index([10, 11, 12])

    assert _rejections(data, context).rejected["source_row"].tolist() == [10]


def test_typed_input_is_accepted_as_is(context: PipelineContext) -> None:
    data = pd.DataFrame(
        {
            "月度": pd.to_datetime(["2024-11-15 10:00"]),
            "计划代码": ["P1"],
            "当期收益率": [0.123457],
            "户数": [4],
            "有效": [False],
        }
    )

    output = ValidateSchema(COLUMNS).execute(data, context)

    assert output["月度"].iloc[0] == pd.Timestamp("2024-11-15")
    assert output["当期收益率"].iloc[0] == Decimal("0.123457")
    assert output["户数"].iloc[0] == 4
    assert bool(output["有效"].iloc[0]) is False


def test_cast_column_reports_only_present_values_that_fail() -> None:
    cast, failed = cast_column(pd.Series(["1", "", None, "x", "2.0"]), Column("n", "integer"))

    assert cast.tolist()[:1] == [1]
    assert failed.tolist() == [False, False, False, True, False]
    assert cast.iloc[4] == 2


def test_in_a_collect_pipeline_every_row_is_either_valid_or_rejected(
    context: PipelineContext,
) -> None:
    data = _frame(计划代码=["P1", None, "P3"], 户数=["1", "x", "-5"])

    result = Pipeline("p", [ValidateSchema(COLUMNS)], PipelineConfig(stop_on_error=False)).run(
        data, context
    )

    assert result.success
    assert result.output_data[SOURCE_ROW_COLUMN].tolist() == [2]
    assert sorted(set(result.rejected["source_row"])) == [3, 4]
    assert len(result.rejected) == 3


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        (
            "当期收益率",
            "10.0000001",
            "当期收益率 10.0000001 is above 10; "
            "当期收益率 10.0000001 has more than 6 decimal places (decimal(10,6) would round it)",
        ),
        (
            "期末资产规模",
            "0.00005",
            "期末资产规模 0.00005 has more than 4 decimal places (decimal(18,4) would round it)",
        ),
        (
            "期末资产规模",
            "100000000000000",
            "期末资产规模 100000000000000 does not fit decimal(18,4)",
        ),
    ],
)
def test_decimal_bounds_and_places_are_checked_on_the_exact_value(
    context: PipelineContext, column: str, value: str, reason: str
) -> None:
    error = _rejections(_frame(**{column: [value, "1", "2"]}), context)

    [rejected] = error.rejected["reason"].tolist()
    assert rejected.startswith(reason)
    assert len(error.valid) == 2


def test_decimals_are_kept_digit_for_digit(context: PipelineContext) -> None:
    data = _frame(
        期末资产规模=["12345678901234.5678", "-0.0001", "1.50"], 当期收益率=["10", "-1", "0"]
    )

    output = ValidateSchema(COLUMNS).execute(data, context)

    assert output["期末资产规模"].tolist() == [
        Decimal("12345678901234.5678"),
        Decimal("-0.0001"),
        Decimal("1.50"),
    ]
    assert output["当期收益率"].tolist() == [10, -1, 0]


def test_valid_decimals_are_held_at_the_declared_scale_and_rejected_ones_do_not_count(
    context: PipelineContext,
) -> None:
    """A value with too many places leaves with its reason; the others fit decimal(18,4)."""
    error = _rejections(_frame(期末资产规模=["1.5", "0.00001", "99999999999999.9999"]), context)

    amounts = error.valid["期末资产规模"]
    assert str(amounts.dtype) == "decimal128(18, 4)[pyarrow]"
    assert [str(value) for value in amounts.tolist()] == ["1.5000", "99999999999999.9999"]
    assert error.rejected["raw"].iloc[0]["期末资产规模"] == "0.00001"


def test_decimals_wider_than_38_digits_stay_decimal_objects(context: PipelineContext) -> None:
    wide = (Column("金额", "decimal", precision=40, scale=2),)
    value = "12345678901234567890123456789012345678.25"

    output = ValidateSchema(wide).execute(pd.DataFrame({"金额": [value, None]}), context)

    assert output["金额"].dtype == object
    assert output["金额"].tolist() == [Decimal(value), None]


def test_rows_rejected_after_validation_quote_decimals_without_the_scale_padding(
    context: PipelineContext,
) -> None:
    steps = [ValidateSchema(COLUMNS), RejectDuplicateKeys(("计划代码", "期末资产规模"))]
    data = _frame(期末资产规模=["1234.50", "1234.50", "7"])

    result = Pipeline("p", steps, PipelineConfig(stop_on_error=False)).run(data, context)

    reasons = result.rejected["reason"].tolist()
    assert reasons[0].startswith("duplicate key (P0001, 1234.5): same as row")
    assert {raw["期末资产规模"] for raw in result.rejected["raw"]} == {"1234.5"}
