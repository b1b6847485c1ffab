"""The three steps of every domain asset: the stages of one ``Run``, one op each.

``read`` starts the run (``Run.start``: locates the file, records the execution as running) and
reads the rows; ``transform`` and ``load`` resume the run from the ``RunState`` the previous op
output (``Run.resume``) and run its next stage: the domain's steps and validation, then rows,
rejections and the audit row in one transaction; the load's output is the asset's
materialisation. Each output carries the metadata the UI shows.

Failures: a whitelisted transient error (a dropped connection, a timeout) is re-raised so the
job's ``RetryPolicy`` retries the op; any other error, or a transient one on the last attempt,
marks the execution failed and raises ``Failure(allow_retries=False)`` chained to the original
exception, whose stack trace the UI shows.
"""

# No ``from __future__ import annotations``: Dagster reads the op signatures' types at runtime.
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

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

from work_data_hub.config import Settings
from work_data_hub.domain.pipelines.retry import is_transient
from work_data_hub.io.runs import FileSelection, Run, RunFailed, RunReport, RunRequest, RunState
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


def _mark_failed(context: OpExecutionContext, run: Run, error: BaseException) -> RunReport | None:
    try:
        return run.fail(error)
    except Exception as audit_error:
        context.log.error(
            f"could not mark execution {run.execution_id} failed: "
            f"{type(audit_error).__name__}: {audit_error}"
        )
        return None


def _fail(
    context: OpExecutionContext,
    error: Exception,
    run: Run | None,
    *,
    retry_starts_new_execution: bool = False,
) -> NoReturn:
    """Re-raise a retryable ``error`` for the retry policy, or record the failure and stop."""
    policy = context.job_def.get_retry_policy_for_handle(context.node_handle)
    max_retries = policy.max_retries if policy is not None else 0
    if should_retry(error, context.retry_number, max_retries):
        if run is not None and retry_starts_new_execution:
            _mark_failed(context, run, error)
        context.log.warning(
            f"transient {type(error).__name__}: {error}; retry "
            f"{context.retry_number + 1} of {max_retries}"
        )
        raise error
    report = _mark_failed(context, run, error) if run is not None else None
    where = f" (execution {run.execution_id})" if run is not None else ""
    raise Failure(
        description=f"{type(error).__name__}: {error}{where}",
        metadata=failure_metadata(error, report),
        allow_retries=False,
    ) from error


@op(out=Out(RunState, description="the located, audited run and the file's rows as text"))
def read(
    context: OpExecutionContext,
    config: DomainRunConfig,
    warehouse: WarehouseResource,
    settings: ResourceParam[Settings],
    registry: ResourceParam[DomainRegistry],
) -> Output[RunState]:
    """Start the run (find the source file, record the execution as running) and read its rows."""
    started = time.perf_counter()
    run: Run | None = None
    try:
        run = Run.start(
            config.to_request(domain_of(context), run_month(context)),
            engine=warehouse.get_engine(),
            registry=registry,
            settings=settings,
        )
        run.read()
    except Exception as error:
        _fail(context, error, run, retry_starts_new_execution=True)
    return Output(run.state, metadata=read_metadata(run.state, time.perf_counter() - started))


@op(out=Out(RunState, description="the run with its valid rows and rejected rows with reasons"))
def transform(
    context: OpExecutionContext,
    state: RunState,
    warehouse: WarehouseResource,
    settings: ResourceParam[Settings],
    registry: ResourceParam[DomainRegistry],
) -> Output[RunState]:
    """Run the domain's transform steps and validation; invalid rows are set aside with reasons."""
    started = time.perf_counter()
    run = Run.resume(state, engine=warehouse.get_engine(), registry=registry, settings=settings)
    try:
        outcome = run.transform()
    except Exception as error:
        _fail(context, error, run)
    return Output(run.state, metadata=transform_metadata(outcome, time.perf_counter() - started))


@op(
    out=Out(
        RunReport,
        is_required=False,
        description="the run's summary, as `workdatahub run --json` prints it; none for a dry run",
    )
)
def load(
    context: OpExecutionContext,
    state: RunState,
    warehouse: WarehouseResource,
    settings: ResourceParam[Settings],
    registry: ResourceParam[DomainRegistry],
) -> Iterator[Output[RunReport]]:
    """Load the valid rows and record rejections and the audit row, in one transaction.

    The output is the asset's materialisation; a dry run, which commits nothing, emits none.
    """
    run = Run.resume(state, engine=warehouse.get_engine(), registry=registry, settings=settings)
    try:
        report = run.load()
    except Exception as error:
        _fail(context, error, run)
    context.log.info(
        f"{report.domain}: {report.rows_loaded} rows {'would be ' if report.dry_run else ''}"
        f"loaded into {report.table}, {report.rows_rejected} rejected "
        f"(execution {report.execution_id})"
    )
    if not report.dry_run:
        yield Output(report, metadata=report_metadata(report))
