"""Story 1.5: sequential steps, clear failures, metrics logged and returned."""

import json
from collections.abc import MutableMapping
from typing import Any

import pandas as pd
import pytest
from pipeline_fakes import AddColumn, Failing, FilterRows, Mutating, ReturnsWrongType, SumColumn
from work_data_hub.domain.pipelines import (
    Pipeline,
    PipelineContext,
    PipelineStepError,
    StepOutputError,
    TransformStep,
)
from work_data_hub.utils.logging import configure_logging

pytestmark = pytest.mark.unit


def _numbers() -> pd.DataFrame:
    return pd.DataFrame({"value": [1, 5, 10, 20]})


def test_three_steps_run_in_order_with_chained_outputs(context: PipelineContext) -> None:
    pipeline = (
        Pipeline("demo")
        .add_step(AddColumn("bonus", 2))
        .add_step(FilterRows("value", 5))
        .add_step(SumColumn("value"))
    )

    result = pipeline.run(_numbers(), context)

    assert result.success
    assert result.errors == []
    pd.testing.assert_frame_equal(result.output_data, pd.DataFrame({"sum_value": [35]}))
    assert [m.step_name for m in result.step_metrics] == [
        "add_field",
        "filter_rows",
        "calculate_sum",
    ]
    assert [(m.rows_in, m.rows_out) for m in result.step_metrics] == [(4, 4), (4, 3), (3, 1)]
    assert result.metrics["step_count"] == 3
    assert result.metrics["duration_ms"] >= 0
    assert result.rejected.empty


def test_add_step_returns_the_pipeline_and_keeps_the_order() -> None:
    first, second = AddColumn("a", 1, name="first"), AddColumn("b", 2, name="second")
    pipeline = Pipeline("p", [first])

    assert pipeline.add_step(second) is pipeline
    assert pipeline.steps == (first, second)


def test_add_step_refuses_an_object_that_is_not_a_step() -> None:
    with pytest.raises(TypeError, match="is not a TransformStep"):
        Pipeline("p").add_step(object())  # type: ignore[arg-type]


def test_generic_steps_satisfy_the_protocol() -> None:
    assert isinstance(AddColumn("a", 1), TransformStep)


def test_a_failing_step_stops_the_run_and_names_step_index_and_cause(
    context: PipelineContext,
) -> None:
    after = AddColumn("never", 1, name="after")
    pipeline = Pipeline("p", [AddColumn("a", 1), Failing(ValueError("bad value")), after])

    result = pipeline.run(_numbers(), context)

    assert not result.success
    [error] = result.errors
    assert (error.step_name, error.step_index, error.error_type) == ("failing", 1, "ValueError")
    assert error.message == "Step 'failing' (index 1) failed: ValueError: bad value"
    assert isinstance(error.exception, ValueError)
    assert [m.step_name for m in result.step_metrics] == ["add_field", "failing"]
    assert result.step_metrics[-1].status == "failed"
    assert "never" not in result.output_data.columns


def test_raise_on_error_raises_with_step_index_and_original_exception(
    context: PipelineContext,
) -> None:
    cause = KeyError("plan_code")
    pipeline = Pipeline("p", [AddColumn("a", 1), AddColumn("b", 2), Failing(cause, name="lookup")])

    with pytest.raises(PipelineStepError) as raised:
        pipeline.run(_numbers(), context, raise_on_error=True)

    error = raised.value
    assert (error.step_name, error.step_index) == ("lookup", 2)
    assert error.cause is cause
    assert error.__cause__ is cause
    assert "Step 'lookup' (index 2) failed: KeyError" in str(error)
    assert error.result.success is False


def test_metrics_are_logged_and_returned(
    context: PipelineContext, log_events: list[MutableMapping[str, Any]]
) -> None:
    result = Pipeline("p", [AddColumn("a", 1), AddColumn("b", 2)]).run(_numbers(), context)

    [finished] = [e for e in log_events if e["event"] == "pipeline_finished"]
    assert finished["step_count"] == 2
    assert finished["duration_ms"] == result.metrics["duration_ms"]
    assert finished["execution_id"] == "exec-1"
    assert [e["step"] for e in log_events if e["event"] == "step_finished"] == [
        "add_field",
        "add_field",
    ]


def test_the_summary_line_is_json_on_stdout(
    context: PipelineContext, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(force=True)
    Pipeline("json_demo", [AddColumn("a", 1)]).run(_numbers(), context)

    lines = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")
    ]
    [summary] = [line for line in lines if line["message"] == "pipeline_finished"]
    assert summary["context"]["step_count"] == 1
    assert summary["context"]["pipeline"] == "json_demo"
    assert isinstance(summary["context"]["duration_ms"], float)


def test_a_run_without_context_gets_a_fresh_one() -> None:
    first = Pipeline("p").run(_numbers())
    second = Pipeline("p").run(_numbers())

    assert first.metrics["pipeline"] == "p"
    assert first.metrics["execution_id"] != second.metrics["execution_id"]


def test_a_step_writing_into_its_input_cannot_change_the_callers_frame(
    context: PipelineContext,
) -> None:
    original = pd.DataFrame({"amount": [1.0, 2.0]})
    before = original.copy(deep=True)

    result = Pipeline("p", [Mutating()]).run(original, context)

    assert result.success
    pd.testing.assert_frame_equal(original, before)
    assert context.config == {"nested": {"key": [1, 2]}}
    assert result.output_data["added"].tolist() == [1, 1]


def test_a_step_returning_something_else_fails_clearly(context: PipelineContext) -> None:
    result = Pipeline("p", [ReturnsWrongType()]).run(_numbers(), context)

    [error] = result.errors
    assert isinstance(error.exception, StepOutputError)
    assert "returned int, expected a DataFrame or StepSkipped" in error.message


def test_an_empty_pipeline_returns_its_input(context: PipelineContext) -> None:
    data = _numbers()
    result = Pipeline("p").run(data, context)

    assert result.success
    pd.testing.assert_frame_equal(result.output_data, data)
    assert result.metrics["step_count"] == 0
