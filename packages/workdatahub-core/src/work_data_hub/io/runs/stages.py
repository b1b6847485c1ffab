"""The stages of one run, each callable on its own (Dagster runs them as separate ops).

prepare (locate the file, audit 'running') → read → transform and validate → load (facts,
rejections, metrics and the audit row in one transaction); ``fail_run`` marks a failure.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from work_data_hub.config import Settings, get_settings
from work_data_hub.domain.columns import EXECUTION_ID_COLUMN
from work_data_hub.domain.pipelines import (
    Pipeline,
    PipelineConfig,
    PipelineContext,
    PipelineStepError,
)
from work_data_hub.domain.services import DomainServices
from work_data_hub.domain.steps import (
    OtherMonthRows,
)
from work_data_hub.io.connectors.file_connector import discover_file
from work_data_hub.io.database import name_session
from work_data_hub.io.enrichment import CompanyIdResolver, WarehouseCompanyIdCache
from work_data_hub.io.loader.audit import AuditWriter
from work_data_hub.io.loader.warehouse_loader import WarehouseLoader
from work_data_hub.io.runs.failures import failure_message
from work_data_hub.io.runs.liveness import ExecutionLock, mark_abandoned_runs
from work_data_hub.io.runs.readiness import require_migrated
from work_data_hub.io.runs.report import (
    RunReport,
    count_by_reason,
    rejected_entries,
    rejected_row_count,
)
from work_data_hub.io.runs.request import (
    PreparedRun,
    RejectThresholdExceeded,
    RunFailed,
    RunRequest,
    TransformOutcome,
    check_rejects_out,
)
from work_data_hub.io.runs.run_steps import (
    check_rows_conserved,
    domain_steps,
    load_scope,
    loaded_month,
    requested_month,
)
from work_data_hub.io.runs.source_columns import new_source_columns
from work_data_hub.io.runs.source_file import check_readable, file_checksum
from work_data_hub.io.schema.drift import compare_domains, drift_message
from work_data_hub.plugins.registry import DomainRegistry, RegisteredDomain, get_registry
from work_data_hub.utils.logging import get_logger

logger = get_logger(__name__)


class _DryRunRollback(Exception):
    """Raised inside the load transaction of a dry run so that nothing commits."""


def _domain(registry: DomainRegistry | None, name: str) -> RegisteredDomain:
    return (registry or get_registry()).get(name)


def _seconds_since(started: float) -> float:
    return round(time.perf_counter() - started, 4)


def _elapsed(prepared: PreparedRun) -> float:
    """Wall-clock seconds since the run started; valid when stages run in separate processes."""
    return round((datetime.now(UTC) - prepared.started_at).total_seconds(), 4)


def run_application_name(prepared: PreparedRun) -> str:
    """The ``application_name`` of a run's sessions: ``workdatahub <execution id> <domain>``."""
    return f"workdatahub {prepared.execution_id} {prepared.request.domain}"


def prepare_run(
    request: RunRequest,
    *,
    engine: Engine,
    registry: DomainRegistry | None = None,
    settings: Settings | None = None,
    lock: ExecutionLock | None = None,
) -> PreparedRun:
    """Resolve the domain and its source file, and record the execution as running.

    Executions of earlier runs whose process died are marked ``abandoned`` first. With
    ``lock`` (held by the caller until the outcome is recorded), the execution takes its id and
    the row names the lock, so that a later run can tell when this process is gone.

    The execution records the file's absolute path (symlinks resolved) and the SHA-256 of its
    bytes, so the audit names the exact file read whatever the working directory was.

    A ``rejects_out`` naming the source file or an override file raises
    ``RejectsOutConflict`` before anything is recorded.
    """
    settings = settings or get_settings(require_database=False)
    registry = registry or get_registry()
    domain = _domain(registry, request.domain)
    definition = domain.definition
    if request.file is not None:
        path = request.file
        if not path.is_file():
            raise RunFailed(f"file {str(path)!r} does not exist")
    else:
        month = request.month or ""
        path = discover_file(settings.INBOX_DIR, definition.source, month, select=request.select)
    path = path.resolve()
    overrides = [*domain.company_id_overrides(), settings.COMPANY_ID_OVERRIDES_PATH]
    check_rejects_out(request.rejects_out, [path, *(f for f in overrides if f is not None)])
    prepared = PreparedRun(
        request=request,
        execution_id=lock.execution_id if lock else str(uuid.uuid4()),
        path=path,
        table=f"{definition.db_schema}.{definition.table}",
        started_at=datetime.now(UTC),
        sheet=definition.source.sheet,
    )
    require_migrated(engine, definition.db_schema, definition.table)
    mark_abandoned_runs(engine, found_by=f"execution {prepared.execution_id}")
    AuditWriter(engine).start(
        prepared.execution_id,
        domain=definition.name,
        input_file=str(path),
        input_checksum=file_checksum(path),
        sheet=definition.source.sheet,
        target_table=prepared.table,
        dry_run=request.dry_run,
        environment=settings.ENVIRONMENT,
        host=lock.host if lock else socket.gethostname(),
        pid=lock.pid if lock else os.getpid(),
        lock_key=lock.key if lock else None,
    )
    logger.info(
        "run started", domain=definition.name, file=str(path), execution_id=prepared.execution_id
    )
    return prepared


