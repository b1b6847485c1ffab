"""``Run``: one run of one domain, owning its context from start to outcome.

``Run.start`` resolves the domain, settings and source file once and records the execution as
running; its stages (``read`` → ``transform`` → ``load``) work on that context only, and
``execute`` drives them, recording a failure with ``fail``. Each outcome is audited exactly once,
in the transaction that belongs to it: a success in the facts' own transaction, a dry run in a
transaction whose facts were rolled back to a savepoint (only the audit and rejections commit),
a failure in a transaction of its own. The report is built once, from the outcome.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial

import pandas as pd
from sqlalchemy import Connection, Engine

from work_data_hub.config import Settings, get_settings
from work_data_hub.domain.pipelines import PipelineContext
from work_data_hub.domain.readers import Reader, SourcePart
from work_data_hub.domain.services import DomainServices
from work_data_hub.io.database import name_session
from work_data_hub.io.enrichment import CompanyIdResolver, WarehouseCompanyIdCache
from work_data_hub.io.loader.audit import AuditWriter
from work_data_hub.io.loader.warehouse_loader import WarehouseLoader
from work_data_hub.io.runs.failures import failure_message
from work_data_hub.io.runs.interruption import take_interruption
from work_data_hub.io.runs.liveness import ExecutionLock, mark_abandoned_runs
from work_data_hub.io.runs.load_guards import check_declared_table, check_reject_threshold
from work_data_hub.io.runs.outcome_audit import record_failure, record_success
from work_data_hub.io.runs.parts_stream import PartsHandedOver, PartsStream
from work_data_hub.io.runs.parts_transform import transform_domain
from work_data_hub.io.runs.readiness import require_migrated
from work_data_hub.io.runs.rejects_export import RejectsSource, write_rejects
from work_data_hub.io.runs.report import RunReport, RunStatus, build_report
from work_data_hub.io.runs.request import (
    RejectThresholdExceeded,
    RunFailed,
    RunRequest,
    RunState,
    StageProgress,
    TransformOutcome,
    check_rejects_out,
)
from work_data_hub.io.runs.run_steps import (
    load_scope,
    loaded_month,
    requested_month,
    with_execution_id,
)
from work_data_hub.io.runs.source_file import check_readable
from work_data_hub.io.runs.source_parts import (
    files_checksum,
    plan_parts,
    read_part,
    read_parts,
    reader_for,
    request_files,
)
from work_data_hub.plugins.registry import DomainRegistry, RegisteredDomain, get_registry
from work_data_hub.utils.logging import get_logger

__all__ = ["Run"]

logger = get_logger(__name__)


class Run:
    """One run of one domain: its request, domain, settings, engine, execution id and timings.

    Made by ``start`` (a new execution) or ``resume`` (a stage in another process, as Dagster
    runs them); ``state`` is everything the run established so far.
    """

    def __init__(
        self,
        state: RunState,
        *,
        registry: DomainRegistry,
        settings: Settings,
        engine: Engine,
        progress: StageProgress | None = None,
    ) -> None:
        self.state = state
        self.registry = registry
        self.domain: RegisteredDomain = registry.get(state.request.domain)
        self.settings = settings
        self.engine = engine
        self._audit = AuditWriter(engine)
        self._progress = progress

    @classmethod
    def start(
        cls,
        request: RunRequest,
        *,
        engine: Engine,
        registry: DomainRegistry | None = None,
        settings: Settings | None = None,
        lock: ExecutionLock | None = None,
        progress: StageProgress | None = None,
    ) -> Run:
        """Resolve the domain and its source file, and record the execution as running.

        Registry and settings default to the process's (``get_registry()``, the environment's).
        The file is ``request.file`` or the month's file (files, for ``all_files``) in
        ``INBOX_DIR``; the execution records its absolute path (their folder) and SHA-256.
        Before anything is recorded: a ``rejects_out`` naming an input file raises
        ``RejectsOutConflict``, an unmigrated database ``WarehouseNotMigrated``.
        Executions whose process died are marked ``abandoned`` first. With ``lock`` (held by the
        caller until the outcome is recorded) the execution takes its id and the row names it.
        ``progress`` is told as each stage starts.
        """
        registry = registry or get_registry()
        settings = settings or get_settings(require_database=False)
        domain = registry.get(request.domain)
        definition = domain.definition
        files = request_files(request, definition.source, settings.INBOX_DIR)
        overrides = [*domain.company_id_overrides(), settings.COMPANY_ID_OVERRIDES_PATH]
        check_rejects_out(request.rejects_out, [*files, *(f for f in overrides if f is not None)])
        path = files[0]
        state = RunState(
            request=request,
            execution_id=lock.execution_id if lock else str(uuid.uuid4()),
            path=path,
            table=domain.qualified_table,
            started_at=datetime.now(UTC),
            sheet=definition.source.sheet,
            files=tuple(files),
        )
        require_migrated(engine, definition.db_schema, definition.table)
        mark_abandoned_runs(engine, found_by=f"execution {state.execution_id}")
        AuditWriter(engine).start(
            state.execution_id,
            domain=definition.name,
            input_file=str(state.source_location),
            input_checksum=files_checksum(files),
            sheet=definition.source.sheet,
            target_table=state.table,
            dry_run=request.dry_run,
            environment=settings.ENVIRONMENT,
            host=lock.host if lock else socket.gethostname(),
            pid=lock.pid if lock else os.getpid(),
            lock_key=lock.key if lock else None,
        )
        logger.info(
            "run started", domain=definition.name, file=str(path), execution_id=state.execution_id
        )
        return cls(state, registry=registry, settings=settings, engine=engine, progress=progress)

    @classmethod
    def resume(
        cls,
        state: RunState,
        *,
        engine: Engine,
        registry: DomainRegistry | None = None,
        settings: Settings | None = None,
    ) -> Run:
        """Return the started run ``state`` describes, to run its next stage (a Dagster op)."""
        return cls(
            state,
            registry=registry or get_registry(),
            settings=settings or get_settings(require_database=False),
            engine=engine,
        )

    @property
    def execution_id(self) -> str:
        """The id of the run's row in ``pipeline_executions``."""
        return self.state.execution_id

    @property
    def application_name(self) -> str:
        """The ``application_name`` of the run's load session: ``workdatahub <id> <domain>``."""
        return f"workdatahub {self.execution_id} {self.state.request.domain}"

    def execute(self) -> RunReport:
        """Read, transform and load; a failed run returns ``status="failed"`` and loads nothing.

        An interruption (``KeyboardInterrupt``, ``RunInterrupted``) rolls the load back, is
        recorded ``failed`` and is raised again.
        """
        try:
            self._read_and_transform()
            return self.load()
        except KeyboardInterrupt as stopped:
            self.fail(take_interruption() or stopped)
            raise
        except Exception as error:
            pending = take_interruption()
            if pending is None:
                return self.fail(error)
            self.fail(pending)
            raise pending from error

    def read(self) -> tuple[pd.DataFrame, ...]:
        """Read every part of the source (``source_parts.plan_parts``) into raw text values plus
        ``wdh_source_row``, one frame per part (two parts at a time: ``read_parts``)."""
        with self._timed("read"):
            read = read_parts(self._reader(), self._planned(), self.domain.definition.source)
        return self._keep_read(read)

    def _planned(self) -> list[SourcePart]:
        for path in self.state.source_files:
            check_readable(path)
        return plan_parts(self.state.source_files, self.domain.definition.source, self._reader())

    def _keep_read(self, read: list[tuple[SourcePart, pd.DataFrame]]) -> tuple[pd.DataFrame, ...]:
        raw = tuple(frame for _, frame in read)
        self.state = replace(self.state, parts=tuple(part for part, _ in read), raw=raw)
        return raw

    def _read_and_transform(self) -> None:
        """``read``, then ``transform``. The parts of a source of several are transformed one
        by one as they are read (``PartsStream``): later parts are read on the other core
        while earlier ones transform, so the two stages' times overlap."""
        started = time.perf_counter()
        with self._timed("read"):
            planned = self._planned()
            if len(planned) == 1:
                self._keep_read(read_parts(self._reader(), planned, self.domain.definition.source))
        if len(planned) == 1:
            self.transform()
            return
        handed = PartsHandedOver(len(planned), started, self._progress)
        source = self.domain.definition.source
        try:
            with PartsStream(self._reader(), planned, source, on_yield=handed) as parts:
                transformed = self._transform(parts, several=True)
        finally:  # a failed run records the parts it read and how long it took too
            timings = {**self.state.timings, **handed.timings(time.perf_counter())}
            self.state = replace(self.state, parts=tuple(handed.parts), timings=timings)
        self.state = replace(self.state, transformed=transformed)

    def transform(self) -> TransformOutcome:
        """Run the domain's steps and the schema validation on the rows read; invalid rows are
        set aside with reasons. Every row read ends up valid or rejected (else ``RunFailed``).

        The run lets go of the rows read as the transform starts, so that they are freed as
        soon as the steps have replaced them.
        """
        if self.state.raw is None:
            raise RunFailed(f"execution {self.execution_id}: transform before read")
        if not isinstance(self.state.raw, tuple) or len(self.state.parts) != len(self.state.raw):
            raise RunFailed(
                f"execution {self.execution_id}: its read stage was recorded by another version "
                "of WorkDataHub; run the month again from the start"
            )
        parts = list(zip(self.state.parts, self.state.raw, strict=True))
        self.state = replace(self.state, raw=None)
        with self._timed("transform", sum(len(frame) for _, frame in parts)):
            transformed = self._transform(parts)
        self.state = replace(self.state, transformed=transformed)
        return transformed

    def _transform(
        self, parts: Iterable[tuple[SourcePart, pd.DataFrame]], *, several: bool | None = None
    ) -> TransformOutcome:
        definition = self.domain.definition
        resolver = CompanyIdResolver.from_settings(
            self.engine,
            self.settings,
            lookup=self.registry.company_lookup(),
            override_files=self.domain.company_id_overrides(),
        )
        context = PipelineContext(
            pipeline_name=definition.name,
            execution_id=self.execution_id,
            timestamp=self.state.started_at,
            config={"file": str(self.state.path)},
            run_month=requested_month(self.state.request),
        )
        result, facts = transform_domain(
            self.domain, DomainServices(enrichment=resolver), parts, context, several=several
        )
        return TransformOutcome(
            month=loaded_month(definition, result.valid) or context.run_month,
            valid=result.valid,
            rejected=result.rejected,
            rows_read=result.rows_read,
            enrichment_sources=dict(resolver.source_counts),
            metrics=result.metrics,
            learned_company_ids=tuple(resolver.learned),
            **facts,
        )

    def load(self) -> RunReport:
        """Load the valid rows and audit the success: facts, learned company ids, rejections,
        metrics and the execution row commit in one transaction, or nothing does.

        Nothing is loaded when the table's columns differ from the declared ones or the rejected
        share exceeds the threshold (``RunFailed``). A dry run loads into a savepoint and rolls
        it back, then audits in the same transaction: only the audit and rejections commit.
        """
        transformed = self.state.transformed
        if transformed is None:
            raise RunFailed(f"execution {self.execution_id}: load before transform")
        definition = self.domain.definition
        dry_run = self.state.request.dry_run
        loader = WarehouseLoader(self.engine, settings=self.settings)
        if self._progress is not None:
            self._progress("load", len(transformed.valid))
        started = time.perf_counter()
        check_declared_table(self.engine, self.domain)
        self._write_rejects_file(transformed.rejected)
        check_reject_threshold(transformed, self.domain, self.settings)
        with loader.transaction() as tx:
            name_session(tx, self.application_name)
            if dry_run:
                savepoint = tx.begin_nested()
                rows_loaded = self._write_facts(loader, tx, transformed)
                savepoint.rollback()
            else:
                rows_loaded = self._write_facts(loader, tx, transformed)
            self._record_time("load", started)
            report = self._report("succeeded", rows_loaded=rows_loaded)
            record_success(
                self._audit, self.state, report, rows_committed=0 if dry_run else rows_loaded, tx=tx
            )
        logger.info(
            "run finished",
            domain=definition.name,
            execution_id=self.execution_id,
            rows_read=report.rows_read,
            rows_loaded=report.rows_loaded,
            rows_rejected=report.rows_rejected,
            dry_run=dry_run,
        )
        return report

    def _write_facts(
        self, loader: WarehouseLoader, tx: Connection, transformed: TransformOutcome
    ) -> int:
        definition = self.domain.definition
        loaded = loader.load_dataframe(
            with_execution_id(transformed.valid, self.execution_id),
            definition.table,
            schema=definition.db_schema,
            mode=definition.write_mode,
            keys=definition.keys,
            tx=tx,
            scope=load_scope(definition, transformed),
        )
        WarehouseCompanyIdCache(self.engine).store(tx, transformed.learned_company_ids)
        return loaded.rows_loaded

    def fail(self, error: BaseException) -> RunReport:
        """Record the execution failed, with the rejections found so far, in one transaction of
        its own; return the failed report.

        The report's error is one line (``failure_message``); the execution's ``error_details``
        keep the whole chain of causes. The log line carries the stack trace at DEBUG only.
        """
        report = self._report(
            "failed",
            error=failure_message(error),
            error_type=type(error).__name__,
            threshold_exceeded=isinstance(error, RejectThresholdExceeded),
        )
        record_failure(self._audit, self.state, report, error)
        logger.warning(
            "run failed",
            domain=self.state.request.domain,
            execution_id=self.execution_id,
            error_type=report.error_type,
            error=report.error,
        )
        logger.debug("run failure trace", execution_id=self.execution_id, exc_info=error)
        return report

    def _report(self, status: RunStatus, **fields: object) -> RunReport:
        return build_report(self.state, status, **fields)

    @contextmanager
    def _timed(self, stage: str, rows: int | None = None) -> Iterator[None]:
        if self._progress is not None:
            self._progress(stage, rows)
        started = time.perf_counter()
        yield
        self._record_time(stage, started)

    def _record_time(self, stage: str, started: float) -> None:
        seconds = round(time.perf_counter() - started, 4)
        self.state = replace(self.state, timings={**self.state.timings, stage: seconds})

    def _reader(self) -> Reader:
        return reader_for(self.registry.readers(), self.domain.definition.source)

    def _write_rejects_file(self, rejected: pd.DataFrame) -> None:
        target, spec = self.state.request.rejects_out, self.domain.definition.source
        if target is None:
            return
        reader = self._reader()
        sources = [
            RejectsSource(part.path, part.sheet, partial(read_part, reader, part, spec))
            for part in self.state.parts
        ]
        write_rejects(target, rejected, sources)
        self.state = replace(self.state, rejects_written=target)
