"""KeepRunMonth and NormaliseKeyText: a run touches its own month only, a key has one spelling."""

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from work_data_hub.domain.columns import SOURCE_ROW_COLUMN
from work_data_hub.domain.pipelines import PipelineContext, RowValidationError
from work_data_hub.domain.steps import (
    KeepRunMonth,
    NormaliseKeyText,
    OtherMonthRows,
    build_step,
    key_text,
)

pytestmark = pytest.mark.unit

RUN_AT = dt.datetime(2024, 12, 5, 9, 30, tzinfo=dt.UTC)
NOVEMBER = dt.date(2024, 11, 1)
FAST = settings(max_examples=100, deadline=None)


def _context(run_month: dt.date | None = NOVEMBER) -> PipelineContext:
    return PipelineContext("test", "exec-1", RUN_AT, run_month=run_month)


def _months(*months: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            SOURCE_ROW_COLUMN: range(2, 2 + len(months)),
            "月度": pd.to_datetime(list(months)).astype("datetime64[us]"),
        }
    )


def test_rows_of_other_months_are_rejected_naming_both_months() -> None:
    data = _months("2024-11-01", "2024-10-01", "2024-11-01", "2025-06-01")

    with pytest.raises(RowValidationError) as raised:
        KeepRunMonth("月度").execute(data, _context())

    assert raised.value.valid[SOURCE_ROW_COLUMN].tolist() == [2, 4]
    rejected = raised.value.rejected
    assert rejected["source_row"].tolist() == [3, 5]
    assert rejected["column"].tolist() == ["月度", "月度"]
    assert rejected["reason"].tolist() == [
        "月度 2024-10 is not the run month 2024-11",
        "月度 2025-06 is not the run month 2024-11",
    ]


def test_a_file_of_the_run_month_passes_unchanged() -> None:
    data = _months("2024-11-01", "2024-11-01")

    assert KeepRunMonth("月度").execute(data, _context()) is data


def test_the_refuse_policy_refuses_the_file_naming_each_month_and_its_first_row() -> None:
    data = _months("2024-11-01", "2024-10-01", "2024-10-01", "2025-06-01")

    with pytest.raises(OtherMonthRows) as raised:
        KeepRunMonth("月度", other_months="refuse").execute(data, _context())

    assert str(raised.value) == (
        "column '月度' holds rows of other months than the run month 2024-11 "
        "(2024-10: 2 row(s), first row 3; 2025-06: 1 row(s), first row 5); "
        "the domain refuses such files"
    )


def test_without_a_run_month_the_month_of_most_rows_is_the_run_month() -> None:
    data = _months("2024-11-01", "2024-10-01", "2024-11-01")

    with pytest.raises(RowValidationError) as raised:
        KeepRunMonth("月度").execute(data, _context(run_month=None))

    assert raised.value.rejected["reason"].tolist() == ["月度 2024-10 is not the run month 2024-11"]


def test_an_even_split_between_months_without_a_run_month_refuses_the_file() -> None:
    data = _months("2024-11-01", "2024-10-01")

    with pytest.raises(OtherMonthRows, match=r"2024-10 \(1 rows\), 2024-11 \(1 rows\).*--month"):
        KeepRunMonth("月度").execute(data, _context(run_month=None))


def test_a_run_month_after_the_current_month_refuses_the_file() -> None:
    data = _months("2025-01-01")

    with pytest.raises(
        OtherMonthRows, match="run month 2025-01 is after the current month 2024-12"
    ):
        KeepRunMonth("月度").execute(data, _context(run_month=None))


@FAST
@given(
    months=st.lists(st.sampled_from(["2024-09-01", "2024-10-01", "2024-11-01"]), min_size=1),
)
def test_every_row_is_kept_or_rejected_and_every_kept_row_is_of_the_run_month(
    months: list[str],
) -> None:
    data = _months(*months)
    try:
        valid = KeepRunMonth("月度").execute(data, _context())
        rejected_rows: list[int] = []
    except RowValidationError as raised:
        valid, rejected_rows = raised.valid, raised.rejected["source_row"].tolist()

    assert set(valid["月度"]) <= {pd.Timestamp(NOVEMBER)}
    assert sorted([*valid[SOURCE_ROW_COLUMN], *rejected_rows]) == data[SOURCE_ROW_COLUMN].tolist()


def test_key_text_is_nfkc_without_invisible_edge_characters() -> None:
    spellings = [
        "企年受托",
        "企年受托 ",
        "\u200b企年受托",
        "企年受托\u3000",
        "\ufeff企年受托\u00a0",
    ]

    assert {key_text(spelling) for spelling in spellings} == {"企年受托"}
    assert key_text("ＡＢ１") == "AB1"
    assert key_text("企年 受托") == "企年 受托"


def test_normalise_key_text_gives_one_spelling_and_skips_absent_columns() -> None:
    data = pd.DataFrame({"业务类型": ["企年受托 ", "企年受托", None], "other": [" x ", "y", "z"]})

    output = NormaliseKeyText(["业务类型", "计划类型"]).execute(data, _context())

    assert output["业务类型"].tolist()[:2] == ["企年受托", "企年受托"]
    assert output["业务类型"].isna().tolist() == [False, False, True]
    assert output["other"].tolist() == [" x ", "y", "z"]


@FAST
@given(text=st.text())
def test_key_text_is_idempotent(text: str) -> None:
    assert key_text(key_text(text)) == key_text(text)


def test_both_steps_can_be_declared_as_data() -> None:
    assert build_step({"step": "keep_run_month", "column": "月度"}) == KeepRunMonth("月度")
    assert build_step({"step": "normalise_key_text", "columns": ["k"]}) == NormaliseKeyText(["k"])