def read_stage(prepared: PreparedRun, *, registry: DomainRegistry | None = None) -> pd.DataFrame:
    """Read the source file into raw text values plus ``wdh_source_row``."""
    started = time.perf_counter()
    registry = registry or get_registry()
    source = _domain(registry, prepared.request.domain).definition.source
    check_readable(prepared.path)
    readers = registry.readers()
    if source.file_type not in readers:
        raise RunFailed(f"no reader for source type {source.file_type!r}; known: {sorted(readers)}")
    raw = readers[source.file_type].read(prepared.path, source)
    prepared.stage_durations["read"] = _seconds_since(started)
    return raw


def transform_stage(
    prepared: PreparedRun,
    raw: pd.DataFrame,
    *,
    engine: Engine,
    registry: DomainRegistry | None = None,
    settings: Settings | None = None,
) -> TransformOutcome:
    """Run the domain's steps and the schema validation; invalid rows are set aside with reasons."""
    started = time.perf_counter()
    settings = settings or get_settings(require_database=False)
    registry = registry or get_registry()
    domain = _domain(registry, prepared.request.domain)
    resolver = CompanyIdResolver.from_settings(
        engine,
        settings,
        lookup=registry.company_lookup(),
        override_files=domain.company_id_overrides(),
    )
    context = PipelineContext(
        pipeline_name=domain.definition.name,
        execution_id=prepared.execution_id,
        timestamp=prepared.started_at,
        config={"file": str(prepared.path)},
        run_month=requested_month(prepared.request),
    )
    steps = domain_steps(domain, DomainServices(enrichment=resolver))
    pipeline = Pipeline(domain.definition.name, steps, PipelineConfig(stop_on_error=False))
    try:
        result = pipeline.run(raw, context, raise_on_error=True)
    except PipelineStepError as failed:
        if isinstance(failed.cause, OtherMonthRows):
            raise RunFailed(f"{_where(prepared)}: {failed.cause}") from failed
        raise
    check_rows_conserved(raw, result.output_data, result.rejected)
    month = loaded_month(domain.definition, result.output_data) or context.run_month
    return TransformOutcome(
        month=month,
        valid=result.output_data,
        rejected=result.rejected,
        rows_read=len(raw),
        enrichment_sources=dict(resolver.source_counts),
        metrics=dict(result.metrics),
        learned_company_ids=tuple(resolver.learned),
        stage_durations={**prepared.stage_durations, "transform": _seconds_since(started)},
        new_source_columns=tuple(new_source_columns(raw.columns, domain, steps)),
    )


def _where(prepared: PreparedRun) -> str:
    where = f"file {prepared.path.name!r}"
    return f"{where}, sheet {prepared.sheet!r}" if prepared.sheet else where


def _threshold(domain: RegisteredDomain, settings: Settings) -> float:
    override = settings.WDH_REJECT_THRESHOLD
    return float(override) if override is not None else domain.definition.reject_threshold


def _report(prepared: PreparedRun, outcome: TransformOutcome | None, **fields: Any) -> RunReport:
    domain = prepared.request.domain
    rejected = outcome.rejected if outcome is not None else pd.DataFrame()
    return RunReport(
        domain=domain,
        table=prepared.table,
        execution_id=prepared.execution_id,
        file=str(prepared.path),
        sheet=prepared.sheet,
        month=f"{outcome.month:%Y-%m}" if outcome and outcome.month else None,
        dry_run=prepared.request.dry_run,
        rows_read=outcome.rows_read if outcome else 0,
        rows_rejected=rejected_row_count(rejected),
        rejected=rejected_entries(rejected),
        rejected_by_reason=count_by_reason(rejected),
        enrichment_sources=outcome.enrichment_sources if outcome else {},
        new_source_columns=list(outcome.new_source_columns if outcome else ()),
        stage_durations=dict(outcome.stage_durations if outcome else prepared.stage_durations),
        duration_s=_elapsed(prepared),
        **fields,
    )


def _write_rejects_file(prepared: PreparedRun, rejected: pd.DataFrame) -> None:
    target = prepared.request.rejects_out
    if target is None:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    rejected.to_csv(target, index=False, encoding="utf-8-sig")


