"""Story 1.10: collect mode, skipped steps, per-step metrics, whitelisted retries with backoff."""

import importlib
from collections.abc import MutableMapping
from typing import Any

import pandas as pd
import pytest
from pipeline_fakes import (
    AddColumn,
    Failing,
    FakeSleep,
    Flaky,
    NetworkTimeout,
    RejectNegative,
    Skipping,
    amounts,
)
from work_data_hub.domain.pipelines import (
    REJECTION_COLUMNS,
    Pipeline,
    PipelineConfig,
    PipelineContext,
    RowValidationError,
    TransformStep,
)

pytestmark = pytest.mark.unit

# Imported by name: psycopg2 ships no type stubs.
psycopg2 = importlib.import_module("psycopg2")

COLLECT = PipelineConfig(stop_on_error=False)


def test_collect_mode_keeps_90_valid_rows_and_10_rejections_with_reasons(
    context: PipelineContext,
) -> None:
    data = amounts(100, negative_every=10)

    result = Pipeline("p", [RejectNegative(), AddColumn("checked", True)], COLLECT).run(
        data, context
    )

    assert result.success
    assert len(result.output_data) == 90
    assert result.output_data["checked"].all()
    assert len(result.rejected) == 10
    assert tuple(result.rejected.columns) == REJECTION_COLUMNS
    assert result.rejected["reason"].str.endswith("is below 0").all()
    assert sorted(result.rejected["source_row"]) == [i + 1 for i in range(10, 101, 10)]
    assert result.metrics["rows_rejected"] == 10
    assert result.step_metrics[0].rows_rejected == 10


def test_stop_mode_fails_on_rejected_rows_but_still_reports_them(context: PipelineContext) -> None:
    result = Pipeline("p", [RejectNegative(), AddColumn("never", 1)]).run(
        amounts(100, negative_every=10), context
    )

    assert not result.success
    assert result.errors[0].error_type == "RowValidationError"
    assert result.errors[0].step_name == "validate_amount"
    assert len(result.rejected) == 10
    assert len(result.step_metrics) == 1


def test_collect_mode_still_stops_on_an_error_no_row_can_be_blamed_for(
    context: PipelineContext,
) -> None:
    result = Pipeline("p", [Failing(ValueError("broken")), AddColumn("never", 1)], COLLECT).run(
        amounts(5), context
    )

    assert not result.success
    assert result.errors[0].step_index == 0
    assert len(result.step_metrics) == 1


def test_a_skipped_optional_step_logs_a_warning_and_the_run_continues(
    context: PipelineContext, log_events: list[MutableMapping[str, Any]]
) -> None:
    steps: list[TransformStep] = [AddColumn("a", 1), Skipping(), AddColumn("b", 2)]
    pipeline = Pipeline("p", steps)

    result = pipeline.run(amounts(3), context)

    assert result.success
    assert list(result.output_data.columns) == ["wdh_source_row", "amount", "a", "b"]
    [warning] = [e for e in log_events if e["event"] == "step_skipped"]
    assert warning["log_level"] == "warning"
    assert warning["step"] == "optional_enrichment"
    assert warning["reason"] == "enrichment service down"
    assert [m.status for m in result.step_metrics] == ["ok", "skipped", "ok"]


def test_per_step_metrics_cover_duration_rows_and_memory(context: PipelineContext) -> None:
    result = Pipeline("p", [RejectNegative()], COLLECT).run(amounts(20, negative_every=5), context)

    [metrics] = result.step_metrics
    assert metrics.duration_ms >= 0
    assert (metrics.rows_in, metrics.rows_out, metrics.rows_rejected) == (20, 16, 4)
    assert isinstance(metrics.memory_delta_bytes, int)
    assert result.metrics["steps"][0]["memory_delta_bytes"] == metrics.memory_delta_bytes
    assert result.metrics["steps"][0]["rows_out"] == 16


