"""ParseMonth(reject_after_run_month=True): months after the month of the run are rejected."""

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from work_data_hub.domain.columns import SOURCE_ROW_COLUMN
from work_data_hub.domain.pipelines import PipelineContext, RowValidationError
from work_data_hub.domain.pipelines.types import empty_rejections
from work_data_hub.domain.steps import ParseMonth, build_step

pytestmark = pytest.mark.unit

RUN_AT = dt.datetime(2024, 12, 5, 9, 30, tzinfo=dt.UTC)
FAST = settings(max_examples=100, deadline=None)


def _context(timestamp: dt.datetime = RUN_AT) -> PipelineContext:
    return PipelineContext("test", "exec-1", timestamp)


def test_a_month_after_the_run_month_is_rejected_with_both_months_in_the_reason() -> None:
    data = pd.DataFrame(
        {
            SOURCE_ROW_COLUMN: [2, 3, 4, 5, 6],
            "月度": ["2024年12月", "2025-01", "202411", None, "２０３０年１２月"],
        }
    )

    with pytest.raises(RowValidationError) as raised:
        ParseMonth("月度", reject_after_run_month=True).execute(data, _context())

    valid, rejected = raised.value.valid, raised.value.rejected
    assert valid[SOURCE_ROW_COLUMN].tolist() == [2, 4, 5]
    assert valid["月度"].iloc[0] == pd.Timestamp("2024-12-01")
    assert rejected["source_row"].tolist() == [3, 6]
    assert rejected["column"].tolist() == ["月度", "月度"]
    assert rejected["reason"].tolist() == [
        "月度 2025-01 is after the run month 2024-12",
        "月度 2030-12 is after the run month 2024-12",
    ]
    assert rejected["raw"].iloc[0] == {"月度": "2025-01"}


def test_unreadable_and_future_months_are_both_rejected_in_row_order() -> None:
    data = pd.DataFrame({SOURCE_ROW_COLUMN: [2, 3, 4], "月度": ["2026-01", "abc", "202401"]})

    with pytest.raises(RowValidationError) as raised:
        ParseMonth("月度", target="month", reject_after_run_month=True).execute(data, _context())

    assert raised.value.rejected["reason"].tolist() == [
        "月度 2026-01 is after the run month 2024-12",
        "月度 'abc' is not a month",
    ]
    assert raised.value.valid["month"].tolist() == [pd.Timestamp("2024-01-01")]


def test_future_months_pass_unless_asked_for_and_the_run_time_zone_does_not_matter() -> None:
    data = pd.DataFrame({"月度": ["2025-01"]})
    naive_new_year = _context(dt.datetime(2025, 1, 1, 0, 0))

    assert ParseMonth("月度").execute(data, _context())["月度"].iloc[0] == pd.Timestamp("2025-01")
    parsed = ParseMonth("月度", reject_after_run_month=True).execute(data, naive_new_year)
    assert parsed["月度"].iloc[0] == pd.Timestamp("2025-01-01")


def test_the_option_can_be_declared_as_data() -> None:
    step = build_step({"step": "parse_month", "column": "月度", "reject_after_run_month": True})

    assert step == ParseMonth("月度", reject_after_run_month=True)


MONTHS = st.dates(dt.date(1998, 1, 1), dt.date(2032, 12, 31)).map(lambda day: day.strftime("%Y%m"))
CELLS = st.none() | MONTHS | st.sampled_from(["abc", "", "2024年13月"])


@FAST
@given(
    cells=st.lists(CELLS, max_size=30),
    run_at=st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2031, 12, 31)),
)
def test_rows_are_conserved_and_split_exactly_at_the_run_month(
    cells: list[str | None], run_at: dt.datetime
) -> None:
    data = pd.DataFrame({SOURCE_ROW_COLUMN: range(2, len(cells) + 2), "月度": cells}, dtype=object)
    before = data.copy()
    run_month = pd.Timestamp(run_at.year, run_at.month, 1)
    step = ParseMonth("月度", reject_after_run_month=True)

    try:
        valid, rejected = step.execute(data, _context(run_at)), empty_rejections()
    except RowValidationError as rejection:
        valid, rejected = rejection.valid, rejection.rejected

    pd.testing.assert_frame_equal(data, before)
    assert len(valid) + rejected["source_row"].nunique() == len(data)
    assert not (valid["月度"] > run_month).any()
    future = rejected[rejected["reason"].str.contains("is after the run month", regex=False)]
    future_months = pd.to_datetime(
        data.set_index(SOURCE_ROW_COLUMN).loc[future["source_row"], "月度"], format="%Y%m"
    )
    assert (future_months > run_month).all()
