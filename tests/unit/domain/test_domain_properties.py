"""Properties of the generic steps and the pipeline: inputs untouched, rows conserved,
composition equals applying the steps in order, collect and stop modes agree on valid data."""

from collections.abc import Callable
from functools import reduce

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pipeline_fakes import Apply, RejectNegative
from work_data_hub.domain.columns import SOURCE_ROW_COLUMN, Column
from work_data_hub.domain.pipelines import (
    Pipeline,
    PipelineConfig,
    PipelineContext,
    RowValidationError,
    TransformStep,
    new_context,
)
from work_data_hub.domain.pipelines.types import rows_independent
from work_data_hub.domain.steps import (
    CleanMoney,
    CleanRate,
    CopyColumn,
    DeriveColumn,
    DropColumns,
    FillDefault,
    MapValues,
    NormaliseNames,
    ParseMonth,
    RenameColumns,
    ReplaceValues,
    StripPrefix,
    ValidateSchema,
)

pytestmark = pytest.mark.unit

FAST = settings(max_examples=100, deadline=None)
CONTEXT = new_context("properties")

CELLS = (
    st.none()
    | st.sampled_from(
        [
            "",
            " ",
            "null",
            "abc",
            "202411",
            "2024年11月",
            "1,234.5",
            "5%",
            "P0001",
            "(12)",
            "中国平安(北京)",
        ]
    )
    | st.text(max_size=6)
)
COLUMNS = ("月度", "计划代码", "期末资产规模", "当期收益率", "客户名称")


@st.composite
def raw_frames(draw: st.DrawFn) -> pd.DataFrame:
    """Text frames as a reader returns them: the annuity columns plus unique source rows."""
    rows = draw(st.integers(0, 12))
    data: dict[str, list[object]] = {SOURCE_ROW_COLUMN: list(range(2, rows + 2))}
    for column in COLUMNS:
        data[column] = draw(st.lists(CELLS, min_size=rows, max_size=rows))
    return pd.DataFrame(data).astype({column: "str" for column in COLUMNS})


SCHEMA = (
    Column("月度", "date", nullable=False),
    Column("计划代码", nullable=False, max_length=6),
    Column("期末资产规模", "decimal", ge=0),
    Column("当期收益率", "decimal", precision=10, scale=6, ge=-1, le=10),
    Column("客户名称", max_length=8),
)

STEPS: list[TransformStep] = [
    RenameColumns({"客户名称": "客户名称", "计划号": "计划代码"}),
    CopyColumn("客户名称", "年金账户名"),
    DeriveColumn("产品线", source="计划代码", mapping={"P0001": "PL201"}, default="PL301"),
    DeriveColumn("len", func=lambda frame: frame["计划代码"].str.len()),
    DropColumns(["年金账户名"]),
    MapValues("计划代码", {"P0001": "X"}, keep_unmapped=True),
    ReplaceValues("计划代码", {"P0001": "P1"}),
    StripPrefix("计划代码", "P"),
    FillDefault("计划代码", "AN001", when={"客户名称": "abc"}),
    FillDefault("计划代码", from_column="客户名称", when={"月度": "202411"}),
    NormaliseNames("客户名称"),
    ParseMonth("月度", target="报告月", reject_invalid=False, reject_after_run_month=True),
    ParseMonth("月度"),
    CleanMoney(["期末资产规模"]),
    CleanRate(["当期收益率"]),
    ValidateSchema(SCHEMA),
]
"""Every generic step, configured for the generated frames, in an order that runs as a chain."""


