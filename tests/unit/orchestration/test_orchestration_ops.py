"""The ops: which errors are retried, what a failure records, what metadata the UI gets.

``Run`` is replaced by a fake whose stages answer fixed rows, so no database is involved; the
integration tests run the same ops on the real ``Run``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg2
import pytest
import sqlalchemy.exc
from dagster import DagsterEventType, ExecuteInProcessResult, RetryPolicy, materialize
from plugin_site import Site
from work_data_hub.config import Settings
from work_data_hub.domain.readers import SourcePart
from work_data_hub.io.runs import (
    RejectThresholdExceeded,
    RunFailed,
    RunReport,
    RunRequest,
    RunState,
    TransformOutcome,
)
from work_data_hub.orchestration import ops
from work_data_hub.orchestration.assets import build_domain_asset
from work_data_hub.orchestration.definitions import build_definitions
from work_data_hub.orchestration.jobs import run_config
from work_data_hub.orchestration.ops import DomainRunConfig, should_retry
from work_data_hub.orchestration.resources import WarehouseResource
from work_data_hub.plugins.registry import DomainRegistry

pytestmark = pytest.mark.unit

FAST_RETRIES = RetryPolicy(max_retries=2)
NODE = "warehouse__orders"
"""The graph node materialising the ``orders`` asset; its steps are ``NODE.read`` and so on."""
EXECUTION_ID = "0b6a4c1e-0000-4000-8000-000000000001"


@pytest.mark.parametrize(
    "error",
    [
        ConnectionError("connection reset by peer"),
        ConnectionRefusedError("refused"),
        TimeoutError("timed out"),
        psycopg2.OperationalError("server closed the connection unexpectedly"),
        sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("server closed")),
    ],
    ids=type,
)
def test_transient_errors_are_retried_while_attempts_remain(error: Exception) -> None:
    assert should_retry(error, retry_number=0, max_retries=3)
    assert should_retry(error, retry_number=2, max_retries=3)
    assert not should_retry(error, retry_number=3, max_retries=3)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("month '2024-13' is not YYYYMM"),
        KeyError("计划代码"),
        RunFailed("file 'x.xlsx' does not exist"),
        RejectThresholdExceeded("9 of 10 rows rejected"),
        FileNotFoundError("inbox/202411"),
        sqlalchemy.exc.IntegrityError("INSERT", {}, Exception("duplicate key")),
        RuntimeError("a bug in a step"),
    ],
    ids=type,
)
def test_data_errors_and_bugs_are_never_retried(error: Exception) -> None:
    assert not should_retry(error, retry_number=0, max_retries=3)


def test_the_run_config_and_the_partition_make_the_request() -> None:
    assert DomainRunConfig().to_request("orders", "202411") == RunRequest(
        domain="orders", month="202411"
    )
    assert DomainRunConfig(file="/in/a.csv", dry_run=True, select="newest").to_request(
        "orders", "202411"
    ) == RunRequest(
        domain="orders", file=Path("/in/a.csv"), month="202411", dry_run=True, select="newest"
    )


@dataclass
class FakeService:
    """Stands in for the database behind ``Run``: records the stages run, fails on demand."""

    failures: dict[str, list[Exception]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    failed: list[tuple[str, Exception, bool]] = field(default_factory=list)

    def step(self, stage: str) -> None:
        self.calls.append(stage)
        pending = self.failures.get(stage)
        if pending:
            raise pending.pop(0)

    def run_class(self) -> type[Any]:
        """A ``Run`` whose stages answer fixed rows instead of reading and loading."""
        service = self

        class FakeRun:
            def __init__(self, state: RunState) -> None:
                self.state = state
                self.execution_id = state.execution_id

            @classmethod
            def start(cls, request: RunRequest, **_: Any) -> FakeRun:
                service.step("prepare")
                return cls(
                    RunState(
                        request=request,
                        execution_id=f"{EXECUTION_ID[:-1]}{len(service.calls)}",
                        path=Path("/inbox/202411/orders.csv"),
                        table="public.orders",
                        started_at=datetime(2026, 11, 25, tzinfo=UTC),
                    )
                )

            @classmethod
            def resume(cls, state: RunState, **_: Any) -> FakeRun:
                return cls(state)

            def read(self) -> tuple[pd.DataFrame, ...]:
                service.step("read")
                raw = (pd.DataFrame({"id": ["1", "2", "x"], "wdh_source_row": [2, 3, 4]}),)
                part = SourcePart(self.state.path)
                self.state = replace(self.state, raw=raw, parts=(part,), timings={"read": 0.1})
                return raw

            def transform(self) -> TransformOutcome:
                service.step("transform")
                assert self.state.raw is not None
                rejected = pd.DataFrame(
                    {"source_row": [4], "column": ["id"], "reason": ["not an integer"]}
                ).assign(raw=None)
                outcome = TransformOutcome(
                    valid=self.state.raw[0].iloc[:2],
                    rejected=rejected,
                    rows_read=3,
                    enrichment_sources={"cache": 2},
                    metrics={},
                    new_source_columns=("channel",),
                )
                self.state = replace(self.state, raw=None, transformed=outcome)
                return outcome

            def load(self) -> RunReport:
                service.step("load")
                return RunReport(
                    domain="orders",
                    table=self.state.table,
                    execution_id=self.execution_id,
                    status="succeeded",
                    file=str(self.state.path),
                    rows_read=3,
                    month="2024-11",
                    dry_run=self.state.request.dry_run,
                    rows_loaded=2,
                    rows_rejected=1,
                    rejected=[{"row": 4, "column": "id", "reason": "not an integer"}],
                    rejected_by_column={"id": 1},
                    rejected_by_reason={"id … is not an integer": 1},
                    enrichment_sources={"cache": 2},
                    new_source_columns=["channel"],
                    stage_durations={"read": 0.1, "transform": 0.2, "load": 0.3},
                    duration_s=0.6,
                )

            def fail(self, error: Exception) -> RunReport:
                with_outcome = self.state.transformed is not None
                service.failed.append((self.execution_id, error, with_outcome))
                return RunReport(
                    domain="orders",
                    table=self.state.table,
                    execution_id=self.execution_id,
                    status="failed",
                    file=str(self.state.path),
                    error=str(error),
                    error_type=type(error).__name__,
                    threshold_exceeded=isinstance(error, RejectThresholdExceeded),
                )

        return FakeRun


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> FakeService:
    fake = FakeService()
    monkeypatch.setattr(ops, "Run", fake.run_class())
    return fake


@pytest.fixture
def registry(site: Site) -> DomainRegistry:
    site.add_domain("fake-orders", "orders")
    return site.load()


Execute = Callable[..., ExecuteInProcessResult]


@pytest.fixture
def execute(registry: DomainRegistry, settings: Settings) -> Execute:
    """Materialise the ``orders`` asset (fast retries) in process for a partition and config."""
    assert settings.DATABASE_URL is not None
    warehouse = WarehouseResource(database_url=settings.DATABASE_URL.get_secret_value())
    resources = build_definitions(registry, settings=settings, warehouse=warehouse).resources
    domain = registry.get("orders")
    asset = build_domain_asset(domain, FAST_RETRIES)

    def run(
        options: DomainRunConfig | None = None, partition: str | None = "2024-11"
    ) -> ExecuteInProcessResult:
        return materialize(
            [asset],
            partition_key=partition,
            run_config=run_config(domain, options or DomainRunConfig()),
            resources=resources,
            raise_on_error=False,
        )

    return run


def _events(result: ExecuteInProcessResult, kind: DagsterEventType) -> list[Any]:
    return [event for event in result.all_events if event.event_type == kind]


def _output_metadata(result: ExecuteInProcessResult, step: str, output: str) -> dict[str, Any]:
    for event in _events(result, DagsterEventType.STEP_OUTPUT):
        if (
            event.step_key == f"{NODE}.{step}"
            and event.event_specific_data.step_output_handle.output_name == (output)
        ):
            return {key: value.value for key, value in event.event_specific_data.metadata.items()}
    raise AssertionError(f"no output {output!r} of {step!r}")


def test_a_run_passes_its_stages_along_and_reports_metadata(
    service: FakeService, execute: Execute
) -> None:
    result = execute()

    assert result.success
    assert service.calls == ["prepare", "read", "transform", "load"]
    report = result.output_for_node(f"{NODE}.load")
    assert (report.rows_loaded, report.rows_rejected) == (2, 1)
    assert report.execution_id == f"{EXECUTION_ID[:-1]}1"
    read = _output_metadata(result, "read", "result")
    assert read["rows_read"] == 3
    assert read["sources"] == [{"file": "orders.csv", "sheet": None}]
    assert read["target_table"] == "public.orders"
    assert read["dry_run"] is False
    transform = _output_metadata(result, "transform", "result")
    assert (transform["rows_valid"], transform["rows_rejected"]) == (2, 1)
    [source] = transform["enrichment_sources"].records
    assert source.data["source"] == "cache"
    assert source.data["entries"] == 2
    assert "company_id_cache" in source.data["meaning"]
    [column] = transform["rejected_by_column"].records
    assert column.data == {"column": "id", "rejections": 1}
    assert transform["new_columns_in_the_source"] == ["channel"]
    load = _output_metadata(result, "load", "result")
    assert load["execution_id"] == report.execution_id
    assert (load["rows_read"], load["rows_loaded"], load["rows_rejected"]) == (3, 2, 1)
    assert load["target_table"] == "public.orders"
    assert load["duration_s"] == 0.6
    assert load["new_columns_in_the_source"] == ["channel"]
    [rejected_row] = load["rejected_rows_first_50"].records
    assert rejected_row.data == {"row": 4, "part": "", "column": "id", "reason": "not an integer"}
    assert load["rejected_rows_shown"] == "1 of 1 rejections"
    assert f"execution_id = '{report.execution_id}'" in load["rejected_rows_query"]
    [materialization] = result.asset_materializations_for_node(NODE)
    assert materialization.partition == "2024-11"
    assert materialization.metadata["rows_loaded"].value == 2


def test_a_dry_run_runs_every_stage_and_materialises_nothing(
    service: FakeService, execute: Execute
) -> None:
    result = execute(DomainRunConfig(dry_run=True))

    assert result.success
    assert service.calls == ["prepare", "read", "transform", "load"]
    assert _output_metadata(result, "read", "result")["dry_run"] is True
    assert result.asset_materializations_for_node(NODE) == []


def test_a_transient_error_is_retried_and_the_run_succeeds(
    service: FakeService, execute: Execute
) -> None:
    service.failures["load"] = [psycopg2.OperationalError("server closed the connection")]

    result = execute()

    assert result.success
    assert service.calls == ["prepare", "read", "transform", "load", "load"]
    assert len(_events(result, DagsterEventType.STEP_UP_FOR_RETRY)) == 1
    assert service.failed == []


def test_a_transient_error_while_reading_abandons_that_execution(
    service: FakeService, execute: Execute
) -> None:
    service.failures["read"] = [ConnectionResetError("connection reset by peer")]

    result = execute()

    assert result.success
    assert service.calls[:4] == ["prepare", "read", "prepare", "read"]
    [(abandoned, error, _)] = service.failed
    assert isinstance(error, ConnectionResetError)
    assert abandoned != result.output_for_node(f"{NODE}.load").execution_id


def test_a_data_error_fails_at_once_marks_the_execution_and_shows_the_cause(
    service: FakeService, execute: Execute
) -> None:
    service.failures["transform"] = [KeyError("计划代码")]

    result = execute()

    assert not result.success
    assert service.calls == ["prepare", "read", "transform"]
    assert _events(result, DagsterEventType.STEP_UP_FOR_RETRY) == []
    [(execution_id, error, with_outcome)] = service.failed
    assert isinstance(error, KeyError)
    assert not with_outcome
    [failure] = _events(result, DagsterEventType.STEP_FAILURE)
    assert failure.step_key == f"{NODE}.transform"
    error_info = failure.event_specific_data.error
    assert "KeyError" in error_info.message
    assert execution_id in error_info.message
    assert error_info.cause is not None
    assert error_info.cause.cls_name == "KeyError"
    assert any(
        "test_orchestration_ops.py" in line and "in transform" in line
        for line in error_info.cause.stack
    )
    metadata = failure.event_specific_data.user_failure_data.metadata
    assert metadata["execution_id"].value == execution_id
    assert metadata["error_type"].value == "KeyError"


def test_a_transient_error_on_the_last_attempt_fails_the_run(
    service: FakeService, execute: Execute
) -> None:
    service.failures["load"] = [TimeoutError("statement timeout")] * 3

    result = execute()

    assert not result.success
    assert service.calls.count("load") == FAST_RETRIES.max_retries + 1
    assert len(_events(result, DagsterEventType.STEP_UP_FOR_RETRY)) == FAST_RETRIES.max_retries
    [(_, error, with_outcome)] = service.failed
    assert isinstance(error, TimeoutError)
    assert with_outcome


def test_too_many_rejections_fail_the_load_with_the_reasons_shown(
    service: FakeService, execute: Execute
) -> None:
    service.failures["load"] = [RejectThresholdExceeded("1 of 3 rows rejected (33.3%)")]

    result = execute()

    assert not result.success
    [failure] = _events(result, DagsterEventType.STEP_FAILURE)
    metadata = failure.event_specific_data.user_failure_data.metadata
    assert metadata["threshold_exceeded"].value is True
    assert "33.3%" in metadata["error"].value


def test_a_run_without_a_partition_fails_before_any_execution_exists(
    service: FakeService, execute: Execute
) -> None:
    result = execute(partition=None)

    assert not result.success
    assert service.calls == []
    assert service.failed == []
    [failure] = _events(result, DagsterEventType.STEP_FAILURE)
    assert "launch it for a partition" in failure.event_specific_data.error.message
