"""Cleansing steps: months, money, rates, names; unreadable values reject their row."""

from decimal import Decimal

import pandas as pd
import pytest
from work_data_hub.domain.columns import SOURCE_ROW_COLUMN
from work_data_hub.domain.pipelines import PipelineContext, RowValidationError
from work_data_hub.domain.steps import CleanMoney, CleanRate, NormaliseNames, ParseMonth

pytestmark = pytest.mark.unit


def test_parse_month_rejects_what_names_no_month(context: PipelineContext) -> None:
    data = pd.DataFrame(
        {SOURCE_ROW_COLUMN: [2, 3, 4, 5], "月度": ["2024年11月", "abc", None, "203101"]}
    )

    with pytest.raises(RowValidationError) as raised:
        ParseMonth("月度").execute(data, context)

    valid, rejected = raised.value.valid, raised.value.rejected
    assert valid[SOURCE_ROW_COLUMN].tolist() == [2, 4]
    assert valid["月度"].iloc[0] == pd.Timestamp("2024-11-01")
    assert pd.isna(valid["月度"].iloc[1])
    assert rejected["source_row"].tolist() == [3, 5]
    assert rejected["reason"].tolist() == [
        "月度 'abc' is not a month",
        "月度 '203101' is outside the accepted years 2000–2030",
    ]
    assert rejected["raw"].iloc[0] == {"月度": "abc"}


def test_parse_month_into_a_target_without_rejecting(context: PipelineContext) -> None:
    data = pd.DataFrame({"月度": ["202411", "bad"]})

    parsed = ParseMonth("月度", target="report_month", reject_invalid=False).execute(data, context)

    assert parsed["report_month"].iloc[0] == pd.Timestamp("2024-11-01")
    assert pd.isna(parsed["report_month"].iloc[1])
    assert parsed["月度"].tolist() == ["202411", "bad"]


def test_clean_money_reads_amounts_and_rejects_one_reason_per_bad_column(
    context: PipelineContext,
) -> None:
    data = pd.DataFrame(
        {
            SOURCE_ROW_COLUMN: [2, 3, 4],
            "期初资产规模": ["¥1,234.50", "x", ""],
            "期末资产规模": ["(12)", "y", "5"],
        }
    )

    with pytest.raises(RowValidationError) as raised:
        CleanMoney(["期初资产规模", "期末资产规模"]).execute(data, context)

    assert raised.value.valid["期初资产规模"].tolist()[0] == 1234.5
    assert raised.value.valid["期末资产规模"].tolist() == [-12.0, 5.0]
    assert raised.value.rejected[["source_row", "column", "reason"]].values.tolist() == [
        [3, "期初资产规模", "期初资产规模 'x' is not an amount"],
        [3, "期末资产规模", "期末资产规模 'y' is not an amount"],
    ]


def test_clean_money_passes_clean_data_through(context: PipelineContext) -> None:
    data = pd.DataFrame({"供款": ["1,000", None]})

    cleaned = CleanMoney(["供款"]).execute(data, context)

    assert cleaned["供款"].iloc[0] == 1000.0
    assert pd.isna(cleaned["供款"].iloc[1])


def test_clean_rate_divides_percentages(context: PipelineContext) -> None:
    data = pd.DataFrame({"当期收益率": ["5.09%", "0.0509", "abc"]})

    cleaned = CleanRate(["当期收益率"], reject_invalid=False).execute(data, context)

    assert cleaned["当期收益率"].tolist()[:2] == [Decimal("0.0509"), Decimal("0.0509")]
    with pytest.raises(RowValidationError, match="1 row"):
        CleanRate(["当期收益率"]).execute(data, context)


def test_normalise_names_into_a_target(context: PipelineContext) -> None:
    data = pd.DataFrame({"客户名称": [" 中国平安（已转出）", "null"]})

    named = NormaliseNames("客户名称", target="name_key").execute(data, context)

    assert named["name_key"].tolist()[0] == "中国平安"
    assert pd.isna(named["name_key"].iloc[1])
    assert named["客户名称"].tolist() == [" 中国平安（已转出）", "null"]


def test_parse_month_rejects_an_impossible_day_quoting_it(context: PipelineContext) -> None:
    data = pd.DataFrame({SOURCE_ROW_COLUMN: [2, 3], "月度": ["2024/11/30", "2024/11/31"]})

    with pytest.raises(RowValidationError) as raised:
        ParseMonth("月度").execute(data, context)

    assert raised.value.valid["月度"].tolist() == [pd.Timestamp("2024-11-01")]
    assert raised.value.rejected["source_row"].tolist() == [3]
    assert raised.value.rejected["reason"].tolist() == ["月度 '2024/11/31' is not a month"]
