"""Run one domain end to end, or every domain of a month: one code path for CLI, Dagster, tests."""

from __future__ import annotations

from sqlalchemy import Engine

from work_data_hub.config import Settings, get_settings
from work_data_hub.io.connectors.file_connector import SourceFileNotFound, discover_file
from work_data_hub.io.runs.interruption import take_interruption
from work_data_hub.io.runs.liveness import hold_execution_lock
from work_data_hub.io.runs.report import RunReport
from work_data_hub.io.runs.request import FileSelection, RunRequest, TransformOutcome
from work_data_hub.io.runs.stages import (
    fail_run,
    load_stage,
    prepare_run,
    read_stage,
    transform_stage,
)
from work_data_hub.plugins.registry import DomainRegistry, get_registry
from work_data_hub.utils.logging import get_logger

logger = get_logger(__name__)


def run_domain(
    request: RunRequest,
    *,
    engine: Engine,
    registry: DomainRegistry | None = None,
    settings: Settings | None = None,
) -> RunReport:
    """Run one domain on one file; a failed run returns ``status="failed"`` and loads nothing.

    Errors before the execution row exists (unknown domain, no file found) raise ``RunFailed``
    or the discovery error, since there is nothing to audit yet. The run holds its execution
    lock throughout, so that a later run can tell if this process died (``abandoned``). An
    interruption (``KeyboardInterrupt``, ``RunInterrupted``) rolls the load back, is recorded
    ``failed`` and is raised again.
    """
    registry = registry or get_registry()
    settings = settings or get_settings(require_database=False)
    with hold_execution_lock(engine) as lock:
        prepared = prepare_run(
            request, engine=engine, registry=registry, settings=settings, lock=lock
        )
        outcome: TransformOutcome | None = None
        try:
            raw = read_stage(prepared, registry=registry)
            outcome = transform_stage(
                prepared, raw, engine=engine, registry=registry, settings=settings
            )
            return load_stage(
                prepared, outcome, engine=engine, registry=registry, settings=settings
            )
        except KeyboardInterrupt as stopped:
            fail_run(prepared, take_interruption() or stopped, engine=engine, outcome=outcome)
            raise
        except Exception as error:
            pending = take_interruption()
            if pending is None:
                return fail_run(prepared, error, engine=engine, outcome=outcome)
            fail_run(prepared, pending, engine=engine, outcome=outcome)
            raise pending from error


def run_month(
    month: str,
    *,
    engine: Engine,
    registry: DomainRegistry | None = None,
    settings: Settings | None = None,
    dry_run: bool = False,
    select: FileSelection = "error",
) -> list[RunReport]:
    """Run every installed domain with a source file for ``month``, each in its own transaction.

    Every domain's file is located before any domain runs: an ambiguous folder or a bad month
    raises ``FileDiscoveryError`` with nothing loaded. Domains without a file are skipped.
    """
    registry = registry or get_registry()
    settings = settings or get_settings(require_database=False)
    files = {}
    for name, domain in registry.domains.items():
        try:
            files[name] = discover_file(
                settings.INBOX_DIR, domain.definition.source, month, select=select
            )
        except SourceFileNotFound as missing:
            logger.info("no source file for domain", domain=name, month=month, reason=str(missing))
    return [
        run_domain(
            RunRequest(domain=name, file=path, month=month, dry_run=dry_run),
            engine=engine,
            registry=registry,
            settings=settings,
        )
        for name, path in files.items()
    ]