def _run(step: TransformStep, data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Return (output or valid rows, rejected rows or None)."""
    try:
        output = step.execute(data, CONTEXT)
    except RowValidationError as rejection:
        return rejection.valid, rejection.rejected
    assert isinstance(output, pd.DataFrame)
    return output, None


@FAST
@given(raw_frames(), st.sampled_from(STEPS))
def test_no_step_mutates_its_input(data: pd.DataFrame, step: TransformStep) -> None:
    before = data.copy(deep=True)

    _run(step, data)

    pd.testing.assert_frame_equal(data, before)


@FAST
@given(
    raw_frames(),
    st.sampled_from(
        [s for s in STEPS if isinstance(s, ParseMonth | CleanMoney | CleanRate | ValidateSchema)]
    ),
)
def test_rejecting_steps_conserve_rows_and_give_reasons(
    data: pd.DataFrame, step: TransformStep
) -> None:
    valid, rejected = _run(step, data)

    rejected_rows = set() if rejected is None else set(rejected["source_row"])
    assert len(valid) + len(rejected_rows) == len(data)
    assert rejected_rows.isdisjoint(valid[SOURCE_ROW_COLUMN])
    assert set(valid[SOURCE_ROW_COLUMN]) | rejected_rows == set(data[SOURCE_ROW_COLUMN])
    if rejected is not None:
        assert rejected["reason"].map(lambda reason: isinstance(reason, str) and reason != "").all()
        assert set(rejected["column"]) <= set(COLUMNS)
        assert rejected["raw"].map(lambda raw: all(isinstance(v, str) for v in raw.values())).all()


@settings(max_examples=30, deadline=None)
@given(raw_frames())
def test_lineage_survives_every_step(data: pd.DataFrame) -> None:
    """Fewer examples: each one runs the whole chain of steps."""
    for step in STEPS:
        data, _ = _run(step, data)
        assert SOURCE_ROW_COLUMN in data.columns, step.name


FRAME_FUNCTIONS: list[Callable[[pd.DataFrame], pd.DataFrame]] = [
    lambda frame: frame.assign(amount=frame["amount"] * 2),
    lambda frame: frame.assign(amount=frame["amount"] - 3),
    lambda frame: frame[frame["amount"] % 2 == 0],
    lambda frame: frame.assign(flag=frame["amount"] > 0),
    lambda frame: frame.iloc[::-1],
    lambda frame: frame.head(5),
]

AMOUNT_FRAMES = st.lists(st.integers(-50, 50), max_size=15).map(
    lambda values: pd.DataFrame(
        {SOURCE_ROW_COLUMN: range(2, len(values) + 2), "amount": [float(v) for v in values]}
    )
)


@FAST
@given(AMOUNT_FRAMES, st.lists(st.sampled_from(range(len(FRAME_FUNCTIONS))), max_size=6))
def test_a_pipeline_equals_applying_its_steps_in_order(
    data: pd.DataFrame, choices: list[int]
) -> None:
    functions = [FRAME_FUNCTIONS[choice] for choice in choices]
    steps = [Apply(function, name=f"f{i}") for i, function in enumerate(functions)]

    result = Pipeline("composed", steps).run(data, CONTEXT)

    pd.testing.assert_frame_equal(
        result.output_data, reduce(lambda frame, f: f(frame), functions, data)
    )


@FAST
@given(AMOUNT_FRAMES, st.lists(st.sampled_from(range(len(FRAME_FUNCTIONS))), max_size=4))
def test_collect_and_stop_modes_agree_on_valid_data(data: pd.DataFrame, choices: list[int]) -> None:
    valid_data = data.assign(amount=data["amount"].abs())
    steps: list[TransformStep] = [RejectNegative()]
    steps += [Apply(FRAME_FUNCTIONS[c], name=f"f{i}") for i, c in enumerate(choices) if c != 1]

    stop = Pipeline("p", steps).run(valid_data, CONTEXT)
    collect = Pipeline("p", steps, PipelineConfig(stop_on_error=False)).run(valid_data, CONTEXT)

    assert stop.success
    assert collect.success
    pd.testing.assert_frame_equal(stop.output_data, collect.output_data)
    assert collect.rejected.empty


@FAST
@given(AMOUNT_FRAMES)
def test_collect_mode_conserves_rows_and_never_touches_the_input(data: pd.DataFrame) -> None:
    before = data.copy(deep=True)
    context = PipelineContext("p", "e", CONTEXT.timestamp)

    result = Pipeline("p", [RejectNegative()], PipelineConfig(stop_on_error=False)).run(
        data, context
    )

    pd.testing.assert_frame_equal(data, before)
    assert len(result.output_data) + result.rejected["source_row"].nunique() == len(data)
    assert (result.output_data["amount"] >= 0).all()


def _chunked(steps: list[TransformStep], chunk_rows: int) -> Pipeline:
    config = PipelineConfig(stop_on_error=False, chunk_rows=chunk_rows)
    return Pipeline("chunked", steps, config)


def _rejections(rejected: pd.DataFrame) -> list[tuple[object, ...]]:
    return sorted(
        (int(row), str(column), str(reason))
        for row, column, reason in rejected[["source_row", "column", "reason"]].itertuples(
            index=False
        )
    )


def test_each_generic_step_but_a_frame_function_declares_its_rows_independent() -> None:
    frame_functions = [s for s in STEPS if isinstance(s, DeriveColumn) and s.func is not None]

    assert [s for s in STEPS if not rows_independent(s)] == frame_functions


@FAST
@given(raw_frames(), st.integers(1, 5))
def test_rows_independent_steps_give_the_same_rows_in_chunks(
    data: pd.DataFrame, chunk_rows: int
) -> None:
    steps = [step for step in STEPS if rows_independent(step)]
    whole = Pipeline("whole", steps, PipelineConfig(stop_on_error=False)).run(data, CONTEXT)

    chunked = _chunked(steps, chunk_rows).run(data, CONTEXT)

    pd.testing.assert_frame_equal(chunked.output_data, whole.output_data)
    assert _rejections(chunked.rejected) == _rejections(whole.rejected)
    assert [m.rows_out for m in chunked.step_metrics] == [m.rows_out for m in whole.step_metrics]
    assert [m.rows_in for m in chunked.step_metrics] == [m.rows_in for m in whole.step_metrics]


@FAST
@given(AMOUNT_FRAMES, st.integers(1, 4))
def test_a_step_that_sees_other_rows_ends_the_chunked_steps(
    data: pd.DataFrame, chunk_rows: int
) -> None:
    """``head(5)`` keeps five rows of the whole frame, not five of every chunk."""
    steps: list[TransformStep] = [
        RejectNegative(rows_independent=True),
        Apply(FRAME_FUNCTIONS[5], name="first_five"),
        RejectNegative(rows_independent=True),
    ]
    whole = Pipeline("whole", steps, PipelineConfig(stop_on_error=False)).run(data, CONTEXT)

    chunked = _chunked(steps, chunk_rows).run(data, CONTEXT)

    pd.testing.assert_frame_equal(chunked.output_data, whole.output_data)
    assert _rejections(chunked.rejected) == _rejections(whole.rejected)


@FAST
@given(
    st.integers(1, 38).flatmap(
        lambda precision: st.tuples(st.just(precision), st.integers(0, precision))
    ),
    st.data(),
)
def test_validated_decimals_keep_their_exact_values(
    declared: tuple[int, int], data: st.DataObject
) -> None:
    """Whatever fits decimal(precision, scale) comes out of the schema step as the same number."""
    precision, scale = declared
    limit = 10 ** (precision - scale) - 1
    numbers = data.draw(
        st.lists(
            st.none()
            | st.decimals(
                min_value=-limit,
                max_value=limit,
                places=scale,
                allow_nan=False,
                allow_infinity=False,
            ),
            max_size=8,
        )
    )
    column = Column("金额", "decimal", precision=precision, scale=scale)
    frame = pd.DataFrame(
        {
            SOURCE_ROW_COLUMN: range(2, len(numbers) + 2),
            "金额": [None if n is None else str(n) for n in numbers],
        }
    ).astype({"金额": "str"})

    valid, rejected = _run(ValidateSchema([column]), frame)

    assert rejected is None
    assert [None if pd.isna(v) else v for v in valid["金额"].tolist()] == numbers
