"""The date, code and null-marker steps: impossible dates rejected as written, codes cleaned,
declared markers made missing before numbers are read."""

import pandas as pd
import pytest
from work_data_hub.domain.columns import SOURCE_ROW_COLUMN
from work_data_hub.domain.pipelines import PipelineContext, RowValidationError
from work_data_hub.domain.steps import (
    BlankNullMarkers,
    CleanCode,
    CleanMoney,
    MissingColumnsError,
    ParseDate,
    build_step,
)

pytestmark = pytest.mark.unit


def test_parse_date_rejects_impossible_dates_quoting_the_value_as_written(
    context: PipelineContext,
) -> None:
    data = pd.DataFrame(
        {
            SOURCE_ROW_COLUMN: [2, 3, 4, 5, 6, 7],
            "日期": ["2024/11/05", "2024/11/31", 45601, None, "2023-02-29", "２０２４年１１月５日"],
        }
    )

    with pytest.raises(RowValidationError) as raised:
        ParseDate("日期").execute(data, context)

    valid, rejected = raised.value.valid, raised.value.rejected
    assert valid[SOURCE_ROW_COLUMN].tolist() == [2, 4, 5, 7]
    assert valid["日期"].tolist()[:2] == [pd.Timestamp("2024-11-05")] * 2
    assert pd.isna(valid["日期"].iloc[2])
    assert valid["日期"].iloc[3] == pd.Timestamp("2024-11-05")
    assert rejected["source_row"].tolist() == [3, 6]
    assert rejected["column"].tolist() == ["日期", "日期"]
    assert rejected["reason"].tolist() == [
        "日期 '2024/11/31' is not a date",
        "日期 '2023-02-29' is not a date",
    ]


def test_parse_date_into_a_target_without_rejecting(context: PipelineContext) -> None:
    data = pd.DataFrame({"d": ["20241105", "bad"]})

    parsed = build_step(
        {"step": "parse_date", "column": "d", "target": "day", "reject_invalid": False}
    ).execute(data, context)

    assert isinstance(parsed, pd.DataFrame)
    assert parsed["day"].iloc[0] == pd.Timestamp("2024-11-05")
    assert pd.isna(parsed["day"].iloc[1])
    assert parsed["d"].tolist() == ["20241105", "bad"]


def test_clean_code_as_declared(context: PipelineContext) -> None:
    data = pd.DataFrame({"code": [" qtan 011", "ＱＴＡＮ０１１ "], "plan": ["a  b", " A B "]})

    cleaned = build_step({"step": "clean_code", "columns": ["code"]}).execute(data, context)
    collapsed = CleanCode(["plan"], spaces="collapse", case="lower").execute(data, context)

    assert isinstance(cleaned, pd.DataFrame)
    assert cleaned["code"].tolist() == ["QTAN011", "QTAN011"]
    assert collapsed["plan"].tolist() == ["a b", "a b"]


def test_clean_code_needs_a_list_of_existing_columns(context: PipelineContext) -> None:
    with pytest.raises(TypeError, match="give a list of column names"):
        CleanCode("code")
    with pytest.raises(MissingColumnsError, match="'code' not found"):
        CleanCode(["code"]).execute(pd.DataFrame({"x": [1]}), context)


def test_null_markers_are_blanks_for_the_money_step_after_them(context: PipelineContext) -> None:
    data = pd.DataFrame(
        {
            SOURCE_ROW_COLUMN: [2, 3, 4],
            "金额": ["1,234.50", "--", " N/A "],
            "备注": ["--", "无", "x"],
        }
    )

    blanked = BlankNullMarkers().execute(data, context)
    money = CleanMoney(["金额"]).execute(blanked, context)

    assert [str(v) for v in money["金额"].tolist()] == ["1234.50", "None", "None"]
    assert money["备注"].isna().tolist() == [True, True, False]
    assert money[SOURCE_ROW_COLUMN].tolist() == [2, 3, 4]


def test_declared_columns_and_column_markers(context: PipelineContext) -> None:
    data = pd.DataFrame({"a": ["--", "待定"], "b": ["--", "待定"]})

    only_a = BlankNullMarkers(columns=["a"]).execute(data, context)
    extra = BlankNullMarkers((), column_markers={"b": ["待定"], "absent": ["x"]}).execute(
        data, context
    )

    assert only_a["a"].isna().tolist() == [True, False]
    assert only_a["b"].tolist() == ["--", "待定"]
    assert extra["a"].tolist() == ["--", "待定"]
    assert extra["b"].isna().tolist() == [False, True]