def test_a_transient_error_is_retried_and_the_seed_line_is_logged(
    context: PipelineContext, fake_sleep: FakeSleep, log_events: list[MutableMapping[str, Any]]
) -> None:
    step = Flaky([NetworkTimeout("read timed out"), NetworkTimeout("read timed out")])
    pipeline = Pipeline("p", [step], PipelineConfig(max_retries=3), sleep=fake_sleep)

    result = pipeline.run(amounts(3), context)

    assert result.success
    assert result.output_data["enriched"].all()
    assert step.calls == 3
    assert fake_sleep.delays == [1.0, 2.0]
    retries = [e for e in log_events if e["event"] == "step_retry"]
    assert [(e["step"], e["attempt"], e["error_type"], e["delay_s"]) for e in retries] == [
        ("enrich_data", 1, "NetworkTimeout", 1.0),
        ("enrich_data", 2, "NetworkTimeout", 2.0),
    ]
    assert "Step 'enrich_data' succeeded on retry 2/3 after NetworkTimeout" in [
        e["event"] for e in log_events
    ]
    assert result.step_metrics[0].retries == 2


def test_backoff_doubles_from_the_configured_base(
    context: PipelineContext, fake_sleep: FakeSleep
) -> None:
    errors: list[Exception] = [ConnectionResetError(), ConnectionResetError(), TimeoutError()]
    config = PipelineConfig(max_retries=3, backoff_base_s=0.5)

    result = Pipeline("p", [Flaky(errors)], config, sleep=fake_sleep).run(amounts(1), context)

    assert result.success
    assert fake_sleep.delays == [0.5, 1.0, 2.0]


def test_retries_give_up_after_max_retries(context: PipelineContext, fake_sleep: FakeSleep) -> None:
    step = Flaky([psycopg2.OperationalError("server closed the connection")] * 4)

    result = Pipeline("p", [step], PipelineConfig(max_retries=3), sleep=fake_sleep).run(
        amounts(1), context
    )

    assert not result.success
    assert step.calls == 4
    assert result.errors[0].error_type == "OperationalError"
    assert result.step_metrics[0].retries == 3
    assert fake_sleep.delays == [1.0, 2.0, 4.0]


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bad"),
        KeyError("x"),
        psycopg2.IntegrityError("duplicate key"),
        RowValidationError(pd.DataFrame(), pd.DataFrame({"reason": ["r"]})),
    ],
)
def test_data_errors_are_never_retried(
    context: PipelineContext, fake_sleep: FakeSleep, error: Exception
) -> None:
    step = Flaky([error])

    result = Pipeline("p", [step], sleep=fake_sleep).run(amounts(1), context)

    assert not result.success
    assert step.calls == 1
    assert fake_sleep.delays == []


def test_max_retries_zero_disables_retries(context: PipelineContext, fake_sleep: FakeSleep) -> None:
    step = Flaky([TimeoutError()])

    result = Pipeline("p", [step], PipelineConfig(max_retries=0), sleep=fake_sleep).run(
        amounts(1), context
    )

    assert not result.success
    assert step.calls == 1


def test_config_refuses_negative_retries_and_backoff() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        PipelineConfig(max_retries=-1)
    with pytest.raises(ValueError, match="backoff_base_s"):
        PipelineConfig(backoff_base_s=-0.1)


def test_rejections_from_several_steps_accumulate(context: PipelineContext) -> None:
    steps: list[TransformStep] = [
        RejectNegative(),
        AddColumn("amount", -1.0, name="negate"),
        RejectNegative(),
    ]
    result = Pipeline("p", steps, COLLECT).run(amounts(4, negative_every=2), context)

    assert result.success
    assert result.output_data.empty
    assert len(result.rejected) == 4
    assert result.metrics["rows_rejected"] == 4


def test_stop_and_collect_agree_when_nothing_is_rejected(context: PipelineContext) -> None:
    steps: list[TransformStep] = [RejectNegative(), AddColumn("a", 1)]
    stop = Pipeline("p", steps).run(amounts(10), context)
    collect = Pipeline("p", steps, COLLECT).run(amounts(10), context)

    assert stop.success
    assert collect.success
    pd.testing.assert_frame_equal(stop.output_data, collect.output_data)
