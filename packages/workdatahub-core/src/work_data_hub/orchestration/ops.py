"""The three steps of every domain asset: thin wrappers over the run service's stages.

``read`` locates the file, records the execution as running and reads the rows; ``transform``
runs the domain's steps and validation; ``load`` writes rows, rejections and the audit row in
one transaction; its output is the asset's materialisation. Each output carries the metadata
the UI shows.

Failures: a whitelisted transient error (a dropped connection, a timeout) is re-raised so the
job's ``RetryPolicy`` retries the op; any other error, or a transient one on the last attempt,
marks the execution failed and raises ``Failure(allow_retries=False)`` chained to the original
exception, whose stack trace the UI shows.
"""

# No ``from __future__ import annotations``: Dagster reads the op signatures' types at runtime.
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
from dagster import (
    Backoff,
    Config,
    Failure,
    OpExecutionContext,
    Out,
    Output,
    ResourceParam,
    RetryPolicy,
    op,
)
from pydantic import Field
from sqlalchemy import Engine

from work_data_hub.config import Settings
from work_data_hub.domain.pipelines.retry import is_transient
from work_data_hub.io.runs import (
    FileSelection,
    PreparedRun,
    RunFailed,
    RunReport,
    RunRequest,
    TransformOutcome,
    fail_run,
    load_stage,
    prepare_run,
    read_stage,
    transform_stage,
)
from work_data_hub.orchestration.metadata import (
    failure_metadata,
    read_metadata,
    report_metadata,
    transform_metadata,
)
from work_data_hub.orchestration.months import MONTH_TAG, month_of
from work_data_hub.orchestration.resources import WarehouseResource
from work_data_hub.plugins.registry import DomainRegistry

DOMAIN_TAG = "workdatahub/domain"
"""Asset and job tag naming the domain; the ops read it from the asset they materialise."""

RETRY_POLICY = RetryPolicy(max_retries=3, delay=2.0, backoff=Backoff.EXPONENTIAL)
"""The domain jobs' op retry policy; only whitelisted transient errors reach it (2 s, 4 s, 8 s)."""


class DomainRunConfig(Config):
    """How to run a month: its file found in the inbox, or an explicit one; optionally a dry run.

    The month itself is the run's partition (``YYYY-MM``), never config: Dagster refuses a
    partition key the asset does not have before the run starts.
    """

    file: str | None = Field(
        default=None,
        description="path of the month's source file; unset means discover it in INBOX_DIR",
    )
    dry_run: bool = Field(default=False, description="do everything but commit the load")
    select: FileSelection = Field(
        default="error",
        description="when several files match: error, or pick the newest, oldest or first",
    )

    def to_request(self, domain: str, month: str) -> RunRequest:
        """Return the run service's request for ``month`` (``YYYYMM``) of ``domain``."""
        return RunRequest(
            domain=domain,
            file=Path(self.file) if self.file is not None else None,
            month=month,
            dry_run=self.dry_run,
            select=self.select,
        )


def domain_of(context: OpExecutionContext) -> str:
    """Return the domain of the asset being materialised (its ``workdatahub/domain`` tag)."""
    domain = None
    if context.has_assets_def:
        domain = context.assets_def.tags_by_key.get(context.assets_def.key, {}).get(DOMAIN_TAG)
    if not domain:
        raise RunFailed(f"{context.op.name!r} runs outside a domain asset tagged {DOMAIN_TAG!r}")
    return str(domain)


def run_month(context: OpExecutionContext) -> str:
    """Return the run's month (``YYYYMM``) from its partition, and tag the run with it."""
    if not context.has_partition_key:
        raise RunFailed(
            "a domain run loads one month: launch it for a partition (YYYY-MM), "
            "e.g. from the asset's Materialize dialog or with --partition 2024-11"
        )
    month = month_of(context.partition_key)
    if context.run.tags.get(MONTH_TAG) != month:
        context.instance.add_run_tags(context.run_id, {MONTH_TAG: month})
    return month


def should_retry(error: BaseException, retry_number: int, max_retries: int) -> bool:
    """Return True when ``error`` is a whitelisted transient error and an attempt is left."""
    return retry_number < max_retries and is_transient(error)


def _mark_failed(
    context: OpExecutionContext,
    prepared: PreparedRun,
    error: BaseException,
    engine: Engine,
    outcome: TransformOutcome | None,
) -> RunReport | None:
    try:
        return fail_run(prepared, error, engine=engine, outcome=outcome)
    except Exception as audit_error:
        context.log.error(
            f"could not mark execution {prepared.execution_id} failed: "
            f"{type(audit_error).__name__}: {audit_error}"
        )
        return None


