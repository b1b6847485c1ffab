"""Run one domain end to end, or every domain of a month: one code path for CLI, Dagster, tests."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from work_data_hub.config import Settings, get_settings
from work_data_hub.io.connectors.file_connector import SourceFileNotFound, discover_file
from work_data_hub.io.runs.liveness import hold_execution_lock
from work_data_hub.io.runs.report import RunReport
from work_data_hub.io.runs.request import FileSelection, RunRequest, StageProgress
from work_data_hub.io.runs.run import Run
from work_data_hub.plugins.registry import DomainRegistry, get_registry
from work_data_hub.utils.logging import get_logger

logger = get_logger(__name__)


def run_domain(
    request: RunRequest,
    *,
    engine: Engine,
    registry: DomainRegistry | None = None,
    settings: Settings | None = None,
    progress: StageProgress | None = None,
) -> RunReport:
    """Run one domain on one file (``Run.start(...).execute()``) under an execution lock.

    A failed run returns ``status="failed"`` and loads nothing. Errors before the execution row
    exists (unknown domain, no file found, an unmigrated database) raise, since there is nothing
    to audit yet. The lock is held until the outcome is recorded, so that a later run can tell
    if this process died (``abandoned``). An interruption is recorded ``failed`` and raised again.
    ``progress`` is told as each stage starts (``StageProgress``).
    """
    with hold_execution_lock(engine) as lock:
        run = Run.start(
            request,
            engine=engine,
            registry=registry,
            settings=settings,
            lock=lock,
            progress=progress,
        )
        return run.execute()


def run_month(
    month: str,
    *,
    engine: Engine,
    registry: DomainRegistry | None = None,
    settings: Settings | None = None,
    dry_run: bool = False,
    select: FileSelection = "error",
    progress: Callable[[str], StageProgress] | None = None,
) -> list[RunReport]:
    """Run every installed domain with a source file for ``month``, each in its own transaction.

    Every domain's file is located before any domain runs: an ambiguous folder or a bad month
    raises ``FileDiscoveryError`` with nothing loaded. Domains without a file are skipped.
    ``progress(domain)`` gives the ``StageProgress`` of each domain's run.
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
            progress=None if progress is None else progress(name),
        )
        for name, path in files.items()
    ]
