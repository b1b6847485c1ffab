"""A pipeline with ``chunk_rows``: its leading rows-independent steps run on the rows in chunks."""

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest
from pipeline_fakes import RejectNegative, amounts
from work_data_hub.domain.pipelines import (
    Pipeline,
    PipelineConfig,
    PipelineContext,
    PipelineStepError,
    StepMetrics,
)
from work_data_hub.domain.pipelines.chunks import chunked_steps, merged_metrics
from work_data_hub.domain.steps import FillDown, ParseMonth, ValidateSchema

pytestmark = pytest.mark.unit


@dataclass
class RecordChunks:
    """Rows-independent: records the size of every frame it is given, returns it unchanged."""

    sizes: list[int]
    name: str = "record_chunks"
    rows_independent: bool = True

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        self.sizes.append(len(data))
        return data


@dataclass(frozen=True)
class FailOnRow:
    """Rows-independent; raises when its input holds source row ``row``."""

    row: int
    name: str = "fail_on_row"
    rows_independent: bool = True

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        if (data["wdh_source_row"] == self.row).any():
            raise ValueError(f"row {self.row} cannot be processed")
        return data


def _config(chunk_rows: int | None) -> PipelineConfig:
    return PipelineConfig(stop_on_error=False, chunk_rows=chunk_rows)


def test_the_leading_rows_independent_steps_see_chunks_and_the_rest_sees_every_row(
    context: PipelineContext,
) -> None:
    before, after = RecordChunks([]), RecordChunks([])
    steps = [before, FillDown(["amount"]), after]

    result = Pipeline("p", steps, _config(4)).run(amounts(10), context)

    assert before.sizes == [4, 4, 2]
    assert after.sizes == [10]
    assert len(result.output_data) == 10


def test_a_frame_no_larger_than_a_chunk_runs_whole(context: PipelineContext) -> None:
    step = RecordChunks([])

    Pipeline("p", [step], _config(10)).run(amounts(10), context)

    assert step.sizes == [10]


def test_metrics_cover_every_chunk_of_a_step(context: PipelineContext) -> None:
    data = amounts(10, negative_every=3)
    steps = [RejectNegative(rows_independent=True)]

    result = Pipeline("p", steps, _config(4)).run(data, context)

    [metrics] = result.step_metrics
    assert (metrics.rows_in, metrics.rows_out, metrics.rows_rejected) == (10, 7, 3)
    assert result.metrics["rows_in"] == 10
    assert result.metrics["rows_rejected"] == 3
    assert sorted(result.rejected["source_row"]) == sorted(
        data.loc[data["amount"] < 0, "wdh_source_row"]
    )


def test_a_step_failing_in_a_later_chunk_names_the_step_and_keeps_earlier_rejections(
    context: PipelineContext,
) -> None:
    data = amounts(10, negative_every=3)
    failing_row = int(data["wdh_source_row"].iloc[9])
    steps = [RejectNegative(rows_independent=True), FailOnRow(failing_row)]

    with pytest.raises(PipelineStepError) as raised:
        Pipeline("p", steps, _config(4)).run(data, context, raise_on_error=True)

    assert raised.value.step_name == "fail_on_row"
    assert raised.value.step_index == 1
    assert str(failing_row) in str(raised.value.cause)
    assert not raised.value.result.success
    assert len(raised.value.result.rejected) == 3


def test_chunked_steps_counts_the_leading_rows_independent_steps() -> None:
    steps = [ParseMonth("月度"), ValidateSchema([]), FillDown(["a"]), ParseMonth("月度")]

    assert chunked_steps(steps, rows=100, chunk_rows=10) == 2
    assert chunked_steps(steps, rows=10, chunk_rows=10) == 0
    assert chunked_steps(steps, rows=100, chunk_rows=None) == 0
    assert chunked_steps([FillDown(["a"]), *steps], rows=100, chunk_rows=10) == 0


def test_merged_metrics_sum_times_and_rows_and_keep_the_worst_status() -> None:
    first = [StepMetrics("a", 0, "ok", 1.5, 4, 3, 1, 0, 10), StepMetrics("b", 1, "ok", 2.0, 3, 3)]
    second = [
        StepMetrics("a", 0, "ok", 0.5, 2, 2, 0, 1, 30),
        StepMetrics("b", 1, "skipped", 1.0, 2, 2),
    ]

    merged = merged_metrics([first, second])

    assert merged == [
        StepMetrics("a", 0, "ok", 2.0, 6, 5, 1, 1, 30),
        StepMetrics("b", 1, "skipped", 3.0, 5, 5),
    ]


def test_chunk_rows_must_be_positive() -> None:
    with pytest.raises(ValueError, match="chunk_rows"):
        PipelineConfig(chunk_rows=0)


def test_stop_mode_runs_whole_so_the_first_rejecting_step_names_every_failing_row(
    context: PipelineContext,
) -> None:
    step = RecordChunks([])
    steps = [step, RejectNegative(rows_independent=True)]

    result = Pipeline("p", steps, PipelineConfig(chunk_rows=4)).run(
        amounts(10, negative_every=3), context
    )

    assert step.sizes == [10]
    assert not result.success
    assert len(result.rejected) == 3


def test_after_a_failing_chunk_no_later_step_is_reported(context: PipelineContext) -> None:
    data = amounts(10)
    steps = [RecordChunks([]), FailOnRow(int(data["wdh_source_row"].iloc[9])), RecordChunks([])]

    result = Pipeline("p", steps, _config(4)).run(data, context)

    assert [(m.step_name, m.status) for m in result.step_metrics] == [
        ("record_chunks", "ok"),
        ("fail_on_row", "failed"),
    ]
    assert result.metrics["steps_run"] == 2


def test_a_chunked_step_is_logged_once_with_its_chunks(
    context: PipelineContext, log_events: list[MutableMapping[str, Any]]
) -> None:
    steps = [RecordChunks([]), FillDown(["amount"])]

    Pipeline("p", steps, _config(4)).run(amounts(10), context)

    finished = [e for e in log_events if e["event"] == "step_finished"]
    assert [(e["step"], e.get("chunks"), e["rows_in"]) for e in finished] == [
        ("record_chunks", 3, 10),
        ("fill_down", None, 10),
    ]
    assert [e["chunk"] for e in log_events if e["event"] == "chunk_finished"] == [0, 1, 2]