def _fail(
    context: OpExecutionContext,
    error: Exception,
    *,
    engine: Engine,
    prepared: PreparedRun | None,
    outcome: TransformOutcome | None = None,
    retry_starts_new_execution: bool = False,
) -> NoReturn:
    """Re-raise a retryable ``error`` for the retry policy, or record the failure and stop."""
    policy = context.job_def.get_retry_policy_for_handle(context.node_handle)
    max_retries = policy.max_retries if policy is not None else 0
    if should_retry(error, context.retry_number, max_retries):
        if prepared is not None and retry_starts_new_execution:
            _mark_failed(context, prepared, error, engine, outcome)
        context.log.warning(
            f"transient {type(error).__name__}: {error}; retry "
            f"{context.retry_number + 1} of {max_retries}"
        )
        raise error
    report = _mark_failed(context, prepared, error, engine, outcome) if prepared else None
    where = f" (execution {prepared.execution_id})" if prepared else ""
    raise Failure(
        description=f"{type(error).__name__}: {error}{where}",
        metadata=failure_metadata(error, report),
        allow_retries=False,
    ) from error


@op(
    out={
        "prepared": Out(PreparedRun, description="the located, audited run"),
        "raw": Out(pd.DataFrame, description="the file's rows as text, with wdh_source_row"),
    },
)
def read(
    context: OpExecutionContext,
    config: DomainRunConfig,
    warehouse: WarehouseResource,
    settings: ResourceParam[Settings],
    registry: ResourceParam[DomainRegistry],
) -> Iterator[Output[Any]]:
    """Find the source file, record the execution as running, and read its rows."""
    started = time.perf_counter()
    engine = warehouse.get_engine()
    prepared: PreparedRun | None = None
    try:
        prepared = prepare_run(
            config.to_request(domain_of(context), run_month(context)),
            engine=engine,
            registry=registry,
            settings=settings,
        )
        raw = read_stage(prepared, registry=registry)
    except Exception as error:
        _fail(context, error, engine=engine, prepared=prepared, retry_starts_new_execution=True)
    metadata = read_metadata(prepared, raw, time.perf_counter() - started)
    yield Output(prepared, "prepared", metadata={"execution_id": prepared.execution_id})
    yield Output(raw, "raw", metadata=metadata)


@op(out=Out(TransformOutcome, description="valid rows and rejected rows with reasons"))
def transform(
    context: OpExecutionContext,
    prepared: PreparedRun,
    raw: pd.DataFrame,
    warehouse: WarehouseResource,
    settings: ResourceParam[Settings],
    registry: ResourceParam[DomainRegistry],
) -> Output[TransformOutcome]:
    """Run the domain's transform steps and validation; invalid rows are set aside with reasons."""
    started = time.perf_counter()
    engine = warehouse.get_engine()
    try:
        outcome = transform_stage(
            prepared, raw, engine=engine, registry=registry, settings=settings
        )
    except Exception as error:
        _fail(context, error, engine=engine, prepared=prepared)
    return Output(outcome, metadata=transform_metadata(outcome, time.perf_counter() - started))


@op(
    out=Out(
        RunReport,
        is_required=False,
        description="the run's summary, as `workdatahub run --json` prints it; none for a dry run",
    )
)
def load(
    context: OpExecutionContext,
    prepared: PreparedRun,
    outcome: TransformOutcome,
    warehouse: WarehouseResource,
    settings: ResourceParam[Settings],
    registry: ResourceParam[DomainRegistry],
) -> Iterator[Output[RunReport]]:
    """Load the valid rows and record rejections and the audit row, in one transaction.

    The output is the asset's materialisation; a dry run, which commits nothing, emits none.
    """
    engine = warehouse.get_engine()
    try:
        report = load_stage(prepared, outcome, engine=engine, registry=registry, settings=settings)
    except Exception as error:
        _fail(context, error, engine=engine, prepared=prepared, outcome=outcome)
    context.log.info(
        f"{report.domain}: {report.rows_loaded} rows {'would be ' if report.dry_run else ''}"
        f"loaded into {report.table}, {report.rows_rejected} rejected "
        f"(execution {report.execution_id})"
    )
    if not report.dry_run:
        yield Output(report, metadata=report_metadata(report))