def load_stage(
    prepared: PreparedRun,
    outcome: TransformOutcome,
    *,
    engine: Engine,
    registry: DomainRegistry | None = None,
    settings: Settings | None = None,
) -> RunReport:
    """Load the valid rows, the audit row, the metrics and the rejections in one transaction.

    Nothing is loaded when the table's columns differ from the declared ones
    (``_check_declared_table``) or the rejected share exceeds the domain's threshold; a dry run
    rolls the transaction back at the end.
    """
    started = time.perf_counter()
    settings = settings or get_settings(require_database=False)
    domain = _domain(registry, prepared.request.domain)
    definition = domain.definition
    _check_declared_table(engine, domain)
    _write_rejects_file(prepared, outcome.rejected)
    report = _report(prepared, outcome, status="succeeded")
    threshold = _threshold(domain, settings)
    if outcome.rows_read and report.rows_rejected / outcome.rows_read > threshold:
        share = report.rows_rejected / outcome.rows_read
        raise RejectThresholdExceeded(
            f"{report.rows_rejected} of {outcome.rows_read} rows rejected ({share:.1%}), above the "
            f"threshold of {threshold:.1%} for {definition.name}: nothing was loaded",
        )
    valid = outcome.valid.assign(**{EXECUTION_ID_COLUMN: prepared.execution_id})
    audit = AuditWriter(engine)
    loader = WarehouseLoader(engine, settings=settings)
    try:
        with loader.transaction() as tx:
            name_session(tx, run_application_name(prepared))
            loaded = loader.load_dataframe(
                valid,
                definition.table,
                schema=definition.db_schema,
                mode=definition.write_mode,
                keys=definition.keys,
                tx=tx,
                scope=load_scope(definition, outcome),
            )
            report.rows_loaded = loaded.rows_loaded
            WarehouseCompanyIdCache(engine).store(tx, outcome.learned_company_ids)
            report.stage_durations["load"] = _seconds_since(started)
            report.duration_s = _elapsed(prepared)
            _record_outcome(
                audit, prepared, report, outcome, rows_committed=report.rows_loaded, tx=tx
            )
            if prepared.request.dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        _record_outcome(audit, prepared, report, outcome, rows_committed=0, tx=None)
    logger.info(
        "run finished",
        domain=definition.name,
        execution_id=prepared.execution_id,
        rows_read=report.rows_read,
        rows_loaded=report.rows_loaded,
        rows_rejected=report.rows_rejected,
        dry_run=prepared.request.dry_run,
    )
    return report


def _check_declared_table(engine: Engine, domain: RegisteredDomain) -> None:
    """Raise ``RunFailed`` (the differences and the fix) when the table's columns differ from the
    declared ones: missing, undeclared, retyped or of another nullability.

    Loading into such a table would fail half-way or leave columns silently unfilled; comment
    and index differences change no value and are left to ``workdatahub db check``.
    """
    with engine.connect() as connection:
        differences = [
            found for found in compare_domains(connection, [domain]) if found.changes_columns
        ]
    if differences:
        raise RunFailed(f"nothing was loaded: {drift_message(differences)}")


def _record_outcome(
    audit: AuditWriter,
    prepared: PreparedRun,
    report: RunReport,
    outcome: TransformOutcome,
    *,
    rows_committed: int,
    tx: Any,
) -> None:
    """Write rejections, metrics and the succeeded execution row (in ``tx`` when given)."""
    audit.record_rejections(
        prepared.execution_id,
        outcome.rejected,
        source_file=str(prepared.path),
        sheet=report.sheet,
        tx=tx,
    )
    audit.record_metrics(prepared.execution_id, _metrics(report, outcome), tx=tx)
    audit.finish_succeeded(
        prepared.execution_id,
        rows_read=report.rows_read,
        rows_loaded=rows_committed,
        rows_rejected=report.rows_rejected,
        metadata=report.to_json() | {"rejected": report.rejected[:100]},
        tx=tx,
    )


def _metrics(report: RunReport, outcome: TransformOutcome) -> dict[str, float]:
    metrics: dict[str, float] = {
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "rows_rejected": report.rows_rejected,
        "duration_s": report.duration_s,
    }
    metrics.update(
        {f"rejected.{label}": count for label, count in report.rejected_by_reason.items()}
    )
    metrics.update({f"enrichment.{source}": n for source, n in outcome.enrichment_sources.items()})
    metrics.update({f"stage_s.{stage}": s for stage, s in report.stage_durations.items()})
    return metrics


def fail_run(
    prepared: PreparedRun,
    error: BaseException,
    *,
    engine: Engine,
    outcome: TransformOutcome | None = None,
) -> RunReport:
    """Mark the execution failed (rejections still recorded) and return the failed report.

    The report's error is one line (``failure_message``); the execution's ``error_details``
    keep the whole chain of causes. The log line carries the stack trace at DEBUG only.
    """
    report = _report(
        prepared,
        outcome,
        status="failed",
        error=failure_message(error),
        error_type=type(error).__name__,
        threshold_exceeded=isinstance(error, RejectThresholdExceeded),
    )
    audit = AuditWriter(engine)
    audit.finish_failed(
        prepared.execution_id,
        error,
        rows_read=report.rows_read,
        rows_rejected=report.rows_rejected,
    )
    if outcome is not None and len(outcome.rejected):
        audit.record_rejections(
            prepared.execution_id,
            outcome.rejected,
            source_file=str(prepared.path),
            sheet=prepared.sheet,
        )
    logger.warning(
        "run failed",
        domain=prepared.request.domain,
        execution_id=prepared.execution_id,
        error_type=report.error_type,
        error=report.error,
    )
    logger.debug("run failure trace", execution_id=prepared.execution_id, exc_info=error)
    return report
